package io.jscluster.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jscluster.codec.state.DeleteBlock;
import io.jscluster.codec.state.DeleteRange;
import io.jscluster.codec.state.SequenceSet;
import io.jscluster.codec.state.StreamReplicatedState;
import io.jscluster.codec.state.StreamStateCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The behaviour every {@link StreamStore} must show; run against each implementation by a subclass. */
abstract class StreamStoreConformanceTest {
    protected final AtomicLong clock = new AtomicLong(1_700_000_000_000_000_000L);
    private final List<StreamStore> opened = new ArrayList<>();

    /** A fresh, empty store. */
    protected abstract StreamStore create(StreamLimits limits);

    /** Record size under the implementation's formula. */
    protected abstract long size(String subject, byte[] hdr, byte[] data);

    protected StreamStore open(StreamLimits limits) {
        StreamStore s = create(limits);
        opened.add(s);
        return s;
    }

    protected StreamStore open() {
        return open(StreamLimits.NONE);
    }

    @AfterEach
    void closeAll() {
        for (StreamStore s : opened) {
            s.close();
        }
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected long tick() {
        return clock.addAndGet(1_000);
    }

    @Test
    @DisplayName("fresh store is empty with first = last = 0")
    void freshStore() {
        StreamStore s = open();
        assertThat(s.state()).isEqualTo(new StreamState(0, 0, 0, 0, 0, 0, 0, 0));
        assertThat(s.load(1)).isNull();
        assertThat(s.loadNext(">", 0)).isNull();
        assertThat(s.deletedSequences()).isEmpty();
    }

    @Test
    @DisplayName("loadInto fills a reused view with what load returns, without handing out writable store memory")
    void loadIntoView() {
        StreamStore s = open();
        byte[] hdr = b("NATS/1.0\r\nA: b\r\n\r\n");
        long t1 = tick();
        s.store("foo", null, b("hello"));
        long t2 = tick();
        s.store("bar.baz", hdr, b("world!"));
        s.store("foo", null, new byte[0]);
        s.remove(3);
        s.skip(4);
        s.store("foo", null, new byte[70_000]);
        MessageView v = new MessageView();
        assertThat(v.subject()).isNull();

        assertThat(s.loadInto(1, v)).isTrue();
        assertThat(v.seq()).isEqualTo(1);
        assertThat(v.tsNanos()).isEqualTo(t1);
        assertThat(v.subject()).isEqualTo("foo");
        assertThat(v.headerLength()).isZero();
        assertThat(v.dataEquals(b("hello"))).isTrue();
        assertThat(v.toStoredMessage()).isEqualTo(s.load(1));

        assertThat(s.loadInto(2, v)).isTrue();
        assertThat(v.tsNanos()).isEqualTo(t2);
        assertThat(v.subject()).isEqualTo("bar.baz");
        byte[] h = new byte[v.headerLength()];
        v.copyHeader(h, 0);
        assertThat(h).isEqualTo(hdr);
        byte[] d = new byte[v.dataLength() + 2];
        v.copyData(d, 2);
        assertThat(new String(d, 2, 6, StandardCharsets.UTF_8)).isEqualTo("world!");
        java.nio.ByteBuffer data = v.data();
        assertThat(data.isReadOnly()).isTrue();
        assertThat(data.remaining()).isEqualTo(6);
        assertThat(data.get(0)).isEqualTo((byte) 'w');
        assertThat(v.header().isReadOnly()).isTrue();
        assertThat(v.header().remaining()).isEqualTo(hdr.length);
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(64);
        v.putHeader(out);
        v.putData(out);
        assertThat(out.position()).isEqualTo(hdr.length + 6);
        assertThat(v.toStoredMessage()).isEqualTo(s.load(2));

        // A removed message, a skipped sequence, beyond last and sequence 0 empty the view.
        for (long seq : new long[] {3, 4, 6, 0}) {
            assertThat(s.loadInto(seq, v)).as("seq " + seq).isFalse();
            assertThat(v.subject()).isNull();
            assertThat(v.seq()).isZero();
        }
        assertThat(s.loadInto(5, v)).isTrue();
        assertThat(v.dataLength()).isEqualTo(70_000);
        assertThat(v.toStoredMessage()).isEqualTo(s.load(5));

        assertThat(s.loadNextInto(">", 3, v)).isTrue();
        assertThat(v.seq()).isEqualTo(5);
        assertThat(s.loadNextInto("bar.*", 1, v)).isTrue();
        assertThat(v.seq()).isEqualTo(2);
        assertThat(s.loadNextInto("foo", 2, v)).isTrue();
        assertThat(v.seq()).isEqualTo(5);
        assertThat(s.loadNextInto(">", 6, v)).isFalse();
        assertThat(v.subject()).isNull();
    }

    @Test
    @DisplayName("a view read before a mutation still copies out what it held while it was valid")
    void viewCopyOutlivesMutation() {
        StreamStore s = open();
        s.store("foo", null, b("one"));
        MessageView v = new MessageView();
        assertThat(s.loadInto(1, v)).isTrue();
        StoredMessage copy = v.toStoredMessage();
        s.purge();
        s.store("foo", null, b("two"));
        assertThat(copy.data()).isEqualTo(b("one"));
        assertThat(s.load(1)).isNull();
    }

    @Test
    @DisplayName("leader store assigns sequences and stamps the clock; sizes follow the store's formula")
    void storeAndLoad() {
        StreamStore s = open();
        long t1 = tick();
        assertThat(s.store("foo", null, b("hello"))).isEqualTo(1);
        long t2 = tick();
        assertThat(s.store("bar", b("NATS/1.0\r\n\r\n"), b("x"))).isEqualTo(2);
        StreamState st = s.state();
        assertThat(st.msgs()).isEqualTo(2);
        assertThat(st.firstSeq()).isEqualTo(1);
        assertThat(st.lastSeq()).isEqualTo(2);
        assertThat(st.firstTimeNanos()).isEqualTo(t1);
        assertThat(st.lastTimeNanos()).isEqualTo(t2);
        assertThat(st.bytes()).isEqualTo(size("foo", new byte[0], b("hello"))
                + size("bar", b("NATS/1.0\r\n\r\n"), b("x")));
        StoredMessage m = s.load(2);
        assertThat(m.subject()).isEqualTo("bar");
        assertThat(m.header()).isEqualTo(b("NATS/1.0\r\n\r\n"));
        assertThat(m.data()).isEqualTo(b("x"));
        assertThat(m.seq()).isEqualTo(2);
        assertThat(m.tsNanos()).isEqualTo(t2);
    }

    @Test
    @DisplayName("storeAt requires the next sequence and keeps the given timestamp")
    void storeAtChecksSequence() {
        StreamStore s = open();
        s.storeAt(1, 42, "a", null, b("1"));
        assertThatThrownBy(() -> s.storeAt(3, 43, "a", null, b("3")))
                .isInstanceOfSatisfying(SequenceMismatchException.class, e -> {
                    assertThat(e.expected()).isEqualTo(2);
                    assertThat(e.actual()).isEqualTo(3);
                });
        s.storeAt(2, 44, "a", null, b("2"));
        assertThat(s.load(2).tsNanos()).isEqualTo(44);
        assertThat(s.state().lastSeq()).isEqualTo(2);
    }

    @Test
    @DisplayName("lastSeq() is state().lastSeq() after stores, skips, truncation and purge, and fails once closed")
    void lastSeqAccessor() {
        StreamStore s = create(StreamLimits.NONE);
        assertThat(s.lastSeq()).isZero();
        s.store("a", null, b("x"));
        s.skip(2, 5);
        assertThat(s.lastSeq()).isEqualTo(6).isEqualTo(s.state().lastSeq());
        s.storeAt(7, tick(), "b", null, b("y"));
        s.truncate(3);
        assertThat(s.lastSeq()).isEqualTo(3).isEqualTo(s.state().lastSeq());
        s.purge();
        s.compact(40);
        assertThat(s.lastSeq()).isEqualTo(39).isEqualTo(s.state().lastSeq());
        s.close();
        assertThatThrownBy(s::lastSeq).isInstanceOf(StoreClosedException.class);
    }

    @Test
    @DisplayName("skips on an empty store move the first sequence; with messages they are interior deletes")
    void skips() {
        StreamStore s = open();
        s.skip(1);
        s.skip(2, 3);
        assertThat(s.state().firstSeq()).isEqualTo(5);
        assertThat(s.state().lastSeq()).isEqualTo(4);
        assertThat(s.state().numDeleted()).isZero();
        s.storeAt(5, 1, "a", null, null);
        s.skip(6, 10);
        s.storeAt(16, 2, "a", null, null);
        assertThat(s.state().numDeleted()).isEqualTo(10);
        assertThat(s.deletedSequences()).containsExactly(6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        assertThatThrownBy(() -> s.skip(20)).isInstanceOf(SequenceMismatchException.class);
        s.skip(17, 0);
        assertThat(s.state().lastSeq()).isEqualTo(16);
    }

    @Test
    @DisplayName("removing the first message advances first past interior deletes")
    void removeFirstAdvances() {
        StreamStore s = open();
        for (int i = 1; i <= 5; i++) {
            s.store("s", null, b("m" + i));
        }
        assertThat(s.remove(2)).isTrue();
        assertThat(s.remove(3)).isTrue();
        assertThat(s.remove(3)).isFalse();
        assertThat(s.remove(99)).isFalse();
        assertThat(s.deletedSequences()).containsExactly(2, 3);
        assertThat(s.remove(1)).isTrue();
        assertThat(s.state().firstSeq()).isEqualTo(4);
        assertThat(s.deletedSequences()).isEmpty();
        assertThat(s.erase(4)).isTrue();
        assertThat(s.load(4)).isNull();
        assertThat(s.remove(5)).isTrue();
        StreamState st = s.state();
        assertThat(st.msgs()).isZero();
        assertThat(st.bytes()).isZero();
        assertThat(st.firstSeq()).isEqualTo(6);
        assertThat(st.lastSeq()).isEqualTo(5);
        assertThat(st.firstTimeNanos()).isZero();
    }

    @Test
    @DisplayName("loadNext honours literal and wildcard filters")
    void loadNextFilters() {
        StreamStore s = open();
        s.store("orders.eu.new", null, b("1"));
        s.store("orders.us.new", null, b("2"));
        s.store("orders.eu.paid", null, b("3"));
        s.store("billing", null, b("4"));
        assertThat(s.loadNext("orders.*.paid", 0).seq()).isEqualTo(3);
        assertThat(s.loadNext("orders.>", 2).seq()).isEqualTo(2);
        assertThat(s.loadNext("orders.eu.*", 2).seq()).isEqualTo(3);
        assertThat(s.loadNext("billing", 0).seq()).isEqualTo(4);
        assertThat(s.loadNext("billing", 5)).isNull();
        assertThat(s.loadNext(">", 4).seq()).isEqualTo(4);
        assertThat(s.loadNext("", 0).seq()).isEqualTo(1);
        assertThat(s.loadNext("orders", 0)).isNull();
        assertThat(s.loadNext("*.eu", 0)).isNull();
        s.remove(1);
        assertThat(s.loadNext("orders.eu.*", 0).seq()).isEqualTo(3);
    }

    @Test
    @DisplayName("per-subject first/last sequence and load-last-by-subject follow removals, truncation and limits")
    void subjectStateAndLoadLast() {
        StreamStore s = open(new StreamLimits(0, 0, 0, 3, DiscardPolicy.OLD, false));
        assertThat(s.subjectState("a")).isEqualTo(SubjectState.EMPTY);
        assertThat(s.loadLast("a")).isNull();
        assertThat(s.loadLast(">")).isNull();
        for (int i = 1; i <= 6; i++) {
            s.store(i % 2 == 0 ? "a" : "b.x", null, b("m" + i));
        }
        assertThat(s.subjectState("a")).isEqualTo(new SubjectState(3, 2, 6));
        assertThat(s.subjectState("b.x")).isEqualTo(new SubjectState(3, 1, 5));
        assertThat(s.loadLast("a").seq()).isEqualTo(6);
        assertThat(s.loadLast("b.*").seq()).isEqualTo(5);
        assertThat(s.loadLast(">").seq()).isEqualTo(6);
        assertThat(s.loadLast("c")).isNull();
        // The newest of a subject removed: the next newest is found.
        assertThat(s.remove(6)).isTrue();
        assertThat(s.subjectState("a")).isEqualTo(new SubjectState(2, 2, 4));
        assertThat(s.loadLast("a").data()).isEqualTo(b("m4"));
        assertThat(s.loadLast(">").seq()).isEqualTo(5);
        // Per-subject limit of 3 discards the subject's oldest.
        s.store("a", null, b("m7"));
        s.store("a", null, b("m8"));
        assertThat(s.subjectState("a")).isEqualTo(new SubjectState(3, 4, 8));
        s.truncate(7);
        assertThat(s.subjectState("a")).isEqualTo(new SubjectState(2, 4, 7));
        assertThat(s.loadLast("a").seq()).isEqualTo(7);
        s.purge("a", 0, 0);
        assertThat(s.subjectState("a")).isEqualTo(SubjectState.EMPTY);
        assertThat(s.loadLast("a")).isNull();
        assertThat(s.subjectState("b.x")).isEqualTo(new SubjectState(3, 1, 5));
        s.skip(8, 2);
        s.store("a", null, b("m10"));
        assertThat(s.subjectState("a")).isEqualTo(new SubjectState(1, 10, 10));
        assertThat(s.loadLast(">").seq()).isEqualTo(10);
    }

    @Test
    @DisplayName("purge empties and keeps the sequence; purge by subject, keep N and up-to sequence")
    void purges() {
        StreamStore s = open();
        for (int i = 1; i <= 10; i++) {
            s.store(i % 2 == 0 ? "even" : "odd", null, b("m" + i));
        }
        assertThat(s.purge("even", 0, 2)).isEqualTo(3);
        assertThat(s.subjectTotals(">")).containsExactlyInAnyOrderEntriesOf(Map.of("even", 2L, "odd", 5L));
        assertThat(s.load(2)).isNull();
        assertThat(s.load(8).subject()).isEqualTo("even");
        assertThat(s.purge("odd", 6, 0)).isEqualTo(3);
        assertThat(s.purge("odd", 1, 0)).isZero();
        assertThat(s.state().firstSeq()).isEqualTo(7);
        assertThat(s.purge(">", 9, 0)).isEqualTo(2);
        assertThat(s.state().firstSeq()).isEqualTo(9);
        assertThat(s.purge()).isEqualTo(2);
        StreamState st = s.state();
        assertThat(st.msgs()).isZero();
        assertThat(st.firstSeq()).isEqualTo(11);
        assertThat(st.lastSeq()).isEqualTo(10);
        assertThat(s.store("x", null, null)).isEqualTo(11);
    }

    @Test
    @DisplayName("compact removes below a sequence, or jumps past the end")
    void compact() {
        StreamStore s = open();
        for (int i = 1; i <= 10; i++) {
            s.store("s", null, b("m" + i));
        }
        s.remove(5);
        assertThat(s.compact(5)).isEqualTo(4);
        assertThat(s.state().firstSeq()).isEqualTo(6);
        assertThat(s.compact(3)).isZero();
        assertThat(s.compact(100)).isEqualTo(5);
        StreamState st = s.state();
        assertThat(st.firstSeq()).isEqualTo(100);
        assertThat(st.lastSeq()).isEqualTo(99);
        assertThat(s.store("s", null, null)).isEqualTo(100);
    }

    @Test
    @DisplayName("truncate drops the tail and sets last time from the message kept")
    void truncate() {
        StreamStore s = open();
        for (int i = 1; i <= 10; i++) {
            s.storeAt(i, 100 + i, i < 6 ? "a" : "b", null, b("m" + i));
        }
        s.remove(4);
        s.truncate(5);
        StreamState st = s.state();
        assertThat(st.lastSeq()).isEqualTo(5);
        assertThat(st.msgs()).isEqualTo(4);
        assertThat(st.lastTimeNanos()).isEqualTo(105);
        assertThat(s.subjectTotals(">")).containsExactly(Map.entry("a", 4L));
        assertThat(s.deletedSequences()).containsExactly(4);
        assertThatThrownBy(() -> s.truncate(6)).isInstanceOf(SequenceMismatchException.class);
        s.storeAt(6, 200, "c", null, null);
        assertThat(s.load(6).subject()).isEqualTo("c");
        s.truncate(0);
        assertThat(s.state()).isEqualTo(new StreamState(0, 0, 0, 0, 0, 0, 0, 0));
        s.storeAt(1, 5, "z", null, null);
        assertThat(s.state().firstSeq()).isEqualTo(1);
    }

    @Test
    @DisplayName("discard-old limits: max messages, max bytes, per subject")
    void discardOld() {
        StreamStore s = open(new StreamLimits(3, 0, 0, 0, DiscardPolicy.OLD, false));
        for (int i = 1; i <= 5; i++) {
            s.store("s", null, b("m"));
        }
        assertThat(s.state().msgs()).isEqualTo(3);
        assertThat(s.state().firstSeq()).isEqualTo(3);
        long one = size("s", new byte[0], b("m"));
        s.updateLimits(new StreamLimits(0, 2 * one, 0, 0, DiscardPolicy.OLD, false));
        assertThat(s.state().msgs()).isEqualTo(2);
        s.updateLimits(new StreamLimits(0, 0, 0, 1, DiscardPolicy.OLD, false));
        s.store("t", null, b("1"));
        s.store("t", null, b("2"));
        assertThat(s.subjectTotals(">")).containsExactlyInAnyOrderEntriesOf(Map.of("s", 1L, "t", 1L));
        assertThat(s.loadNext("t", 0).data()).isEqualTo(b("2"));
    }

    @Test
    @DisplayName("discard-new refuses on the leader path only")
    void discardNew() {
        StreamStore s = open(new StreamLimits(2, 0, 0, 0, DiscardPolicy.NEW, false));
        s.store("a", null, null);
        s.store("a", null, null);
        assertThatThrownBy(() -> s.store("a", null, null)).isInstanceOfSatisfying(LimitExceededException.class,
                e -> assertThat(e.limit()).isEqualTo(LimitExceededException.Limit.MAX_MSGS));
        s.storeAt(3, 1, "a", null, null);
        assertThat(s.state().msgs()).isEqualTo(3);
        StreamStore p = open(new StreamLimits(0, 0, 0, 1, DiscardPolicy.NEW, true));
        p.store("x", null, null);
        assertThatThrownBy(() -> p.store("x", null, null)).isInstanceOfSatisfying(LimitExceededException.class,
                e -> assertThat(e.limit()).isEqualTo(LimitExceededException.Limit.MAX_MSGS_PER_SUBJECT));
        p.store("y", null, null);
        StreamStore by = open(new StreamLimits(0, size("a", new byte[0], b("12345")), 0, 0, DiscardPolicy.NEW,
                false));
        by.store("a", null, b("12345"));
        assertThatThrownBy(() -> by.store("a", null, b("1"))).isInstanceOf(LimitExceededException.class);
    }

    @Test
    @DisplayName("expire removes messages older than max age against the caller's clock")
    void expire() {
        StreamStore s = open(new StreamLimits(0, 0, 1_000, 0, DiscardPolicy.OLD, false));
        s.storeAt(1, 10_000, "a", null, null);
        s.storeAt(2, 10_500, "a", null, null);
        s.storeAt(3, 11_000, "a", null, null);
        assertThat(s.expire(11_000)).isEqualTo(1);
        assertThat(s.state().firstSeq()).isEqualTo(2);
        assertThat(s.expire(12_500)).isEqualTo(2);
        assertThat(s.state().msgs()).isZero();
    }

    @Test
    @DisplayName("encoded state decodes to the store's state and its interior deletes")
    void encodedStateRoundTrip() {
        StreamStore s = open();
        for (int i = 1; i <= 50; i++) {
            s.store("s." + (i % 3), null, b("payload-" + i));
        }
        s.remove(10);
        s.remove(11);
        s.remove(30);
        s.skip(51, 5);
        s.store("s.x", null, null);
        byte[] enc = s.encodedState(7, false);
        StreamReplicatedState st = StreamStateCodec.decode(enc);
        StreamState local = s.state();
        assertThat(st.msgs()).isEqualTo(local.msgs());
        assertThat(st.bytes()).isEqualTo(local.bytes());
        assertThat(st.firstSeq()).isEqualTo(local.firstSeq());
        assertThat(st.lastSeq()).isEqualTo(local.lastSeq());
        assertThat(st.failed()).isEqualTo(7);
        List<Long> deleted = new ArrayList<>();
        for (DeleteBlock blk : st.deleted()) {
            blk.forEach(x -> deleted.add(x));
        }
        assertThat(deleted).containsExactly(10L, 11L, 30L, 51L, 52L, 53L, 54L, 55L);
    }

    @Test
    @DisplayName("sources ride in a version-2 state only when asked for and non-zero")
    void sources() {
        StreamStore s = open();
        s.store("a", null, null);
        s.applySources(Map.of("ORIGIN > >", new SourceState(12, "id")));
        assertThat(s.encodedState(0, false)[1]).isEqualTo((byte) 1);
        byte[] v2 = s.encodedState(0, true);
        assertThat(v2[1]).isEqualTo((byte) 2);
        assertThat(StreamStateCodec.decode(v2).sources()).containsKey("ORIGIN > >");
        s.applySources(Map.of());
        assertThat(s.sources()).containsKey("ORIGIN > >");
    }

    @Test
    @DisplayName("syncDeleted removes the snapshot's deletes up to our last sequence")
    void syncDeleted() {
        StreamStore s = open();
        for (int i = 1; i <= 20; i++) {
            s.store("s", null, b("m"));
        }
        SequenceSet set = new SequenceSet();
        set.insert(5);
        set.insert(25);
        s.syncDeleted(List.of(new DeleteRange(1, 3), set, new DeleteRange(10, 2), new DeleteRange(30, 5)));
        assertThat(s.state().firstSeq()).isEqualTo(4);
        assertThat(s.deletedSequences()).containsExactly(5, 10, 11);
        assertThat(s.state().msgs()).isEqualTo(14);
    }

    @Test
    @DisplayName("batch groups mutations and closed stores refuse work")
    void batchAndClose() {
        StreamStore s = create(StreamLimits.NONE);
        s.batch(() -> {
            for (int i = 0; i < 100; i++) {
                s.store("b", null, b("x"));
            }
        });
        assertThat(s.state().msgs()).isEqualTo(100);
        s.sync();
        s.close();
        s.close();
        assertThatThrownBy(() -> s.store("b", null, null)).isInstanceOf(StoreClosedException.class);
        assertThatThrownBy(s::state).isInstanceOf(StoreClosedException.class);
    }

    @Test
    @DisplayName("subject filter matching follows NATS token rules")
    void subjectFilter() {
        assertThat(SubjectFilter.matches("a.*.c", "a.b.c")).isTrue();
        assertThat(SubjectFilter.matches("a.*.c", "a.b.d")).isFalse();
        assertThat(SubjectFilter.matches("a.>", "a.b.c")).isTrue();
        assertThat(SubjectFilter.matches("a.>", "a")).isFalse();
        assertThat(SubjectFilter.matches("*", "a")).isTrue();
        assertThat(SubjectFilter.matches("*", "a.b")).isFalse();
        assertThat(SubjectFilter.matches("a.b", "a.b")).isTrue();
        assertThat(SubjectFilter.matches("a.b", "a.bc")).isFalse();
        assertThat(SubjectFilter.matches("a.*", "a.")).isFalse();
        assertThat(SubjectFilter.isLiteral("a.b")).isTrue();
        assertThat(SubjectFilter.isLiteral("a.*")).isFalse();
        assertThat(SubjectFilter.isLiteral("a*.b")).isTrue();
    }
}
