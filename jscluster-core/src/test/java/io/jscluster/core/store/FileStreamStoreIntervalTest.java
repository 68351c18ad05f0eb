package io.jscluster.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interval sync policy: block rolls without fsync on the write path, the shared background sync, and the
 * idle footprint of many stores.
 */
class FileStreamStoreIntervalTest {
    private static final long HOUR = 3_600_000_000_000L;

    @TempDir
    Path tmp;
    private final AtomicLong clock = new AtomicLong(1_000_000L);

    private FileStreamStore open(Path dir, long intervalNanos) {
        return FileStreamStore.open(FileStoreConfig.of(dir).withBlockSize(2048).withClock(clock::get)
                .withSync(SyncPolicy.INTERVAL, intervalNanos));
    }

    /** Copies the store's files as they are now: what a crash right after this point leaves on disk. */
    private static Path snapshotFiles(Path from, Path to) {
        try (Stream<Path> files = Files.list(from)) {
            Files.createDirectories(to);
            for (Path p : files.toList()) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return to;
    }

    private TreeMap<Long, StoredMessage> write(FileStreamStore s, SplittableRandom rnd, int n) {
        TreeMap<Long, StoredMessage> out = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            byte[] data = new byte[rnd.nextInt(200)];
            rnd.nextBytes(data);
            String subject = "s." + rnd.nextInt(3);
            long seq = s.store(subject, null, data);
            out.put(seq, new StoredMessage(seq, clock.get(), subject, null, data));
            clock.addAndGet(7);
            if (rnd.nextInt(25) == 0 && out.size() > 2) {
                long victim = out.firstKey() + rnd.nextInt((int) (seq - out.firstKey()));
                if (out.containsKey(victim)) {
                    s.remove(victim);
                    out.remove(victim);
                }
            }
        }
        return out;
    }

    @Test
    @DisplayName("interval policy: after a background sync pass the files on disk hold every message, with rolls")
    void backgroundSyncLeavesConsistentFiles() {
        long seed = 77;
        System.out.println("FileStreamStoreIntervalTest seed=" + seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        FileStreamStore s = open(tmp.resolve("live"), HOUR);
        try {
            TreeMap<Long, StoredMessage> expected = write(s, rnd, 600);
            assertThat(s.blockCount()).isGreaterThan(10);
            s.runBackgroundOnce();
            Path crashed = snapshotFiles(tmp.resolve("live"), tmp.resolve("crashed"));
            expected.putAll(write(s, rnd, 50));
            try (FileStreamStore r = open(crashed, HOUR)) {
                assertThat(r.damage()).isEmpty();
                StreamState st = r.state();
                for (StoredMessage m : expected.headMap(st.lastSeq(), true).values()) {
                    assertThat(r.load(m.seq())).as("seq %d", m.seq()).isEqualTo(m);
                }
                assertThat(st.lastSeq()).isGreaterThanOrEqualTo(600 - 1);
            }
        } finally {
            s.close();
        }
        try (FileStreamStore r = open(tmp.resolve("live"), HOUR)) {
            assertThat(r.damage()).isEmpty();
        }
    }

    @Test
    @DisplayName("interval policy: explicit sync after rolls leaves every message on disk")
    void explicitSyncAfterRolls() {
        SplittableRandom rnd = new SplittableRandom(78);
        FileStreamStore s = open(tmp.resolve("live"), HOUR);
        try {
            TreeMap<Long, StoredMessage> expected = write(s, rnd, 400);
            s.sync();
            Path crashed = snapshotFiles(tmp.resolve("live"), tmp.resolve("crashed"));
            try (FileStreamStore r = open(crashed, HOUR)) {
                assertThat(r.damage()).isEmpty();
                assertThat(r.state().msgs()).isEqualTo(expected.size());
                for (StoredMessage m : expected.values()) {
                    assertThat(r.load(m.seq())).isEqualTo(m);
                }
            }
        } finally {
            s.close();
        }
    }

    /** Generation of a manifest slot file (bytes 4..12, little-endian). */
    private static long slotGeneration(Path slot) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(slot)).order(ByteOrder.LITTLE_ENDIAN).getLong(4);
    }

    /** Base of the last block a manifest slot lists. */
    private static long slotLastBase(Path slot) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(slot)).order(ByteOrder.LITTLE_ENDIAN);
        int count = b.getInt(12);
        return b.getLong(16 + (count - 1) * 24);
    }

    private static List<Long> blockBases(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".blk"))
                    .map(n -> Long.parseLong(n.substring(0, n.length() - 4))).sorted().toList();
        }
    }

    /**
     * A crash image of a store that synced, then rolled several blocks without a sync, whose newest manifest slot
     * was torn by the crash. Returns the base of the last block the surviving (older) slot lists.
     */
    private long tornNewestSlotImage(Path live, Path crashed, TreeMap<Long, StoredMessage> expected)
            throws IOException {
        SplittableRandom rnd = new SplittableRandom(79);
        FileStreamStore s = open(live, HOUR);
        try {
            expected.putAll(write(s, rnd, 200));
            s.sync();
            expected.putAll(write(s, rnd, 300));
            snapshotFiles(live, crashed);
        } finally {
            s.close();
        }
        Path a = crashed.resolve("manifest.0");
        Path b = crashed.resolve("manifest.1");
        Path newest = slotGeneration(a) > slotGeneration(b) ? a : b;
        Path older = newest == a ? b : a;
        try (FileChannel ch = FileChannel.open(newest, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        return slotLastBase(older);
    }

    @Test
    @DisplayName("interval policy: a torn newest manifest slot leaves the previous generation; blocks after it are "
            + "recovered from their names and records")
    void tornManifestSlotFallsBackToPreviousGeneration() throws IOException {
        TreeMap<Long, StoredMessage> expected = new TreeMap<>();
        Path crashed = tmp.resolve("crashed");
        long manifestLast = tornNewestSlotImage(tmp.resolve("live"), crashed, expected);
        List<Long> bases = blockBases(crashed);
        assertThat(bases.get(bases.size() - 1)).as("blocks written after the surviving slot")
                .isGreaterThan(manifestLast);
        try (FileStreamStore r = open(crashed, HOUR)) {
            assertThat(r.damage()).isEmpty();
            StreamState st = r.state();
            // Everything up to the last block's start was flushed by the rolls; its tail sat in the write buffer.
            assertThat(st.lastSeq()).isGreaterThanOrEqualTo(bases.get(bases.size() - 1) - 1);
            for (StoredMessage m : expected.headMap(st.lastSeq(), true).values()) {
                assertThat(r.load(m.seq())).as("seq %d", m.seq()).isEqualTo(m);
            }
        }
    }

    @Test
    @DisplayName("interval policy: with the newest manifest slot torn, a block missing after the surviving "
            + "generation is reported as damage with its sequence range, and repairs")
    void tornManifestSlotAndMissingBlockIsDamage() throws IOException {
        TreeMap<Long, StoredMessage> expected = new TreeMap<>();
        Path crashed = tmp.resolve("crashed");
        long manifestLast = tornNewestSlotImage(tmp.resolve("live"), crashed, expected);
        List<Long> after = blockBases(crashed).stream().filter(base -> base > manifestLast).toList();
        assertThat(after.size()).as("blocks after the surviving slot").isGreaterThanOrEqualTo(3);
        long gone = after.get(1);
        long nextBase = after.get(2);
        Files.delete(crashed.resolve(String.format("%020d.blk", gone)));
        try (FileStreamStore r = open(crashed, HOUR)) {
            assertThat(r.damage()).singleElement().satisfies(d -> {
                assertThat(d.firstSeq()).isEqualTo(gone);
                assertThat(d.lastSeq()).isEqualTo(nextBase - 1);
            });
            assertThatThrownBy(() -> r.load(gone)).isInstanceOf(StoreCorruptionException.class);
            long last = r.state().lastSeq();
            for (StoredMessage m : expected.headMap(last, true).values()) {
                if (m.seq() < gone || m.seq() >= nextBase) {
                    assertThat(r.load(m.seq())).as("seq %d", m.seq()).isEqualTo(m);
                }
            }
            r.repair(gone, nextBase - 1, new ArrayList<>(expected.subMap(gone, true, nextBase - 1, true).values()));
            assertThat(r.damage()).isEmpty();
            for (StoredMessage m : expected.headMap(last, true).values()) {
                assertThat(r.load(m.seq())).as("seq %d after repair", m.seq()).isEqualTo(m);
            }
        }
        try (FileStreamStore r = open(crashed, HOUR)) {
            assertThat(r.damage()).isEmpty();
        }
    }

    private static long blockFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".blk")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    @DisplayName("interval policy with discard-old: reclaimed blocks' files go at the next sync, crash-consistently")
    void reclaimDefersFileRemovalToSync() {
        Path live = tmp.resolve("live");
        FileStoreConfig cfg = FileStoreConfig.of(live).withBlockSize(2048).withClock(clock::get)
                .withSync(SyncPolicy.INTERVAL, HOUR)
                .withLimits(new StreamLimits(50, 0, 0, 0, DiscardPolicy.OLD, false));
        FileStreamStore s = FileStreamStore.open(cfg);
        try {
            for (int i = 0; i < 2_000; i++) {
                s.store("r", null, new byte[100]);
                clock.addAndGet(3);
            }
            assertThat(s.blockCount()).isLessThan(10);
            assertThat(blockFiles(live)).isGreaterThan(s.blockCount());
            Path beforeSync = snapshotFiles(live, tmp.resolve("before-sync"));
            s.runBackgroundOnce();
            assertThat(blockFiles(live)).isEqualTo(s.blockCount());
            Path afterSync = snapshotFiles(live, tmp.resolve("after-sync"));
            for (Path crashed : List.of(beforeSync, afterSync)) {
                try (FileStreamStore r = FileStreamStore.open(FileStoreConfig.of(crashed).withBlockSize(2048)
                        .withClock(clock::get))) {
                    assertThat(r.damage()).as(crashed.toString()).isEmpty();
                    StreamState st = r.state();
                    // Before the sync the newest records may still sit in the write buffer: lost, not damaged.
                    assertThat(st.lastSeq()).isBetween(crashed == afterSync ? 2_000L : 1_900L, 2_000L);
                    for (long seq = st.firstSeq(); seq <= st.lastSeq(); seq++) {
                        assertThat(r.load(seq)).isNotNull();
                    }
                }
            }
        } finally {
            s.close();
        }
        try (FileStreamStore r = FileStreamStore.open(cfg)) {
            assertThat(r.state().msgs()).isEqualTo(50);
            assertThat(blockFiles(live)).isEqualTo(r.blockCount());
        }
    }

    @Test
    @DisplayName("many stores share one sync thread and release their buffers when idle")
    void sharedThreadAndIdleFootprint() {
        List<FileStreamStore> stores = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                FileStreamStore s = open(tmp.resolve("s" + i), HOUR);
                stores.add(s);
                s.store("a", null, new byte[100]);
                s.load(1);
            }
            long syncThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("jscluster-store-sync")).count();
            assertThat(syncThreads).isLessThanOrEqualTo(1);
            for (FileStreamStore s : stores) {
                assertThat(s.bufferBytes()).isGreaterThan(256 * 1024);
                s.runBackgroundOnce();
                s.runBackgroundOnce();
                assertThat(s.bufferBytes()).isLessThanOrEqualTo(4096);
                assertThat(s.load(1).data()).hasSize(100);
                s.store("a", null, new byte[10]);
            }
        } finally {
            stores.forEach(FileStreamStore::close);
        }
    }
}
