package io.jscluster.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.jscluster.codec.state.DeleteBlock;
import io.jscluster.codec.state.DeleteRange;
import io.jscluster.codec.state.SequenceSet;
import io.jscluster.codec.state.StreamReplicatedState;
import io.jscluster.codec.state.StreamStateCodec;
import io.jscluster.testing.SeedRange;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model-based test: seeded random operation sequences run against a store and {@link ReferenceStream}; after
 * every step the state, per-subject counts, deletes, loads and the decoded encoded state must agree. A failure
 * prints the seed and step; replay with {@code -Djscluster.sim.seedStart=<seed> -Djscluster.sim.seeds=1}.
 */
class StreamStorePropertyTest {
    private static final int STEPS = Integer.getInteger("jscluster.store.steps", 300);
    private static final String[] SUBJECTS = {"a", "b", "c.x", "c.y", "d.e.f"};
    private static final String[] FILTERS = {">", "a", "c.*", "c.>", "*", "d.*.f", "zz"};

    @TempDir
    Path tmp;

    @Test
    @DisplayName("memory store agrees with the reference model on random operation sequences")
    void memoryStore() {
        run(false);
    }

    @Test
    @DisplayName("file store (small blocks, rolls, reopens) agrees with the reference model")
    void fileStore() {
        run(true);
    }

    @Test
    @DisplayName("file store with write-behind (tiny buffers: a hand-off every few records) agrees with the model")
    void fileStoreWriteBehind() {
        run(true, true);
    }

    private void run(boolean file) {
        run(file, false);
    }

    private void run(boolean file, boolean writeBehind) {
        SeedRange seeds = SeedRange.fromSystemProperties(12);
        String kind = writeBehind ? "file+write-behind" : file ? "file" : "memory";
        for (int i = 0; i < seeds.count(); i++) {
            long seed = seeds.seed(i);
            System.out.println("StreamStorePropertyTest " + kind + " seed=" + seed + " steps=" + STEPS);
            new Runner(seed, file, writeBehind, tmp.resolve((writeBehind ? "w" : file ? "f" : "m") + seed)).run();
        }
    }

    private static final class Runner {
        final long seed;
        final boolean file;
        final boolean writeBehind;
        final Path dir;
        final SplittableRandom rnd;
        final AtomicLong clock = new AtomicLong(1_000_000_000L);
        final StreamLimits limits;
        ReferenceStream model;
        StreamStore store;
        int step;
        String lastOp = "";

        Runner(long seed, boolean file, boolean writeBehind, Path dir) {
            this.seed = seed;
            this.file = file;
            this.writeBehind = writeBehind;
            this.dir = dir;
            this.rnd = new SplittableRandom(seed);
            int kind = rnd.nextInt(6);
            limits = switch (kind) {
                case 0 -> new StreamLimits(5 + rnd.nextInt(40), 0, 0, 0, DiscardPolicy.OLD, false);
                case 1 -> new StreamLimits(0, 500 + rnd.nextInt(2000), 0, 0, DiscardPolicy.OLD, false);
                case 2 -> new StreamLimits(0, 0, 0, 1 + rnd.nextInt(4), DiscardPolicy.OLD, false);
                case 3 -> new StreamLimits(10 + rnd.nextInt(30), 0, 0, 2, DiscardPolicy.NEW, rnd.nextBoolean());
                case 4 -> new StreamLimits(0, 0, 50_000, 0, DiscardPolicy.OLD, false);
                default -> StreamLimits.NONE;
            };
            ReferenceStream.Sizer sizer = file
                    ? m -> MessageSize.fileStore(m.subjectLength(), m.header().length, m.data().length)
                    : m -> MessageSize.memoryStore(m.subjectLength(), m.header().length, m.data().length);
            model = new ReferenceStream(sizer, limits);
            store = openStore();
        }

        StreamStore openStore() {
            if (!file) {
                return new MemoryStreamStore(limits, clock::get);
            }
            FileStoreConfig cfg = FileStoreConfig.of(dir).withBlockSize(1024 + rnd.nextInt(2048))
                    .withLimits(limits).withClock(clock::get).withIndexCacheBlocks(2)
                    .withSync(SyncPolicy.INTERVAL, 3_600_000_000_000L);
            if (!writeBehind) {
                return FileStreamStore.open(cfg);
            }
            // Buffers from below one record to a few: hand-offs, back-pressure and records larger than a buffer.
            return FileStreamStore.open(cfg.withSync(rnd.nextBoolean() ? SyncPolicy.INTERVAL : SyncPolicy.ALWAYS,
                    3_600_000_000_000L).withWriteBehind(2 + rnd.nextInt(3)), 64 + rnd.nextInt(400),
                    WriteBehind.FILE_WRITER);
        }

        void run() {
            try {
                for (step = 0; step < STEPS; step++) {
                    op();
                    compare();
                }
            } catch (AssertionError | RuntimeException e) {
                String msg = "seed=" + seed + " step=" + step + " op=" + lastOp + " (replay: -Djscluster.sim"
                        + ".seedStart=" + seed + " -Djscluster.sim.seeds=1)";
                System.out.println("FAILED " + msg + " store=" + store);
                throw new AssertionError(msg, e);
            } finally {
                store.close();
            }
        }

        byte[] bytes(int max) {
            byte[] b = new byte[rnd.nextInt(max + 1)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) rnd.nextInt(256);
            }
            return b;
        }

        long around() {
            long lo = Math.max(0, model.first - 2);
            long hi = model.last + 2;
            return lo + rnd.nextLong(hi - lo + 1);
        }

        void op() {
            int r = rnd.nextInt(100);
            long now = clock.addAndGet(1_000);
            if (r < 35) {
                String subj = SUBJECTS[rnd.nextInt(SUBJECTS.length)];
                byte[] hdr = rnd.nextInt(4) == 0 ? bytes(20) : null;
                byte[] data = bytes(60);
                lastOp = "store " + subj;
                RuntimeException expected = null;
                long seq = 0;
                try {
                    seq = model.store(subj, hdr, data, now);
                } catch (LimitExceededException e) {
                    expected = e;
                }
                try {
                    long got = store.store(subj, hdr, data);
                    if (expected != null) {
                        fail("store should have refused with " + expected.getMessage());
                    }
                    assertThat(got).isEqualTo(seq);
                } catch (LimitExceededException e) {
                    if (expected == null) {
                        throw e;
                    }
                    assertThat(e.limit()).isEqualTo(((LimitExceededException) expected).limit());
                }
            } else if (r < 50) {
                String subj = SUBJECTS[rnd.nextInt(SUBJECTS.length)];
                long ts = now - rnd.nextInt(100_000);
                byte[] data = bytes(40);
                long seq = rnd.nextInt(20) == 0 ? model.last + 2 : model.last + 1;
                lastOp = "storeAt " + seq;
                boolean bad = seq != model.last + 1;
                if (!bad) {
                    model.storeAt(seq, ts, subj, null, data);
                }
                try {
                    store.storeAt(seq, ts, subj, null, data);
                    assertThat(bad).as("mismatch expected").isFalse();
                } catch (SequenceMismatchException e) {
                    assertThat(bad).isTrue();
                }
            } else if (r < 57) {
                long num = rnd.nextInt(5) == 0 ? 1 + rnd.nextInt(300) : 1 + rnd.nextInt(3);
                long seq = model.last + 1;
                lastOp = "skip " + seq + "+" + num;
                model.skip(seq, num, now);
                store.skip(seq, num);
            } else if (r < 72) {
                long seq = around();
                boolean erase = rnd.nextInt(4) == 0;
                lastOp = (erase ? "erase " : "remove ") + seq;
                boolean want = model.remove(seq);
                assertThat(erase ? store.erase(seq) : store.remove(seq)).isEqualTo(want);
            } else if (r < 76) {
                String subj = rnd.nextBoolean() ? SUBJECTS[rnd.nextInt(SUBJECTS.length)]
                        : FILTERS[rnd.nextInt(FILTERS.length)];
                long upTo = rnd.nextInt(3) == 0 ? around() : 0;
                long keep = rnd.nextInt(3) == 0 ? rnd.nextInt(4) : 0;
                lastOp = "purge " + subj + " upTo=" + upTo + " keep=" + keep;
                assertThat(store.purge(subj, upTo, keep)).isEqualTo(model.purge(subj, upTo, keep));
            } else if (r < 78) {
                lastOp = "purge";
                assertThat(store.purge()).isEqualTo(model.purge());
            } else if (r < 81) {
                long seq = rnd.nextInt(8) == 0 ? model.last + 1 + rnd.nextInt(100) : around();
                lastOp = "compact " + seq;
                assertThat(store.compact(seq)).isEqualTo(model.compact(seq));
            } else if (r < 84) {
                long seq = rnd.nextInt(30) == 0 ? 0 : Math.max(0, model.last - rnd.nextInt(15));
                lastOp = "truncate " + seq;
                model.truncate(seq);
                store.truncate(seq);
            } else if (r < 86) {
                lastOp = "expire";
                assertThat(store.expire(now)).isEqualTo(model.expire(now));
            } else if (r < 89) {
                List<DeleteBlock> blocks = new ArrayList<>();
                List<long[]> ranges = new ArrayList<>();
                long at = Math.max(1, model.first);
                for (int k = rnd.nextInt(3); k >= 0; k--) {
                    at += rnd.nextInt(10);
                    if (rnd.nextBoolean()) {
                        long num = 1 + rnd.nextInt(6);
                        blocks.add(new DeleteRange(at, num));
                        ranges.add(new long[] {at, at + num - 1});
                        at += num;
                    } else {
                        SequenceSet set = new SequenceSet();
                        for (int j = rnd.nextInt(4); j >= 0; j--) {
                            at += 1 + rnd.nextInt(4);
                            set.insert(at);
                            ranges.add(new long[] {at, at});
                        }
                        blocks.add(set);
                        at++;
                    }
                }
                lastOp = "syncDeleted " + ranges.size() + " ranges";
                model.syncDeleted(ranges);
                store.syncDeleted(blocks);
            } else if (r < 94 && file) {
                lastOp = "reopen";
                store.close();
                store = openStore();
                // The last time is not persisted separately; after a restart it is the newest record's.
                model.lastTs = store.state().lastTimeNanos();
            } else if (r < 97 && file) {
                lastOp = "rollBlock";
                ((FileStreamStore) store).rollBlock();
            } else {
                long seq = around();
                lastOp = "load " + seq;
            }
        }

        /** Reused across every comparison, as a catch-up reader would. */
        private final MessageView view = new MessageView();

        void compare() {
            StreamState want = model.state();
            assertThat(store.state()).as("state").isEqualTo(want);
            assertThat(store.lastSeq()).as("lastSeq()").isEqualTo(want.lastSeq());
            List<Long> deleted = model.deleted();
            long[] got = store.deletedSequences();
            assertThat(got).as("deleted").containsExactly(deleted.stream().mapToLong(Long::longValue).toArray());
            assertThat(store.subjectTotals(">")).as("subjects").isEqualTo(model.subjectTotals(">"));
            String f = FILTERS[rnd.nextInt(FILTERS.length)];
            assertThat(store.subjectTotals(f)).as("subjects " + f).isEqualTo(model.subjectTotals(f));
            for (int k = 0; k < 6; k++) {
                long seq = around();
                assertThat(store.load(seq)).as("load " + seq).isEqualTo(model.load(seq));
                boolean found = store.loadInto(seq, view);
                assertThat(found ? view.toStoredMessage() : null).as("loadInto " + seq).isEqualTo(model.load(seq));
            }
            if (!model.msgs.isEmpty()) {
                assertThat(store.load(model.first)).isEqualTo(model.load(model.first));
                assertThat(store.load(model.last)).isEqualTo(model.load(model.last));
            }
            long start = around();
            assertThat(store.loadNext(f, start)).as("loadNext " + f + " " + start).isEqualTo(model.loadNext(f,
                    start));
            boolean next = store.loadNextInto(f, start, view);
            assertThat(next ? view.toStoredMessage() : null).as("loadNextInto " + f + " " + start)
                    .isEqualTo(model.loadNext(f, start));
            next = store.loadNextInto(">", start, view);
            assertThat(next ? view.toStoredMessage() : null).as("loadNextInto > " + start)
                    .isEqualTo(model.loadNext(">", start));
            assertThat(store.loadLast(f)).as("loadLast " + f).isEqualTo(model.loadLast(f));
            String subj = SUBJECTS[rnd.nextInt(SUBJECTS.length)];
            assertThat(store.subjectState(subj)).as("subjectState " + subj).isEqualTo(model.subjectState(subj));
            byte[] enc = store.encodedState(step, false);
            StreamReplicatedState st = StreamStateCodec.decode(enc);
            assertThat(st.msgs()).isEqualTo(want.msgs());
            assertThat(st.bytes()).isEqualTo(want.bytes());
            assertThat(st.firstSeq()).isEqualTo(want.firstSeq());
            assertThat(st.lastSeq()).isEqualTo(want.lastSeq());
            assertThat(st.failed()).isEqualTo(step);
            List<Long> encDeleted = new ArrayList<>();
            for (DeleteBlock b : st.deleted()) {
                b.forEach(s -> encDeleted.add(s));
            }
            assertThat(encDeleted).as("encoded deletes").isEqualTo(deleted);
        }
    }
}
