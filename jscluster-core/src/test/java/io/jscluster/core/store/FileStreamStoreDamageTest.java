package io.jscluster.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.jscluster.codec.state.DeleteBlock;
import io.jscluster.codec.state.StreamStateCodec;
import io.jscluster.testing.SeedRange;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage to block files (bit flips, truncation, missing files, damaged delete logs): after reopening, every
 * synced message outside a reported damaged range is served intact, no message is ever served wrong or silently
 * missing, only {@link StoreException}s escape, and {@link StreamStore#repair} restores the reported ranges.
 */
class FileStreamStoreDamageTest {
    @TempDir
    Path tmp;
    private final AtomicLong clock = new AtomicLong(5_000_000L);

    /** Whether the run at hand writes through write-behind (small buffers, so most writes are handed off). */
    private boolean writeBehind;

    private FileStreamStore open(Path dir) {
        FileStoreConfig cfg = FileStoreConfig.of(dir).withBlockSize(2048).withClock(clock::get)
                .withIndexCacheBlocks(2);
        if (writeBehind) {
            return guarded(() -> FileStreamStore.open(cfg.withWriteBehind(3), 200, WriteBehind.FILE_WRITER));
        }
        return guarded(() -> FileStreamStore.open(cfg));
    }

    /** Runs an operation, failing the test if anything but a StoreException escapes. */
    private static <T> T guarded(Supplier<T> op) {
        try {
            return op.get();
        } catch (StoreException e) {
            throw e;
        } catch (RuntimeException | Error e) {
            throw new AssertionError("non-store exception escaped", e);
        }
    }

    /** Writes a stream with removes and skips; returns the messages it holds. */
    private TreeMap<Long, StoredMessage> populate(FileStreamStore s, SplittableRandom rnd, int n) {
        TreeMap<Long, StoredMessage> expected = new TreeMap<>();
        // One group commit: what the cluster layer does when it applies a batch of entries.
        s.batch(() -> populateInto(s, rnd, n, expected));
        return expected;
    }

    private void populateInto(FileStreamStore s, SplittableRandom rnd, int n, TreeMap<Long, StoredMessage> expected) {
        for (int i = 0; i < n; i++) {
            int r = rnd.nextInt(20);
            long next = s.state().lastSeq() + 1;
            if (r == 0) {
                s.skip(next, 1 + rnd.nextInt(5));
                continue;
            }
            byte[] data = new byte[rnd.nextInt(120)];
            for (int k = 0; k < data.length; k++) {
                data[k] = (byte) rnd.nextInt(256);
            }
            long ts = clock.addAndGet(10);
            String subject = "s." + rnd.nextInt(4);
            s.storeAt(next, ts, subject, null, data);
            expected.put(next, new StoredMessage(next, ts, subject, null, data));
            if (r == 1 && expected.size() > 3) {
                long victim = expected.lowerKey(next);
                s.remove(victim);
                expected.remove(victim);
            }
        }
    }

    private static List<Path> files(Path dir, String glob) throws IOException {
        try (Stream<Path> st = Files.list(dir)) {
            return st.filter(p -> p.getFileName().toString().endsWith(glob)).sorted().toList();
        }
    }

    private static boolean inDamage(List<Damage> ds, long seq) {
        return ds.stream().anyMatch(d -> d.contains(seq));
    }

    /** Every sequence: intact, or inside a reported damaged range; returns the damaged ones seen. */
    private static void checkServed(FileStreamStore s, TreeMap<Long, StoredMessage> expected, long last) {
        List<Damage> ds = guarded(s::damage);
        for (long seq = 1; seq <= last; seq++) {
            final long q = seq;
            StoredMessage got;
            try {
                got = guarded(() -> s.load(q));
            } catch (StoreCorruptionException e) {
                assertThat(inDamage(ds, seq)).as("corruption for %d must be inside a reported range %s; %s; %s", seq, ds, e.getMessage(), s)
                        .isTrue();
                continue;
            }
            StoredMessage want = expected.get(seq);
            if (want == null) {
                assertThat(got).as("deleted sequence %d", seq).isNull();
            } else if (got == null) {
                fail("message %d silently missing (damage %s)", seq, ds);
            } else {
                assertThat(got).as("message %d", seq).isEqualTo(want);
            }
            // The zero-copy path reads the same verified record.
            MessageView v = new MessageView();
            boolean found = guarded(() -> s.loadInto(q, v));
            assertThat(found ? v.toStoredMessage() : null).as("loadInto %d", seq).isEqualTo(want);
        }
    }

    private static void repairAll(FileStreamStore s, TreeMap<Long, StoredMessage> expected) {
        for (Damage d : s.damage()) {
            List<StoredMessage> msgs = new ArrayList<>(expected.subMap(d.firstSeq(), true, d.lastSeq(), true)
                    .values());
            guarded(() -> {
                s.repair(d.firstSeq(), d.lastSeq(), msgs);
                return null;
            });
            assertThat(s.hasDamage()).as("hasDamage() after repairing %s", d).isEqualTo(!s.damage().isEmpty());
        }
    }

    @Test
    @DisplayName("random bit flips and truncations of block files are detected, ranged and repairable")
    void randomDamage() throws IOException {
        SeedRange seeds = SeedRange.fromSystemProperties(30);
        for (int i = 0; i < seeds.count(); i++) {
            long seed = seeds.seed(i);
            System.out.println("FileStreamStoreDamageTest seed=" + seed);
            try {
                oneDamageRun(seed);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed=" + seed + " (replay: -Djscluster.sim.seedStart=" + seed
                        + " -Djscluster.sim.seeds=1)", e);
            }
        }
    }

    private void oneDamageRun(long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        // Every other seed writes (and rewrites, repairs) through write-behind.
        writeBehind = (seed & 1) == 1;
        Path dir = tmp.resolve("d" + seed);
        FileStreamStore s = open(dir);
        TreeMap<Long, StoredMessage> expected = populate(s, rnd, 150 + rnd.nextInt(200));
        long last = s.state().lastSeq();
        checkServed(s, expected, last);
        s.close();
        FileStreamStore clean = open(dir);
        checkServed(clean, expected, last);
        clean.close();
        List<Path> blks = files(dir, ".blk");
        Path victim = blks.get(rnd.nextInt(blks.size()));
        long len = Files.size(victim);
        boolean truncate = rnd.nextInt(3) == 0 && len > 0;
        try (RandomAccessFile f = new RandomAccessFile(victim.toFile(), "rw")) {
            if (truncate) {
                f.setLength(rnd.nextLong(len));
            } else if (len > 0) {
                for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                    long at = rnd.nextLong(len);
                    f.seek(at);
                    int b = f.read();
                    f.seek(at);
                    f.write(b ^ (1 << rnd.nextInt(8)));
                }
            }
        }
        FileStreamStore r = open(dir);
        try {
            assertThat(r.state().lastSeq()).isEqualTo(last);
            assertThat(r.hasDamage()).as("hasDamage() after reopen").isEqualTo(!r.damage().isEmpty());
            checkServed(r, expected, last);
            // Reads may find more damage (a record failing its checksum now): the O(1) answer follows.
            assertThat(r.hasDamage()).as("hasDamage() after reads").isEqualTo(!r.damage().isEmpty());
            if (truncate && len > 0 && !expected.isEmpty()) {
                // Whatever the truncation cut that held messages must be reported.
                long served = expected.keySet().stream().filter(q -> {
                    try {
                        return r.load(q) != null;
                    } catch (StoreCorruptionException e) {
                        return false;
                    }
                }).count();
                if (served < expected.size()) {
                    assertThat(r.damage()).isNotEmpty();
                }
            }
            if (!r.damage().isEmpty()) {
                assertThatThrownBy(() -> r.encodedState(0, false)).isInstanceOf(StoreCorruptionException.class);
            }
            // Usable despite damage: new writes land after everything known.
            long next = r.state().lastSeq() + 1;
            r.storeAt(next, clock.addAndGet(10), "after", null, new byte[] {1});
            expected.put(next, r.load(next));
            repairAll(r, expected);
            assertThat(r.damage()).isEmpty();
            assertThat(r.hasDamage()).as("hasDamage() after repairs").isFalse();
            checkServed(r, expected, next);
            assertThat(r.state().msgs()).isEqualTo(expected.size());
            List<Long> encDeleted = new ArrayList<>();
            for (DeleteBlock b : StreamStateCodec.decode(r.encodedState(0, false)).deleted()) {
                b.forEach(q -> encDeleted.add(q));
            }
            assertThat(encDeleted).containsExactly(boxed(r.deletedSequences()));
        } finally {
            r.close();
        }
        // Repairs are durable.
        FileStreamStore again = open(dir);
        try {
            assertThat(again.damage()).isEmpty();
            assertThat(again.hasDamage()).isFalse();
            checkServed(again, expected, again.state().lastSeq());
        } finally {
            again.close();
        }
    }

    private static Long[] boxed(long[] a) {
        Long[] out = new Long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }

    @Test
    @DisplayName("a torn tail after a crash is truncated; everything synced before it survives")
    void tornTailAfterCrash() throws IOException {
        Path dir = tmp.resolve("torn");
        FileStreamStore s = open(dir);
        TreeMap<Long, StoredMessage> expected = populate(s, new SplittableRandom(7), 60);
        s.sync();
        // Crash image: copy the synced files while the store is still open (manifest says "active").
        Path crash = tmp.resolve("torn-crash");
        Files.createDirectories(crash);
        for (Path p : files(dir, "")) {
            Files.copy(p, crash.resolve(p.getFileName()));
        }
        s.close();
        List<Path> blks = files(crash, ".blk");
        Path lastBlk = blks.get(blks.size() - 1);
        // A half-written record after the synced ones.
        Files.write(lastBlk, new byte[] {(byte) 0xA7, 1, 100, 0, 0, 0, 9, 9},
                java.nio.file.StandardOpenOption.APPEND);
        FileStreamStore r = open(crash);
        try {
            assertThat(r.damage()).isEmpty();
            checkServed(r, expected, r.state().lastSeq());
            assertThat(r.state().msgs()).isEqualTo(expected.size());
        } finally {
            r.close();
        }
    }

    @Test
    @DisplayName("hasDamage() (a counter, not a scan) follows damage() when damaged blocks are truncated or purged away")
    void hasDamageFollowsDroppedBlocks() throws IOException {
        Path dir = tmp.resolve("tally");
        FileStreamStore s = open(dir);
        populate(s, new SplittableRandom(13), 200);
        s.close();
        List<Path> blks = files(dir, ".blk");
        assertThat(blks.size()).isGreaterThan(3);
        long secondLast = Long.parseLong(blks.get(blks.size() - 2).getFileName().toString().replace(".blk", ""));
        Files.delete(blks.get(blks.size() - 2));
        Files.delete(blks.get(1));
        FileStreamStore r = open(dir);
        try {
            String first = blks.get(1).getFileName().toString();
            assertThat(r.damage()).extracting(Damage::file)
                    .containsOnly(first, blks.get(blks.size() - 2).getFileName().toString());
            assertThat(r.hasDamage()).isTrue();
            // Cutting away the later damaged block leaves the earlier one.
            long cut = Long.parseLong(blks.get(2).getFileName().toString().replace(".blk", ""));
            assertThat(cut).isLessThan(secondLast);
            r.truncate(cut);
            assertThat(r.damage()).isNotEmpty().extracting(Damage::file).containsOnly(first);
            assertThat(r.hasDamage()).isTrue();
            r.purge();
            assertThat(r.damage()).isEmpty();
            assertThat(r.hasDamage()).isFalse();
            r.store("x", null, new byte[] {1});
            assertThat(r.hasDamage()).isFalse();
        } finally {
            r.close();
        }
    }

    @Test
    @DisplayName("a missing block file is reported as damage over its whole range, never as deletes")
    void missingBlockFile() throws IOException {
        Path dir = tmp.resolve("missing");
        FileStreamStore s = open(dir);
        TreeMap<Long, StoredMessage> expected = populate(s, new SplittableRandom(11), 200);
        long last = s.state().lastSeq();
        s.close();
        List<Path> blks = files(dir, ".blk");
        assertThat(blks.size()).isGreaterThan(3);
        Files.delete(blks.get(1));
        FileStreamStore r = open(dir);
        try {
            assertThat(r.damage()).hasSize(1);
            Damage d = r.damage().get(0);
            long base = Long.parseLong(blks.get(1).getFileName().toString().replace(".blk", ""));
            assertThat(d.firstSeq()).isEqualTo(base);
            checkServed(r, expected, last);
            repairAll(r, expected);
            checkServed(r, expected, last);
        } finally {
            r.close();
        }
    }

    @Test
    @DisplayName("a damaged delete log makes its block's range damaged instead of resurrecting deletes")
    void damagedDeleteLog() throws IOException {
        Path dir = tmp.resolve("del");
        FileStreamStore s = open(dir);
        TreeMap<Long, StoredMessage> expected = populate(s, new SplittableRandom(3), 200);
        // Interior removes in an early block write its delete log.
        long victim = expected.navigableKeySet().higher(expected.firstKey() + 3);
        s.remove(victim);
        expected.remove(victim);
        long last = s.state().lastSeq();
        s.close();
        List<Path> dels = files(dir, ".del");
        assertThat(dels).isNotEmpty();
        Path del = dels.get(0);
        byte[] content = Files.readAllBytes(del);
        content[3] ^= 0x10;
        Files.write(del, content);
        FileStreamStore r = open(dir);
        try {
            assertThat(r.damage()).isNotEmpty();
            checkServed(r, expected, last);
            repairAll(r, expected);
            assertThat(r.damage()).isEmpty();
            assertThat(r.hasDamage()).as("hasDamage() after repairs").isFalse();
            checkServed(r, expected, last);
        } finally {
            r.close();
        }
    }

    @Test
    @DisplayName("a bit flip after open is caught on read and reported with the sequence")
    void flipAfterOpen() throws IOException {
        Path dir = tmp.resolve("live");
        FileStreamStore s = open(dir);
        try {
            for (int i = 1; i <= 50; i++) {
                s.storeAt(i, i, "x", null, new byte[100]);
            }
            Path first = files(dir, ".blk").get(0);
            try (RandomAccessFile f = new RandomAccessFile(first.toFile(), "rw")) {
                f.seek(40);
                f.write(0x55);
            }
            assertThatThrownBy(() -> s.load(1)).isInstanceOfSatisfying(StoreCorruptionException.class,
                    e -> assertThat(e.damage().get(0).firstSeq()).isEqualTo(1));
            assertThat(s.damage()).extracting(Damage::firstSeq).contains(1L);
            assertThat(s.load(2).seq()).isEqualTo(2);
        } finally {
            s.close();
        }
    }

    @Test
    @DisplayName("hasDamage turns true for damage a read finds after a check that found none, and false after repair")
    void hasDamageSeesDamageFoundAfterAnEarlierCleanCheck() throws IOException {
        Path dir = tmp.resolve("cleancheck");
        FileStreamStore s = open(dir);
        try {
            TreeMap<Long, StoredMessage> expected = new TreeMap<>();
            for (int i = 1; i <= 50; i++) {
                s.storeAt(i, i, "x", null, new byte[100]);
                expected.put((long) i, s.load(i));
            }
            // A clean check first: later checks may skip the block walk until damage is recorded.
            assertThat(s.hasDamage()).isFalse();
            assertThat(s.hasDamage()).isFalse();
            Path first = files(dir, ".blk").get(0);
            try (RandomAccessFile f = new RandomAccessFile(first.toFile(), "rw")) {
                f.seek(40);
                f.write(0x55);
            }
            assertThatThrownBy(() -> s.load(1)).isInstanceOf(StoreCorruptionException.class);
            assertThat(s.hasDamage()).isTrue();
            repairAll(s, expected);
            assertThat(s.hasDamage()).isFalse();
            assertThat(s.damage()).isEmpty();
        } finally {
            s.close();
        }
    }

    @Test
    @DisplayName("sources state survives a restart; a damaged sources file is ignored, not fatal")
    void sourcesPersist() throws IOException {
        Path dir = tmp.resolve("sources");
        FileStreamStore s = open(dir);
        java.util.LinkedHashMap<String, SourceState> src = new java.util.LinkedHashMap<>();
        src.put("ORIGIN > >", new SourceState(42, "id-1"));
        src.put("B > >", new SourceState(0, ""));
        s.applySources(src);
        s.close();
        FileStreamStore r = open(dir);
        assertThat(r.sources()).containsExactlyEntriesOf(src);
        r.close();
        byte[] d = Files.readAllBytes(dir.resolve("sources"));
        d[9] ^= 1;
        Files.write(dir.resolve("sources"), d);
        FileStreamStore again = open(dir);
        assertThat(again.sources()).isEmpty();
        again.close();
    }

    @Test
    @DisplayName("only reported ranges can be repaired")
    void repairRejectsUnknownRange() {
        FileStreamStore s = open(tmp.resolve("norepair"));
        try {
            s.storeAt(1, 1, "x", null, null);
            assertThatThrownBy(() -> s.repair(1, 1, List.of())).isInstanceOf(StoreException.class);
        } finally {
            s.close();
        }
    }
}
