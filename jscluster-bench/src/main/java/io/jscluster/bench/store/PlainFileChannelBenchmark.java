package io.jscluster.bench.store;

import io.jscluster.core.store.FileStreamStore;
import io.jscluster.core.store.MessageSize;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The baseline for the file store: a plain sequential {@link FileChannel} write loop. Like with like: every
 * operation appends exactly as many bytes as one file-store record of the same payload (32-byte record frame +
 * the 7-byte subject + payload, see {@code BlockFormat}), through a heap buffer of the store's size
 * ({@link FileStreamStore#WRITE_BUFFER_BYTES}, 256 KiB) flushed with one positional write when full, into a fresh
 * file per iteration.
 *
 * <ul>
 *   <li>{@code sync=none}: no fsync at all (the floor the target is defined against).</li>
 *   <li>{@code sync=interval}: a background thread fsyncs the file every {@code syncIntervalMs} (default 100 ms),
 *       as the store's interval policy does, without blocking the writer.</li>
 * </ul>
 * {@code fileBytes=0} (the default, what the target is defined against) writes one file per iteration;
 * {@code -p fileBytes=8388608} starts a new file whenever the next buffer would take the current one past 8 MiB,
 * as the file store starts a new block file: a reference for how much of the store's cost is the file system's
 * per-file work rather than the store's.
 *
 * <p>{@link #writeFramedRecord} is not a baseline but the floor of any store that keeps a per-record checksum: the
 * same loop, but each record is assembled in the buffer as the file store frames it (magic and type, length,
 * sequence, timestamp, subject and header lengths, the subject as two little-endian words, one payload copy, then
 * the CRC-32C of the record's bytes) — the per-record work issue 5 requires, with no index, counters, lock or
 * block files. The file store cannot be faster than this loop; the ratio of the two is the best a checksummed
 * store can reach against {@link #writeRecord} on the machine.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PlainFileChannelBenchmark {
    /** Payload bytes per message (the record adds its frame and subject). */
    @Param({"128", "1024"})
    public int size;

    /** Whether a background thread fsyncs the file every {@link #syncIntervalMs} (default 100 ms). */
    @Param({"none"})
    public String sync;

    /** {@code sync=interval} only: milliseconds between the background fsyncs (default 100, as the store's fixture). */
    @Param({"100"})
    public long syncIntervalMs;

    /** Bytes after which the loop continues in a new file (0: one file per iteration). */
    @Param({"0"})
    public long fileBytes;

    private Path dir;
    /** Volatile: the optional syncer thread forces whichever file is current. */
    private volatile FileChannel ch;
    private final ByteBuffer buf = ByteBuffer.allocate(FileStreamStore.WRITE_BUFFER_BYTES);
    private byte[] record;
    /** {@link #writeFramedRecord}: the payload, the subject as two words, the checksum, the next sequence. */
    private byte[] payload;
    private long subjectWord0;
    private long subjectWord1;
    private final CRC32C crc = new CRC32C();
    private long seq;

    private static final VarHandle LE_SHORT =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Record frame: 22 fixed bytes, subject and header lengths (6), checksum (4). */
    private static final int FRAME_FIXED = 22;
    private long pos;
    private int files;
    private ScheduledExecutorService syncer;

    /** Fresh file per iteration. */
    @Setup(Level.Iteration)
    public void setUp() throws IOException {
        int len = 32 + StoreFixtures.SUBJECT.length() + size;
        // The same record length the file store writes for this payload (its accounting formula is 2 bytes less).
        if (MessageSize.fileStore(StoreFixtures.SUBJECT.length(), 0, size) != len - 2) {
            throw new IllegalStateException("record length drifted from the file store's format");
        }
        record = new byte[len];
        new SplittableRandom(size).nextBytes(record);
        payload = new byte[size];
        new SplittableRandom(size).nextBytes(payload);
        byte[] subject = java.util.Arrays.copyOf(StoreFixtures.SUBJECT.getBytes(StandardCharsets.UTF_8), 16);
        subjectWord0 = (long) LE_LONG.get(subject, 0);
        subjectWord1 = (long) LE_LONG.get(subject, 8);
        seq = 0;
        dir = StoreFixtures.tempDir("jscluster-plain-bench");
        files = 0;
        ch = FileChannel.open(dir.resolve("plain.dat"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        pos = 0;
        buf.clear();
        if (sync.equals("interval")) {
            syncer = Executors.newSingleThreadScheduledExecutor();
            long iv = syncIntervalMs * 1_000_000L;
            syncer.scheduleWithFixedDelay(() -> {
                try {
                    ch.force(false);
                } catch (java.nio.channels.ClosedChannelException e) {
                    // The loop moved to a new file meanwhile (fileBytes > 0): the next round forces that one.
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, iv, iv, TimeUnit.NANOSECONDS);
        }
    }

    /** Closes and deletes the file. */
    @TearDown(Level.Iteration)
    public void tearDown() throws IOException, InterruptedException {
        if (syncer != null) {
            // Not shutdownNow: interrupting a thread inside FileChannel.force closes the channel.
            syncer.shutdown();
            syncer.awaitTermination(10, TimeUnit.SECONDS);
            syncer = null;
        }
        flush();
        ch.close();
        StoreFixtures.delete(dir);
        Files.deleteIfExists(dir);
    }

    private void flush() throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            pos += ch.write(buf, pos);
        }
        buf.clear();
        if (fileBytes > 0 && pos + buf.capacity() > fileBytes) {
            ch.close();
            ch = FileChannel.open(dir.resolve("plain-" + (++files) + ".dat"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            pos = 0;
        }
    }

    /** Appends one record's bytes. */
    @Benchmark
    public long writeRecord() throws IOException {
        if (buf.remaining() < record.length) {
            flush();
        }
        buf.put(record);
        return pos;
    }

    /**
     * Appends one record of the same length, framed and checksummed as the file store does it (see the class
     * comment): the floor of a store with a per-record CRC-32C.
     */
    @Benchmark
    public long writeFramedRecord() throws IOException {
        int len = record.length;
        if (buf.remaining() < len) {
            flush();
        }
        byte[] a = buf.array();
        int p = buf.position();
        long s = ++seq;
        LE_SHORT.set(a, p, (short) 0x01A7);
        LE_INT.set(a, p + 2, len);
        LE_LONG.set(a, p + 6, s);
        LE_LONG.set(a, p + 14, s);
        LE_SHORT.set(a, p + FRAME_FIXED, (short) StoreFixtures.SUBJECT.length());
        LE_INT.set(a, p + FRAME_FIXED + 2, 0);
        int q = p + FRAME_FIXED + 6;
        LE_LONG.set(a, q, subjectWord0);
        LE_LONG.set(a, q + 8, subjectWord1);
        q += StoreFixtures.SUBJECT.length();
        System.arraycopy(payload, 0, a, q, payload.length);
        crc.reset();
        crc.update(a, p, len - 4);
        LE_INT.set(a, p + len - 4, (int) crc.getValue());
        buf.position(p + len);
        return pos;
    }
}
