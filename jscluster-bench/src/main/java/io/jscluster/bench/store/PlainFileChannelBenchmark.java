package io.jscluster.bench.store;

import io.jscluster.core.store.MessageSize;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * The baseline for the file store: a plain sequential {@link FileChannel} write loop of the same bytes per
 * operation as one file-store record of the same payload (32-byte record frame + subject + payload), through a
 * 256 KiB buffer like the store's, with no fsync. One operation = one record's bytes appended.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PlainFileChannelBenchmark {
    /** Payload bytes per message (the record adds its frame and subject). */
    @Param({"128", "1024"})
    public int size;

    private Path dir;
    private FileChannel ch;
    private final ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
    private byte[] record;
    private long pos;

    /** Fresh file per iteration. */
    @Setup(Level.Iteration)
    public void setUp() throws IOException {
        int len = 32 + StoreFixtures.SUBJECT.length() + size;
        record = new byte[len];
        new SplittableRandom(size).nextBytes(record);
        dir = StoreFixtures.tempDir("jscluster-plain-bench");
        ch = FileChannel.open(dir.resolve("plain.dat"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        pos = 0;
        buf.clear();
        // Same record size the file store writes (sanity link to the accounting formula).
        assert MessageSize.fileStore(StoreFixtures.SUBJECT.length(), 0, size) == len - 2;
    }

    /** Closes and deletes the file. */
    @TearDown(Level.Iteration)
    public void tearDown() throws IOException {
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
}
