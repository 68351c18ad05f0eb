package io.jscluster.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The conformance suite against {@link FileStreamStore} with small blocks, so block boundaries are crossed. */
class FileStreamStoreTest extends StreamStoreConformanceTest {
    @TempDir
    Path tmp;
    private final AtomicInteger n = new AtomicInteger();

    @Override
    protected StreamStore create(StreamLimits limits) {
        return FileStreamStore.open(FileStoreConfig.of(tmp.resolve("s" + n.incrementAndGet())).withBlockSize(1024)
                .withLimits(limits).withClock(clock::get).withIndexCacheBlocks(2));
    }

    @Override
    protected long size(String subject, byte[] hdr, byte[] data) {
        return MessageSize.fileStore(subject.length(), hdr.length, data.length);
    }

    private static long blockBytes(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".blk")).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    @DisplayName("repeated subject strings take the leader fast path: every subject length, header and payload size "
            + "round-trips through a reopen (word-copied subjects never leave stray bytes)")
    void leaderFastPathRecordsRoundTrip() {
        long seed = 7070;
        System.out.println("FileStreamStoreTest.leaderFastPathRecordsRoundTrip seed=" + seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        // The same String objects every time, so store() sees identity hits; lengths around the 8/16-byte words.
        String[] subjects = {"a", "abcdefg", "abcdefgh", "abcdefghi", "fifteen.bytes.x", "sixteen.bytes.xy",
                "seventeen.bytes.x", "a.much.longer.subject.than.two.words", "ü.non.ascii"};
        Path dir = tmp.resolve("fast");
        FileStoreConfig cfg = FileStoreConfig.of(dir).withBlockSize(4096).withClock(clock::get)
                .withSync(SyncPolicy.INTERVAL, 3_600_000_000_000L);
        TreeMap<Long, StoredMessage> expected = new TreeMap<>();
        try (FileStreamStore s = FileStreamStore.open(cfg)) {
            for (int i = 0; i < 1500; i++) {
                String subject = subjects[rnd.nextInt(4) == 0 ? rnd.nextInt(subjects.length) : i % 3];
                byte[] hdr = rnd.nextInt(3) == 0 ? new byte[rnd.nextInt(12)] : null;
                byte[] data = new byte[rnd.nextInt(4) == 0 ? rnd.nextInt(4) : rnd.nextInt(300)];
                rnd.nextBytes(data);
                if (hdr != null) {
                    rnd.nextBytes(hdr);
                }
                long seq = s.store(subject, hdr, data);
                expected.put(seq, new StoredMessage(seq, clock.get(), subject, hdr == null ? new byte[0] : hdr, data));
                tick();
            }
            assertThat(s.blockCount()).isGreaterThan(10);
            for (StoredMessage m : expected.values()) {
                assertThat(s.load(m.seq())).isEqualTo(m);
            }
        }
        try (FileStreamStore s = FileStreamStore.open(cfg)) {
            assertThat(s.damage()).isEmpty();
            assertThat(s.state().msgs()).isEqualTo(expected.size());
            for (StoredMessage m : expected.values()) {
                assertThat(s.load(m.seq())).isEqualTo(m);
            }
        }
    }

    @Test
    @DisplayName("a roll reuses the index its cache insertion evicts: blocks with and without skips (explicit and "
            + "implicit sequences) alternate through a one-entry cache and every message still loads")
    void rollsReuseEvictedIndexes() {
        long seed = 7171;
        System.out.println("FileStreamStoreTest.rollsReuseEvictedIndexes seed=" + seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        Path dir = tmp.resolve("recycle");
        FileStoreConfig cfg = FileStoreConfig.of(dir).withBlockSize(2048).withClock(clock::get)
                .withSync(SyncPolicy.INTERVAL, 3_600_000_000_000L).withIndexCacheBlocks(1);
        TreeMap<Long, StoredMessage> expected = new TreeMap<>();
        try (FileStreamStore s = FileStreamStore.open(cfg)) {
            for (int i = 0; i < 800; i++) {
                if (rnd.nextInt(40) == 0) {
                    // A gap inside a block switches its index to explicit sequences.
                    long next = s.lastSeq() + 1;
                    s.skip(next, 1 + rnd.nextInt(3));
                }
                // Record counts per block vary, so a recycled array is sometimes too small and sometimes larger.
                byte[] data = new byte[rnd.nextInt(4) == 0 ? 400 + rnd.nextInt(600) : rnd.nextInt(60)];
                rnd.nextBytes(data);
                long seq = s.store("r." + rnd.nextInt(2), null, data);
                expected.put(seq, s.load(seq));
                tick();
                if (rnd.nextInt(25) == 0) {
                    // Load an old message: its block's index is rebuilt and evicts the one a roll would reuse.
                    long old = expected.firstKey() + rnd.nextLong(seq - expected.firstKey() + 1);
                    Long k = expected.ceilingKey(old);
                    assertThat(s.load(k)).isEqualTo(expected.get(k));
                }
            }
            assertThat(s.blockCount()).isGreaterThan(20);
            for (StoredMessage m : expected.values()) {
                assertThat(s.load(m.seq())).isEqualTo(m);
            }
            for (long seq = 1; seq <= s.lastSeq(); seq++) {
                if (!expected.containsKey(seq)) {
                    assertThat(s.load(seq)).isNull();
                }
            }
            // Truncation and purges walk a block's whole index: an index that kept another block's records
            // would remove (and count) messages that are not there.
            long cut = s.lastSeq() - 40;
            s.truncate(cut);
            expected.tailMap(cut, false).clear();
            long below = expected.firstKey() + 300;
            assertThat(s.compact(below)).isEqualTo(expected.headMap(below).size());
            expected.headMap(below).clear();
            assertThat(s.state().msgs()).isEqualTo(expected.size());
            assertThat(s.purge("r.0", 0, 0)).isEqualTo(
                    expected.values().stream().filter(m -> m.subject().equals("r.0")).count());
            expected.values().removeIf(m -> m.subject().equals("r.0"));
            assertThat(s.state().msgs()).isEqualTo(expected.size());
            for (StoredMessage m : expected.values()) {
                assertThat(s.load(m.seq())).isEqualTo(m);
            }
        }
        try (FileStreamStore s = FileStreamStore.open(cfg)) {
            assertThat(s.damage()).isEmpty();
            for (StoredMessage m : expected.values()) {
                assertThat(s.load(m.seq())).isEqualTo(m);
            }
        }
    }

    @Test
    @DisplayName("block file names are the base as 20 zero-padded digits, as String.format(\"%020d\") writes them")
    void blockFileNames() {
        long[] bases = {0, 1, 9, 10, 12345, 99_999_999_999L, 1L << 40, Long.MAX_VALUE - 1, Long.MAX_VALUE, -1, -42};
        for (long b : bases) {
            assertThat(Block.fileName(b)).isEqualTo(String.format("%020d", b));
        }
    }

    @Test
    @DisplayName("sealed blocks mostly deleted are compacted in place; reopening serves the same stream")
    void compactsPartlyDeletedBlocks() {
        long seed = 4242;
        System.out.println("FileStreamStoreTest.compactsPartlyDeletedBlocks seed=" + seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        Path dir = tmp.resolve("compact");
        FileStoreConfig cfg = FileStoreConfig.of(dir).withBlockSize(8192).withClock(clock::get);
        TreeMap<Long, StoredMessage> expected = new TreeMap<>();
        long[] deleted;
        StreamState state;
        try (FileStreamStore s = FileStreamStore.open(cfg)) {
            for (int i = 0; i < 600; i++) {
                byte[] data = new byte[60 + rnd.nextInt(80)];
                rnd.nextBytes(data);
                long seq = s.store("c." + rnd.nextInt(3), null, data);
                expected.put(seq, s.load(seq));
                tick();
            }
            long before = blockBytes(dir);
            // Remove about three in four messages: ~45 per 8 KiB block, so no block empties (reclaim) and only
            // compaction can shrink the files.
            for (long seq = 1; seq <= 600; seq++) {
                if (rnd.nextInt(4) != 0 && seq != 600) {
                    boolean erase = rnd.nextInt(5) == 0;
                    assertThat(erase ? s.erase(seq) : s.remove(seq)).isTrue();
                    expected.remove(seq);
                }
            }
            assertThat(blockBytes(dir)).isLessThan(before * 2 / 3);
            for (StoredMessage m : expected.values()) {
                assertThat(s.load(m.seq())).isEqualTo(m);
            }
            state = s.state();
            deleted = s.deletedSequences();
        }
        try (FileStreamStore r = FileStreamStore.open(cfg)) {
            assertThat(r.damage()).isEmpty();
            assertThat(r.state()).isEqualTo(new StreamState(state.msgs(), state.bytes(), state.firstSeq(),
                    state.firstTimeNanos(), state.lastSeq(), r.state().lastTimeNanos(), state.numSubjects(),
                    state.numDeleted()));
            assertThat(r.deletedSequences()).containsExactly(deleted);
            for (StoredMessage m : expected.values()) {
                assertThat(r.load(m.seq())).isEqualTo(m);
            }
            assertThat(r.store("c.0", null, new byte[1])).isEqualTo(state.lastSeq() + 1);
        }
    }

    @Test
    @DisplayName("a catch-up walk over sealed blocks whose indexes were evicted reads each block file once: the "
            + "bytes read to rebuild the index serve the loads")
    void catchUpWalkReadsEachBlockOnce() {
        Path dir = tmp.resolve("walk");
        FileStoreConfig cfg = FileStoreConfig.of(dir).withBlockSize(8192).withClock(clock::get)
                .withSync(SyncPolicy.INTERVAL, 3_600_000_000_000L).withIndexCacheBlocks(1);
        byte[] data = new byte[200];
        new SplittableRandom(11).nextBytes(data);
        try (FileStreamStore s = FileStreamStore.open(cfg)) {
            for (int i = 0; i < 600; i++) {
                s.store("w." + (i % 3), null, data);
            }
            assertThat(s.blockCount()).isGreaterThan(10);
        }
        try (FileStreamStore r = FileStreamStore.open(cfg)) {
            long fills = r.windowFills();
            MessageView v = new MessageView();
            for (long q = 1; q <= 600; q++) {
                assertThat(r.loadInto(q, v)).isTrue();
                assertThat(v.toStoredMessage().data()).isEqualTo(data);
                assertThat(v.toStoredMessage().subject()).isEqualTo("w." + ((q - 1) % 3));
            }
            // Only the active block (never served from an image) may need the window.
            assertThat(r.windowFills() - fills).isLessThanOrEqualTo(1);
        }
    }
}
