package io.jscluster.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance suite against a {@link FileStreamStore} with write-behind and tiny write buffers (a hand-off
 * every record or two), plus what write-behind itself promises: reopen and crash images see a prefix of what was
 * stored, reads wait for writes in flight, buffers stay bounded, and a failed background write surfaces as a
 * {@link StoreIOException}.
 */
class FileStreamStoreWriteBehindTest extends StreamStoreConformanceTest {
    private static final long HOUR = 3_600_000_000_000L;
    /** How long a test waits for another thread to reach a state before it fails (no sleeps: polled). */
    private static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    Path tmp;
    private final AtomicInteger n = new AtomicInteger();

    @Override
    protected StreamStore create(StreamLimits limits) {
        return FileStreamStore.open(config(tmp.resolve("s" + n.incrementAndGet())).withLimits(limits)
                .withIndexCacheBlocks(2), 128, WriteBehind.FILE_WRITER);
    }

    @Override
    protected long size(String subject, byte[] hdr, byte[] data) {
        return MessageSize.fileStore(subject.length(), hdr.length, data.length);
    }

    /** Small blocks, an interval sync that never fires during a test, three write-behind buffers. */
    private FileStoreConfig config(Path dir) {
        return FileStoreConfig.of(dir).withBlockSize(2048).withClock(clock::get).withSync(SyncPolicy.INTERVAL, HOUR)
                .withWriteBehind(3);
    }

    private static byte[] payload(SplittableRandom rnd, int max) {
        byte[] b = new byte[rnd.nextInt(max + 1)];
        rnd.nextBytes(b);
        return b;
    }

    /**
     * Stores {@code count} random messages (leader path, varied sizes, timestamps from {@link #tick()}) without
     * reading any back (a read of the active block would wait for the writes in flight); returns them by sequence.
     */
    private TreeMap<Long, StoredMessage> fill(FileStreamStore s, SplittableRandom rnd, int count) {
        TreeMap<Long, StoredMessage> out = new TreeMap<>();
        String[] subjects = {"a", "b.c", "a.much.longer.subject"};
        for (int i = 0; i < count; i++) {
            String subject = subjects[rnd.nextInt(subjects.length)];
            byte[] data = payload(rnd, rnd.nextInt(10) == 0 ? 400 : 90);
            long ts = tick();
            long seq = s.store(subject, null, data);
            out.put(seq, new StoredMessage(seq, ts, subject, new byte[0], data));
        }
        return out;
    }

    private static void copyTree(Path from, Path to) {
        try (Stream<Path> files = Files.list(from)) {
            Files.createDirectories(to);
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until {@code t} is parked (waiting for a write in flight or a free buffer). */
    private static void awaitParked(Thread t) {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (t.getState() != Thread.State.WAITING) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(t.getName() + " never waited; state " + t.getState());
            }
            Thread.onSpinWait();
        }
    }

    @Test
    @DisplayName("write-behind is opt-in: the default configuration writes on the caller's thread")
    void offByDefault() {
        assertThat(FileStoreConfig.of(tmp).writeBehindBuffers()).isZero();
        assertThatThrownBy(() -> FileStoreConfig.of(tmp).withWriteBehind(1)).isInstanceOf(
                IllegalArgumentException.class);
        assertThatThrownBy(() -> FileStoreConfig.of(tmp).withWriteBehind(FileStoreConfig.MAX_WRITE_BEHIND_BUFFERS + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("records written through hand-offs across many block rolls survive close and reopen exactly")
    void reopenAfterClose() {
        long seed = 4242;
        System.out.println("FileStreamStoreWriteBehindTest.reopenAfterClose seed=" + seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        Path dir = tmp.resolve("reopen");
        TreeMap<Long, StoredMessage> expected;
        try (FileStreamStore s = FileStreamStore.open(config(dir), 300, WriteBehind.FILE_WRITER)) {
            expected = fill(s, rnd, 3000);
            assertThat(s.blockCount()).isGreaterThan(20);
        }
        try (FileStreamStore r = FileStreamStore.open(config(dir), 300, WriteBehind.FILE_WRITER)) {
            assertThat(r.damage()).isEmpty();
            assertThat(r.state().msgs()).isEqualTo(expected.size());
            for (StoredMessage m : expected.values()) {
                assertThat(r.load(m.seq())).isEqualTo(m);
            }
            // And it keeps appending after the recovered tail.
            long next = r.store("after", null, new byte[] {7});
            assertThat(next).isEqualTo(expected.lastKey() + 1);
        }
    }

    @Test
    @DisplayName("a crash image taken while writes are in flight recovers a prefix of the stored records, no damage")
    void crashImageIsAPrefix() {
        for (long seed = 1; seed <= 6; seed++) {
            System.out.println("FileStreamStoreWriteBehindTest.crashImageIsAPrefix seed=" + seed);
            SplittableRandom rnd = new SplittableRandom(seed);
            Path dir = tmp.resolve("live" + seed);
            Path image = tmp.resolve("image" + seed);
            TreeMap<Long, StoredMessage> expected = new TreeMap<>();
            try (FileStreamStore s = FileStreamStore.open(config(dir), 256, WriteBehind.FILE_WRITER)) {
                expected.putAll(fill(s, rnd, 200 + rnd.nextInt(400)));
                // Not synced, not closed: the image holds what the writer thread wrote so far (a write may be
                // in progress while the files are copied).
                copyTree(dir, image);
            }
            try (FileStreamStore r = FileStreamStore.open(FileStoreConfig.of(image).withBlockSize(2048))) {
                assertThat(r.damage()).as("seed %d", seed).isEmpty();
                long last = r.state().lastSeq();
                assertThat(last).isLessThanOrEqualTo(expected.lastKey());
                for (long q = 1; q <= last; q++) {
                    assertThat(r.load(q)).as("seed %d seq %d", seed, q).isEqualTo(expected.get(q));
                }
            }
        }
    }

    /** A file writer that holds every write until {@code gate} opens. */
    private static WriteBehind.BlockWriter gatedWriter(CountDownLatch gate) {
        return (ch, src, pos) -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            WriteBehind.FILE_WRITER.write(ch, src, pos);
        };
    }

    @Test
    @DisplayName("a read of a record whose write is in flight waits for it and returns the record")
    void readWaitsForInFlightWrite() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        WriteBehind.BlockWriter gated = gatedWriter(gate);
        Path dir = tmp.resolve("gated");
        try (FileStreamStore s = FileStreamStore.open(config(dir).withBlockSize(1 << 20), 256, gated)) {
            byte[] data = new byte[150];
            new SplittableRandom(9).nextBytes(data);
            s.store("x", null, data);
            s.store("x", null, data); // the first record is handed off here (two do not fit 256 bytes)
            assertThat(s.writeBehindInFlight()).isTrue();
            Thread reader = Thread.currentThread();
            AtomicReference<Throwable> opener = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    awaitParked(reader);
                    gate.countDown();
                } catch (Throwable e) {
                    opener.set(e);
                    gate.countDown();
                }
            }, "gate-opener");
            t.start();
            StoredMessage m = s.load(1);
            t.join();
            assertThat(opener.get()).isNull();
            assertThat(m.data()).isEqualTo(data);
            assertThat(s.writeBehindInFlight()).isFalse();
        }
    }

    @Test
    @DisplayName("with every buffer in flight the writer thread back-pressures the store; memory stays bounded")
    void backPressureBoundsBuffers() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        WriteBehind.BlockWriter gated = gatedWriter(gate);
        Path dir = tmp.resolve("pressure");
        try (FileStreamStore s = FileStreamStore.open(config(dir).withBlockSize(1 << 20), 256, gated)) {
            byte[] data = new byte[100];
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < 200; i++) {
                        s.store("p", null, data);
                    }
                } catch (Throwable e) {
                    failed.set(e);
                }
            }, "store-writer");
            writer.start();
            awaitParked(writer);
            // All three buffers are queued (the writer is stuck on the first): the store waits for a free one.
            assertThat(s.writeBuffersAllocated()).isEqualTo(3);
            gate.countDown();
            writer.join();
            assertThat(failed.get()).isNull();
            assertThat(s.writeBuffersAllocated()).isLessThanOrEqualTo(3);
            assertThat(s.state().msgs()).isEqualTo(200);
            for (long q = 1; q <= 200; q++) {
                assertThat(s.load(q).data()).hasSize(100);
            }
        }
    }

    @Test
    @DisplayName("a failed background write fails the next sync, write and read of the lost records with "
            + "StoreIOException; reopen finds exactly the records written before it, no damage")
    void failedBackgroundWriteSurfaces() {
        AtomicInteger writes = new AtomicInteger();
        WriteBehind.BlockWriter failing = (ch, src, pos) -> {
            if (writes.incrementAndGet() == 3) {
                throw new IOException("injected: disk gone");
            }
            WriteBehind.FILE_WRITER.write(ch, src, pos);
        };
        Path dir = tmp.resolve("failing");
        byte[] data = new byte[80]; // two 113-byte records per 256-byte buffer
        long acknowledged = 0;
        FileStreamStore s = FileStreamStore.open(config(dir).withBlockSize(1 << 20), 256, failing);
        try {
            for (int i = 0; i < 1000; i++) {
                s.store("f", null, data);
                acknowledged++;
            }
            throw new AssertionError("the background write failure never surfaced");
        } catch (StoreIOException expected) {
            assertThat(expected).hasRootCauseMessage("injected: disk gone");
        }
        assertThat(writes.get()).isEqualTo(3);
        // The first two buffers (records 1..4) reached the file; the third (5, 6) failed, nothing after it ran.
        assertThat(acknowledged).isGreaterThanOrEqualTo(6);
        assertThatThrownBy(s::sync).isInstanceOf(StoreIOException.class);
        assertThatThrownBy(() -> s.store("f", null, data)).isInstanceOf(StoreIOException.class);
        assertThatThrownBy(() -> s.load(5)).isInstanceOf(StoreIOException.class);
        s.close();
        try (FileStreamStore r = FileStreamStore.open(FileStoreConfig.of(dir).withBlockSize(1 << 20))) {
            assertThat(r.damage()).isEmpty();
            assertThat(r.state().lastSeq()).isEqualTo(4);
            for (long q = 1; q <= 4; q++) {
                assertThat(r.load(q).data()).isEqualTo(data);
            }
        }
    }

    @Test
    @DisplayName("sync waits for the writes in flight before forcing; an idle store releases its buffers")
    void syncDrainsAndIdleReleases() {
        Path dir = tmp.resolve("idle");
        List<StoredMessage> kept = new ArrayList<>();
        try (FileStreamStore s = FileStreamStore.open(config(dir), 256, WriteBehind.FILE_WRITER)) {
            kept.addAll(fill(s, new SplittableRandom(3), 300).values());
            s.sync();
            assertThat(s.writeBehindInFlight()).isFalse();
            assertThat(s.writeBuffersAllocated()).isBetween(1, 3);
            s.runBackgroundOnce();
            s.runBackgroundOnce();
            assertThat(s.writeBuffersAllocated()).isZero();
            long next = s.store("again", null, new byte[] {1});
            assertThat(s.load(next).data()).containsExactly(1);
        }
        try (FileStreamStore r = FileStreamStore.open(FileStoreConfig.of(dir).withBlockSize(2048))) {
            for (StoredMessage m : kept) {
                assertThat(r.load(m.seq())).isEqualTo(m);
            }
        }
    }
}
