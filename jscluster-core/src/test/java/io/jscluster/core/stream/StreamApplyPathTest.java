package io.jscluster.core.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.meta.RaftGroup;
import io.jscluster.codec.meta.StorageType;
import io.jscluster.codec.meta.StreamAssignment;
import io.jscluster.codec.meta.StreamConfig;
import io.jscluster.codec.msg.BatchMsg;
import io.jscluster.codec.msg.BatchMsgCodec;
import io.jscluster.codec.msg.StreamMsg;
import io.jscluster.codec.msg.StreamMsgCodec;
import io.jscluster.codec.ops.DeleteRange;
import io.jscluster.codec.ops.DeleteRangeCodec;
import io.jscluster.codec.ops.StreamPurge;
import io.jscluster.codec.ops.StreamPurgeCodec;
import io.jscluster.core.Headers;
import io.jscluster.core.Scheduler;
import io.jscluster.core.StreamConfigs;
import io.jscluster.core.store.MemoryStreamStore;
import io.jscluster.core.store.StreamState;
import io.jscluster.raft.CommittedEntry;
import io.jscluster.raft.wire.Entry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The apply path every replica runs on committed stream entries, driven entry by entry. */
class StreamApplyPathTest {

  private long index;
  private final MemoryStreamStore store = new MemoryStreamStore();
  private final StreamReplica replica = newReplica(store);

  static StreamReplica newReplica(MemoryStreamStore store) {
    StreamConfig cfg = StreamConfigs.builder("TEST").subjects("foo.>").replicas(3).storage(StorageType.MEMORY).build();
    StreamAssignment sa = new StreamAssignment(null, null, cfg,
        new RaftGroup("S-R3M-abcdefgh", List.of("a", "b", "c"), StorageType.MEMORY, "", "", false, null, null),
        "$JSC.SYNC.abcdefgh", "", "", null);
    return new StreamReplica(new StreamReplica.Context() {
      long now;

      @Override
      public Scheduler scheduler() {
        return new Scheduler() {
          @Override
          public long nowMillis() {
            return now;
          }

          @Override
          public long wallNanos() {
            return ++now;
          }

          @Override
          public Timer schedule(long atMillis, Runnable task) {
            return () -> {};
          }

          @Override
          public void execute(Runnable task) {
            task.run();
          }
        };
      }

      @Override
      public String selfId() {
        return "a";
      }

      @Override
      public long requestTimeoutMillis() {
        return 1000;
      }

      @Override
      public void leaderChanged(StreamReplica r, boolean isLeader, long term) {}

      @Override
      public void saveFailed(StreamReplica r, long clfs) {}

      @Override
      public io.jscluster.raft.transport.Transport transport() {
        return new io.jscluster.raft.transport.InMemoryNetwork().endpoint("a");
      }

      @Override
      public io.jscluster.core.sync.CatchupBudget catchupBudget() {
        return new io.jscluster.core.sync.CatchupBudget(io.jscluster.core.sync.CatchupBudget.DEFAULT_MAX_BYTES);
      }

      @Override
      public java.util.random.RandomGenerator random() {
        return new java.util.Random(1);
      }
    }, sa, store, null);
  }

  static byte[] msg(String subject, long lseq, long ts) {
    return StreamMsgCodec.encode(new StreamMsg(subject, "", null, ("m" + lseq).getBytes(StandardCharsets.UTF_8),
        lseq, ts, false));
  }

  void apply(byte[]... entries) {
    List<Entry> es = new ArrayList<>();
    for (byte[] e : entries) {
      es.add(Entry.normal(e));
    }
    replica.committed(new CommittedEntry(++index, es));
  }

  void applyMsgs(long fromLseq, int n) {
    for (int i = 0; i < n; i++) {
      long lseq = fromLseq + i;
      apply(msg("foo.a", lseq, 1_000 + lseq));
    }
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterConsistencyAfterLeaderChange (first entry carries lseq 0; replays skip)")
  void firstEntryAndReplaySkips() {
    apply(msg("foo.a", 0, 10));
    assertThat(store.state().lastSeq()).isEqualTo(1);
    // A second lseq-0 entry on a non-empty stream is skipped, as is any replayed entry.
    apply(msg("foo.a", 0, 11));
    applyMsgs(1, 4);
    applyMsgs(2, 3);
    assertThat(store.state().msgs()).isEqualTo(5);
    assertThat(replica.desyncs()).isZero();
    // An entry from the future is a mismatch: nothing stored, counted.
    apply(msg("foo.a", 9, 12));
    assertThat(store.state().lastSeq()).isEqualTo(5);
    assertThat(replica.desyncs()).isEqualTo(1);
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterApplyDeleteRangeOpIdempotent")
  void deleteRangeIdempotent() {
    applyMsgs(0, 1000);
    apply(DeleteRangeCodec.encode(new DeleteRange(1, 500)));
    assertThat(store.state().lastSeq()).isEqualTo(1000);
    apply(DeleteRangeCodec.encode(new DeleteRange(1001, 1000)));
    assertThat(store.state().lastSeq()).isEqualTo(2000);
    apply(DeleteRangeCodec.encode(new DeleteRange(1500, 1001)));
    assertThat(store.state().lastSeq()).isEqualTo(2500);
    apply(DeleteRangeCodec.encode(new DeleteRange(1500, 0)));
    StreamState s = store.state();
    assertThat(s.lastSeq()).isEqualTo(2500);
    assertThat(s.msgs()).isEqualTo(1000);
  }

  @Test
  @DisplayName("Skip records use one sequence; flow-control markers store nothing")
  void skipAndFlowControl() {
    applyMsgs(0, 2);
    apply(StreamMsgCodec.encode(new StreamMsg("", "", null, null, 2, 0, false)));
    assertThat(store.state().lastSeq()).isEqualTo(3);
    assertThat(store.state().msgs()).isEqualTo(2);
    apply(StreamMsgCodec.encode(new StreamMsg("", "$JSC.FC.x", "NATS/1.0 100 FlowControl Request\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII), null, 0, 0, false)));
    assertThat(store.state().lastSeq()).isEqualTo(3);
    apply(msg("foo.a", 3, 99));
    assertThat(store.state().lastSeq()).isEqualTo(4);
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterPurgeReplayAfterRestart (apply side: purge pinned to last_seq + 1)")
  void purgePinned() {
    applyMsgs(0, 20);
    apply(StreamPurgeCodec.encode(new StreamPurge(null, "TEST", 10, "", "", null)));
    StreamState s = store.state();
    assertThat(s.msgs()).isEqualTo(10);
    assertThat(s.firstSeq()).isEqualTo(11);
  }

  @Test
  @DisplayName("Go: TestJetStreamAtomicBatchPublishProposeOne (batch and single messages in one append entry)")
  void batchProposeOne() {
    byte[] b1 = BatchMsgCodec.encode(new BatchMsg("b", 1, false, new StreamMsg("foo.a", "", null, null, 0, 5, false)));
    byte[] b2 = BatchMsgCodec.encode(new BatchMsg("b", 2, false, new StreamMsg("foo.a", "", null, null, 1, 6, false)));
    byte[] b3 = BatchMsgCodec.encode(new BatchMsg("b", 3, true, new StreamMsg("foo.a", "", null, null, 2, 7, false)));
    apply(b1, b2, b3, msg("foo.b", 3, 8), msg("foo.b", 4, 9));
    assertThat(store.state().lastSeq()).isEqualTo(5);
    assertThat(store.state().msgs()).isEqualTo(5);
    assertThat(replica.clfs()).isZero();
  }

  @Test
  @DisplayName("A batch with a gap stores nothing and counts its entries as failed (CLFS)")
  void batchGapRejected() {
    byte[] b1 = BatchMsgCodec.encode(new BatchMsg("b", 1, false, new StreamMsg("foo.a", "", null, null, 0, 5, false)));
    byte[] b3 = BatchMsgCodec.encode(new BatchMsg("b", 3, true, new StreamMsg("foo.a", "", null, null, 2, 7, false)));
    apply(b1, b3);
    assertThat(store.state().msgs()).isZero();
    assertThat(replica.clfs()).isEqualTo(2);
    // The leader's next proposal carries lseq = clseq = 2 and lands at 2 + 1 - clfs = 1.
    apply(msg("foo.a", 2, 8));
    assertThat(store.state().lastSeq()).isEqualTo(1);
  }

  @Test
  @DisplayName("Expected-last-msg-id mismatch on apply bumps CLFS and stores nothing; later entries align")
  void expectedLastMsgIdBumpsClfs() {
    apply(StreamMsgCodec.encode(new StreamMsg("foo.a", "", Headers.of(Headers.MSG_ID, "x"), null, 0, 1, false)));
    apply(StreamMsgCodec.encode(new StreamMsg("foo.a", "", Headers.of(Headers.EXPECTED_LAST_MSG_ID, "y"), null, 1, 2,
        false)));
    assertThat(replica.clfs()).isEqualTo(1);
    assertThat(store.state().lastSeq()).isEqualTo(1);
    apply(msg("foo.a", 2, 3));
    assertThat(store.state().lastSeq()).isEqualTo(2);
    // Replaying the whole log changes nothing.
    apply(StreamMsgCodec.encode(new StreamMsg("foo.a", "", Headers.of(Headers.EXPECTED_LAST_MSG_ID, "y"), null, 1, 2,
        false)));
    apply(msg("foo.a", 2, 3));
    assertThat(replica.clfs()).isEqualTo(1);
    assertThat(store.state().lastSeq()).isEqualTo(2);
  }
}
