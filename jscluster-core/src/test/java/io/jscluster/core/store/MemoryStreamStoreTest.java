package io.jscluster.core.store;

import static org.assertj.core.api.Assertions.assertThat;

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
