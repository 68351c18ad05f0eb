package io.jscluster.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The conformance suite against {@link MemoryStreamStore}, plus checks of its paged slab layout. */
class MemoryStreamStoreTest extends StreamStoreConformanceTest {
    @Override
    protected StreamStore create(StreamLimits limits) {
        return new MemoryStreamStore(limits, clock::get);
    }

    @Override
    protected long size(String subject, byte[] hdr, byte[] data) {
        return MessageSize.memoryStore(subject.length(), hdr.length, data.length);
    }

    @Test
    @DisplayName("a skip of 100,000,000 sequences is O(nodes): exact state, and the first sequence moves past it at once")
    void hugeSkipIsCheap() {
        StreamStore s = open();
        s.store("a", null, b("x"));
        s.skip(2, 100_000_000L);
        s.store("a", null, b("y"));
        StreamState st = s.state();
        assertThat(st.lastSeq()).isEqualTo(100_000_002L);
        assertThat(st.numDeleted()).isEqualTo(100_000_000L);
        assertThat(s.load(100_000_001L)).isNull();
        long encodedDeletes = 0;
        for (io.jscluster.codec.state.DeleteBlock blk
                : io.jscluster.codec.state.StreamStateCodec.decode(s.encodedState(0, false)).deleted()) {
            encodedDeletes += blk.num();
        }
        assertThat(encodedDeletes).isEqualTo(100_000_000L);
        assertThat(s.remove(1)).isTrue();
        assertThat(s.state().firstSeq()).isEqualTo(100_000_002L);
        assertThat(s.state().numDeleted()).isZero();
        assertThat(s.deletedSequences()).isEmpty();
    }

    @Test
    @DisplayName("skips inserted as ranges encode byte-identically to nats-server's one-by-one dmap inserts")
    void skipRangesEncodeLikeOneByOneInserts() {
        long seed = 0x51C1L;
        System.out.println("MemoryStreamStoreTest.skipRangesEncodeLikeOneByOneInserts seed=" + seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        StreamStore s = open();
        // The memory store's delete map, replayed as nats-server builds it: every removed or skipped sequence
        // inserted on its own, removals of the first message dropping the deletes below the new first.
        io.jscluster.codec.state.SequenceSet ref = new io.jscluster.codec.state.SequenceSet();
        for (int i = 0; i < 400; i++) {
            int r = rnd.nextInt(10);
            long next = s.state().lastSeq() + 1;
            if (r < 2 && s.state().msgs() > 0) {
                long num = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(20_000) : 1 + rnd.nextInt(50);
                s.skip(next, num);
                for (long q = next; q < next + num; q++) {
                    ref.insert(q);
                }
            } else if (r < 3 && s.state().msgs() > 2) {
                long victim = s.state().firstSeq() + 1 + rnd.nextLong(s.state().lastSeq() - s.state().firstSeq());
                if (s.remove(victim)) {
                    ref.insert(victim);
                }
            } else {
                s.store("s" + rnd.nextInt(3), null, b("m" + i));
            }
            byte[] want = io.jscluster.codec.state.StreamStateCodec.encode(
                    new io.jscluster.codec.state.StreamReplicatedState(s.state().msgs(), s.state().bytes(),
                            s.state().firstSeq(), s.state().lastSeq(), 0,
                            ref.isEmpty() ? List.of() : List.of(ref), new java.util.LinkedHashMap<>()),
                    s.state().numDeleted(), false);
            assertThat(s.encodedState(0, false)).as("step %d", i).isEqualTo(want);
        }
    }

    @Test
    @DisplayName("slab chunks stay below G1's humongous threshold: a page of 1 KiB messages is many small arrays")
    void slabChunksAreNotHumongous() {
        // Half of G1's smallest region (1 MiB) is the humongous threshold; an array's header is 16 bytes.
        assertThat(MemoryStreamStore.CHUNK + 16L).isLessThan(512 * 1024);
        MemoryStreamStore s = (MemoryStreamStore) open();
        byte[] data = new byte[1024];
        new SplittableRandom(3).nextBytes(data);
        for (int i = 0; i < 10_000; i++) {
            data[0] = (byte) i;
            data[1023] = (byte) (i >> 8);
            s.store("a", null, data);
        }
        assertThat(s.largestSlabArray()).isEqualTo(MemoryStreamStore.CHUNK);
        for (long seq = 1; seq <= 10_000; seq++) {
            byte[] got = s.load(seq).data();
            assertThat(got).hasSize(1024);
            assertThat(got[0]).isEqualTo((byte) (seq - 1));
            assertThat(got[1023]).isEqualTo((byte) ((seq - 1) >> 8));
        }
    }

    @Test
    @DisplayName("slab chunks: messages up to the inline limit across chunk ends survive removals and compaction")
    void largeInlineMessagesAcrossChunks() {
        long seed = 0xC4A2L;
        System.out.println("MemoryStreamStoreTest.largeInlineMessagesAcrossChunks seed=" + seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        MemoryStreamStore s = (MemoryStreamStore) open();
        TreeMap<Long, StoredMessage> model = new TreeMap<>();
        MessageView view = new MessageView();
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 120; i++) {
                int len = rnd.nextInt(4) == 0 ? rnd.nextInt(100) : rnd.nextInt(MemoryStreamStore.INLINE_MAX + 1);
                byte[] data = new byte[len];
                rnd.nextBytes(data);
                byte[] hdr = rnd.nextInt(6) == 0 ? b("NATS/1.0\r\n\r\n") : null;
                if (hdr != null && len + hdr.length > MemoryStreamStore.INLINE_MAX) {
                    hdr = null;
                }
                long seq = s.store("s", hdr, data);
                model.put(seq, new StoredMessage(seq, clock.get(), "s", hdr, data));
            }
            // Interior removals (never the first message, which drains a page from its front) leave holes that
            // trigger compaction when the slab is under half live or must grow.
            for (Long seq : new java.util.ArrayList<>(model.keySet())) {
                if (!seq.equals(model.firstKey()) && rnd.nextInt(10) < 6) {
                    assertThat(rnd.nextInt(5) == 0 ? s.erase(seq) : s.remove(seq)).isTrue();
                    model.remove(seq);
                }
            }
            for (StoredMessage m : model.values()) {
                assertThat(s.load(m.seq())).as("load %d round %d", m.seq(), round).isEqualTo(m);
                assertThat(s.loadInto(m.seq(), view)).isTrue();
                assertThat(view.toStoredMessage()).isEqualTo(m);
            }
            assertThat(s.largestSlabArray()).isLessThanOrEqualTo(MemoryStreamStore.CHUNK);
        }
    }

    @Test
    @DisplayName("slab layout: compaction after interior removals, out-of-line large messages, recycled pages")
    void slabLayoutUnderChurn() {
        long seed = 0x5eedL;
        System.out.println("MemoryStreamStoreTest.slabLayoutUnderChurn seed=" + seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        StreamStore s = open();
        TreeMap<Long, StoredMessage> model = new TreeMap<>();
        String[] subjects = {"a", "b.c", "d"};
        for (int round = 0; round < 6; round++) {
            // Enough bytes per page that slabs pass the compaction threshold; a few messages above the inline
            // limit so they live out of line.
            for (int i = 0; i < 9_000; i++) {
                int len = rnd.nextInt(50) == 0 ? MemoryStreamStore.INLINE_MAX + 1 + rnd.nextInt(100)
                        : rnd.nextInt(200);
                byte[] data = new byte[len];
                rnd.nextBytes(data);
                byte[] hdr = rnd.nextInt(5) == 0 ? b("NATS/1.0\\r\\n\\r\\n") : null;
                String subject = subjects[rnd.nextInt(subjects.length)];
                long seq = s.store(subject, hdr, data);
                model.put(seq, new StoredMessage(seq, clock.get(), subject, hdr, data));
            }
            // Remove most messages at random (holes in slabs), and every message of one page (recycling).
            long first = model.firstKey();
            long last = model.lastKey();
            for (long seq = first; seq <= last; seq++) {
                boolean wholePage = (seq >>> 12) == ((first + 5_000) >>> 12);
                if (model.containsKey(seq) && (wholePage || rnd.nextInt(10) < 7)) {
                    boolean erase = rnd.nextInt(8) == 0;
                    assertThat(erase ? s.erase(seq) : s.remove(seq)).isTrue();
                    model.remove(seq);
                }
            }
            for (StoredMessage m : model.values()) {
                assertThat(s.load(m.seq())).as("load %d round %d", m.seq(), round).isEqualTo(m);
            }
            assertThat(s.state().msgs()).isEqualTo(model.size());
            for (String subject : subjects) {
                long n = model.values().stream().filter(m -> m.subject().equals(subject)).count();
                StoredMessage lastOf = model.descendingMap().values().stream()
                        .filter(m -> m.subject().equals(subject)).findFirst().orElse(null);
                assertThat(s.subjectState(subject).msgs()).isEqualTo(n);
                assertThat(s.loadLast(subject)).isEqualTo(lastOf);
            }
        }
    }
}
