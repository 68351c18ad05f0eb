package io.jscluster.core.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.EntryOp;
import io.jscluster.codec.msg.StreamMsg;
import io.jscluster.codec.msg.StreamMsgCodec;
import io.jscluster.codec.ops.DeleteRange;
import io.jscluster.codec.ops.DeleteRangeCodec;
import io.jscluster.codec.ops.StreamSyncRequest;
import io.jscluster.codec.ops.StreamSyncRequestCodec;
import io.jscluster.codec.state.StreamReplicatedState;
import io.jscluster.codec.state.StreamStateCodec;
import io.jscluster.core.info.ClusterInfo;
import io.jscluster.core.info.ClusterInfoReporter;
import io.jscluster.core.info.PeerInfo;
import io.jscluster.core.store.FileStoreConfig;
import io.jscluster.core.store.FileStreamStore;
import io.jscluster.core.store.MemoryStreamStore;
import io.jscluster.core.store.StreamLimits;
import io.jscluster.core.store.StreamState;
import io.jscluster.core.store.StreamStore;
import io.jscluster.raft.wire.NodeIds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatchupProtocolTest {

  static final long SEC = 1_000_000_000L;
  static final String SYNC = "$JSC.SYNC.testsync";

  private final List<StreamStore> stores = new ArrayList<>();

  @TempDir Path dir;

  @AfterEach
  void closeStores() {
    stores.forEach(StreamStore::close);
  }

  MemoryStreamStore memory() {
    return memory(StreamLimits.NONE);
  }

  MemoryStreamStore memory(StreamLimits limits) {
    long[] clock = {1};
    MemoryStreamStore s = new MemoryStreamStore(limits, () -> clock[0]++);
    stores.add(s);
    return s;
  }

  static final class Run {
    final CatchupLoop loop;
    final CatchupLoop.TestReplica replica;
    final CatchupLoop.TestNode node = new CatchupLoop.TestNode();
    final CatchupState flag = new CatchupState();
    final AtomicReference<Object> result = new AtomicReference<>();
    FollowerCatchup follower;

    Run(CatchupLoop loop, StreamStore store) {
      this.loop = loop;
      this.replica = new CatchupLoop.TestReplica(store, SYNC);
    }

    FollowerCatchup start(CatchupConfig cfg, SyncRequestLimiter limiter, StreamReplicatedState snap,
        long index) {
      FollowerCatchup[] h = new FollowerCatchup[1];
      CatchupTransport t = loop.transport((s, r, p) -> h[0].onMessage(s, r, p, loop.now));
      h[0] = new FollowerCatchup(cfg, new SyncSubjects(new SplittableRandom(loop.random.nextLong())),
          limiter, t, replica, node, flag, () -> true, () -> loop.soon(() -> h[0].onPermit(loop.now)),
          e -> result.set(e == null ? "ok" : e));
      follower = h[0];
      loop.add(h[0]);
      h[0].start(snap, index, loop.now);
      return h[0];
    }

    boolean done() {
      return result.get() != null;
    }

    CatchupError error() {
      Object o = result.get();
      return o instanceof CatchupException e ? e.error() : null;
    }
  }

  static StreamReplicatedState snapshotOf(StreamStore leader) {
    return StreamStateCodec.decodeSnapshot(leader.encodedState(0, false));
  }

  static StreamReplicatedState snap(long first, long last) {
    return new StreamReplicatedState(0, 0, first, last, 0, List.of(), Map.of());
  }

  /** A recording transport for driving a leader run directly. */
  static final class Tap implements CatchupTransport {
    final List<CatchupLoop.Msg> sent = new ArrayList<>();
    final List<String> subs = new ArrayList<>();

    @Override
    public void publish(String subject, String reply, byte[] payload) {
      sent.add(new CatchupLoop.Msg(subject, reply, payload));
    }

    @Override
    public void subscribe(String subject) {
      subs.add(subject);
    }

    @Override
    public void unsubscribe(String subject) {
      subs.remove(subject);
    }
  }

  static LeaderCatchup leaderRun(CatchupConfig cfg, CatchupBudget budget, Tap tap,
      LeaderCatchup.Stream stream, LeaderCatchup.Node node, StreamSyncRequest req) {
    return new LeaderCatchup(cfg, new SyncSubjects(new SplittableRandom(1)), budget, tap, stream,
        node, "test-wiretap", req, () -> {});
  }

  static void assertSkip(byte[] payload, long seq) {
    assertThat(payload[0]).isEqualTo(EntryOp.STREAM_MSG.asByte());
    StreamMsg m = StreamMsgCodec.decode(payload);
    assertThat(m.lseq()).isEqualTo(seq);
    assertThat(m.subject()).isEmpty();
    assertThat(m.ts()).isZero();
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterCatchupLoadNextMsgTooManyDeletes")
  void loadNextWithinDeleteGapAndAtEof() {
    for (boolean eof : new boolean[] {false, true}) {
      MemoryStreamStore s = memory();
      for (int i = 0; i < 100; i++) {
        s.store(i == 0 || i == 99 ? "foo" : "bar", null, null);
      }
      s.purge("bar", 0, 0);
      if (eof) {
        s.remove(100);
      }
      Tap tap = new Tap();
      CatchupLoop.TestStream stream = new CatchupLoop.TestStream(s);
      LeaderCatchup run = leaderRun(CatchupConfig.DEFAULT, new CatchupBudget(0), tap, stream,
          new CatchupLoop.TestLeaderNode(), new StreamSyncRequest("peer", 5, 5, true, 0));
      run.start(0);
      assertThat(tap.sent).hasSize(2);
      assertThat(tap.sent.get(0).subject()).isEqualTo("test-wiretap");
      assertSkip(tap.sent.get(0).payload(), 5);
      assertThat(tap.sent.get(1).payload()).isEmpty();
      assertThat(tap.sent.get(1).reply()).isEmpty();
      assertThat(run.outcome()).isEqualTo(LeaderCatchup.Outcome.COMPLETED);
      assertThat(stream.peers.hasPeers()).isFalse();
      assertThat(tap.subs).isEmpty();
    }
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterCatchupMustStallWhenBehindOnApplies")
  void mustStallWhenBehindOnApplies() {
    MemoryStreamStore s = memory();
    s.store("foo", null, null);
    CatchupLoop.TestStream stream = new CatchupLoop.TestStream(s);
    CatchupLoop.TestLeaderNode node = new CatchupLoop.TestLeaderNode();
    node.index = 1;
    node.applied = 1;
    CatchupBudget budget = new CatchupBudget(0);

    Tap tap = new Tap();
    leaderRun(CatchupConfig.DEFAULT, budget, tap, stream, node,
        new StreamSyncRequest("peer", 1, 1, true, 0)).start(0);
    assertThat(tap.sent).hasSize(2);
    assertThat(StreamMsgCodec.decode(tap.sent.get(0).payload()).subject()).isEqualTo("foo");
    assertThat(tap.sent.get(1).payload()).isEmpty();

    // One more entry logged but not applied: the request at that index must wait.
    node.index = 2;
    tap = new Tap();
    LeaderCatchup r2 = leaderRun(CatchupConfig.DEFAULT, budget, tap, stream, node,
        new StreamSyncRequest("peer", 1, 1, true, 2));
    r2.start(0);
    assertThat(tap.sent).isEmpty();
    assertThat(r2.outcome()).isEqualTo(LeaderCatchup.Outcome.BEHIND_ON_APPLIES);
    assertThat(stream.peers.contains("peer")).isFalse();

    // A request beyond our log: logs already desynced; serve it anyway.
    tap = new Tap();
    leaderRun(CatchupConfig.DEFAULT, budget, tap, stream, node,
        new StreamSyncRequest("peer", 1, 1, true, 100)).start(0);
    assertThat(tap.sent).hasSize(2);
    assertThat(StreamMsgCodec.decode(tap.sent.get(0).payload()).lseq()).isEqualTo(1);
    assertThat(budget.totalBytes()).isZero();
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterCatchupSkipMsgDesync")
  void skipMsgDesyncEndsWithTooManyRetries() {
    CatchupLoop loop = new CatchupLoop(1);
    boolean[] sentSkip = {false};
    loop.subscribe(SYNC, (s, reply, p) -> {
      if (!sentSkip[0]) {
        loop.publish(reply, "", StreamMsgCodec.encode(new StreamMsg("", "", null, null, 10, 0,
            false)));
        sentSkip[0] = true;
      }
      loop.publish(reply, "", new byte[0]);
    });
    MemoryStreamStore store = memory();
    Run run = new Run(loop, store);
    run.start(CatchupConfig.DEFAULT, new SyncRequestLimiter(), snap(1, 1), 1);
    assertThat(run.flag.isCatchingUp()).isTrue();
    assertThat(loop.runUntil(run::done, 60 * SEC)).isTrue();
    assertThat(run.error()).isEqualTo(CatchupError.TOO_MANY_RETRIES);
    assertThat(run.follower.requestsSent()).isEqualTo(3);
    assertThat(run.flag.isCatchingUp()).isFalse();
    assertThat(run.node.resumed).isEqualTo(1);
    // The next publish on this replica gets sequence 1.
    assertThat(store.store("foo", null, null)).isEqualTo(1);
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterCatchupBadMsgStopsRetrying")
  void badMsgStopsRetrying() {
    CatchupLoop loop = new CatchupLoop(2);
    int[] count = {0};
    loop.subscribe(SYNC, (s, reply, p) -> {
      count[0]++;
      // An incomplete varint: the S2 block does not decode.
      loop.publish(reply, "$JSC.ACK.xxxxxxxx.2",
          new byte[] {EntryOp.COMPRESSED_STREAM_MSG.asByte(), (byte) 0x80});
    });
    List<String> errs = new ArrayList<>();
    loop.subscribe("$JSC.ACK.xxxxxxxx.*", (s, r, p) -> errs.add(new String(p,
        StandardCharsets.UTF_8)));
    Run run = new Run(loop, memory());
    run.start(CatchupConfig.DEFAULT, new SyncRequestLimiter(), snap(1, 1), 1);
    assertThat(loop.runUntil(run::done, 60 * SEC)).isTrue();
    assertThat(run.error()).isEqualTo(CatchupError.BAD_MSG);
    assertThat(count[0]).isEqualTo(1);
    loop.runUntil(() -> false, SEC);
    assertThat(errs).hasSize(1);
    assertThat(errs.get(0)).startsWith("bad catchup msg");
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterLeaderAbortsCatchupOnFollowerError")
  void leaderAbortsOnFollowerError() {
    MemoryStreamStore s = memory();
    byte[] payload = new byte[1024];
    for (int i = 0; i < 100; i++) {
      s.store("foo", null, payload);
    }
    int[] loads = {0};
    StreamStore counting = new CountingStore(s, loads);
    CatchupLoop.TestStream stream = new CatchupLoop.TestStream(counting);
    CatchupBudget budget = new CatchupBudget(0);
    Tap tap = new Tap();
    // A small message window so the run is mid-way when the follower objects.
    CatchupConfig cfg = CatchupConfig.DEFAULT.withBudget(64L << 20, 2);
    LeaderCatchup run = leaderRun(cfg, budget, tap, stream, new CatchupLoop.TestLeaderNode(),
        new StreamSyncRequest("bozo", 1, 100, false, 0));
    run.start(0);
    assertThat(tap.sent).hasSize(3); // the inclusive window check lets one more through
    assertThat(stream.peers.contains("bozo")).isTrue();
    assertThat(budget.totalBytes()).isPositive();
    int loadsBefore = loads[0];
    run.onAck(tap.sent.get(0).reply(), "simulate error".getBytes(StandardCharsets.UTF_8), 1);
    assertThat(run.outcome()).isEqualTo(LeaderCatchup.Outcome.REMOTE_ABORTED);
    run.tick(10 * SEC);
    run.onAck(tap.sent.get(1).reply(), new byte[0], 10 * SEC);
    assertThat(loads[0]).isEqualTo(loadsBefore);
    assertThat(tap.sent).hasSize(3);
    assertThat(budget.totalBytes()).isZero();
    assertThat(stream.peers.hasPeers()).isFalse();
    assertThat(tap.subs).isEmpty();

    // A legacy JSON snapshot still triggers a sync request.
    CatchupLoop loop = new CatchupLoop(3);
    List<byte[]> requests = new ArrayList<>();
    loop.subscribe(SYNC, (subj, reply, p) -> requests.add(p));
    StreamState st = s.state();
    String legacy = "{\"messages\":" + st.msgs() + ",\"bytes\":" + st.bytes() + ",\"first_seq\":"
        + st.firstSeq() + ",\"last_seq\":" + (st.lastSeq() + 1) + "}";
    StreamReplicatedState ls =
        StreamStateCodec.decodeSnapshot(legacy.getBytes(StandardCharsets.UTF_8));
    MemoryStreamStore fs = memory();
    for (int i = 0; i < 100; i++) {
      fs.storeAt(i + 1, i + 1, "foo", null, payload);
    }
    Run f = new Run(loop, fs);
    f.start(CatchupConfig.DEFAULT, new SyncRequestLimiter(), ls, 5);
    loop.runUntil(() -> !requests.isEmpty(), SEC);
    assertThat(StreamSyncRequestCodec.decode(requests.get(0)))
        .isEqualTo(new StreamSyncRequest("flwr0001", 101, 101, true, 5));

    // A wrong-sequence catch-up message draws a non-empty error reply.
    List<byte[]> replies = new ArrayList<>();
    loop.subscribe("sync-repl.1", (subj, r, p) -> replies.add(p));
    loop.publish(f.follower.inbox(), "sync-repl.1", StreamMsgCodec.encode(
        new StreamMsg("foo", "", null, "fail".getBytes(StandardCharsets.UTF_8), 102, 5, false)));
    loop.runUntil(() -> !replies.isEmpty(), SEC);
    assertThat(replies.get(0)).isNotEmpty();
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterSnapshotBeforePurgeAndCatchup")
  void snapshotBeforePurgeSendsOneRangeAndEof() {
    MemoryStreamStore leader = memory();
    MemoryStreamStore follower = memory();
    byte[] snapPayload = "SNAP".getBytes(StandardCharsets.UTF_8);
    for (int i = 1; i <= 2000; i++) {
      leader.storeAt(i, i, "foo", null, snapPayload);
      if (i <= 1000) {
        follower.storeAt(i, i, "foo", null, snapPayload);
      }
    }
    StreamReplicatedState snapshot = snapshotOf(leader);
    leader.purge();
    for (int i = 2001; i <= 3000; i++) {
      leader.storeAt(i, i, "foo", null, snapPayload);
    }
    CatchupLoop loop = new CatchupLoop(4);
    CatchupLoop.TestStream stream = new CatchupLoop.TestStream(leader);
    loop.serve(SYNC, CatchupConfig.DEFAULT, new SyncSubjects(new SplittableRandom(9)),
        new CatchupBudget(0), stream, new CatchupLoop.TestLeaderNode());
    Run run = new Run(loop, follower);
    run.start(CatchupConfig.DEFAULT, new SyncRequestLimiter(), snapshot, 10);
    assertThat(loop.runUntil(run::done, 60 * SEC)).isTrue();
    assertThat(run.result.get()).isEqualTo("ok");
    List<CatchupLoop.Msg> toFollower = loop.publishedTo("$JSC.R.");
    assertThat(toFollower).hasSize(2);
    DeleteRange dr = DeleteRangeCodec.decode(toFollower.get(0).payload());
    assertThat(dr).isEqualTo(new DeleteRange(1001, 1000));
    assertThat(toFollower.get(1).payload()).isEmpty();
    // Then the Raft log's purge and the last 1,000 messages apply.
    follower.purge();
    for (int i = 2001; i <= 3000; i++) {
      follower.storeAt(i, i, "foo", null, snapPayload);
    }
    assertThat(follower.state().firstSeq()).isEqualTo(2001);
    assertThat(follower.state().lastSeq()).isEqualTo(3000);
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterStreamMoveCatchupStallKeepsPeerTracked")
  void stallKeepsPeerTracked() {
    MemoryStreamStore s = memory();
    for (int i = 0; i < 20; i++) {
      s.store("foo", null, "x".getBytes(StandardCharsets.UTF_8));
    }
    CatchupLoop.TestStream stream = new CatchupLoop.TestStream(s);
    CatchupBudget budget = new CatchupBudget(1); // a single byte of global budget
    CatchupConfig cfg = CatchupConfig.DEFAULT.withIntervals(2 * SEC, 5 * SEC);
    String peer = NodeIds.fromServerName("MOVE-newpeer");
    Tap tap = new Tap();
    LeaderCatchup run = leaderRun(cfg, budget, tap, stream, new CatchupLoop.TestLeaderNode(),
        new StreamSyncRequest(peer, 1, 20, false, 0));
    long launch = 0;
    run.start(launch);
    assertThat(stream.peers.lag(peer)).isPositive();
    ClusterInfo during = new ClusterInfo("", "", "", null, false, "",
        List.of(new PeerInfo("MOVE-newpeer", true, false, 0, 0, peer, false, "")), null);
    assertThat(ClusterInfoReporter.checkClusterInfo(during, stream.peers).replicas().get(0)
        .current()).isFalse();
    // Nobody acks: drive its timers until it stalls.
    long now = launch;
    while (!run.isDone()) {
      now = run.deadline();
      run.tick(now);
    }
    assertThat(run.outcome()).isEqualTo(LeaderCatchup.Outcome.STALLED);
    assertThat(now - launch).isGreaterThanOrEqualTo(2 * SEC);
    assertThat(tap.sent).hasSize(1); // the budget let one message out
    assertThat(stream.peers.lag(peer)).isPositive();
    assertThat(ClusterInfoReporter.checkClusterInfo(during, stream.peers).replicas().get(0)
        .current()).isFalse();
    assertThat(budget.totalBytes()).isZero();
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterApplyDeleteRangeOpIdempotent (store level)")
  void applyDeleteRangeFromLogIsIdempotent() {
    MemoryStreamStore s = memory();
    s.store("foo", null, null);
    s.skip(2, 999);
    long lseq = 1000;
    StreamState before = s.state();
    lseq = DeleteRangeApply.apply(s, lseq, new DeleteRange(100, 401));
    assertThat(lseq).isEqualTo(1000);
    assertThat(s.state()).isEqualTo(before);
    lseq = DeleteRangeApply.apply(s, lseq, new DeleteRange(1001, 1000));
    assertThat(lseq).isEqualTo(2000);
    assertThat(s.state().lastSeq()).isEqualTo(2000);
    lseq = DeleteRangeApply.apply(s, lseq, new DeleteRange(1501, 1000));
    assertThat(lseq).isEqualTo(2500);
    assertThat(s.state().lastSeq()).isEqualTo(2500);
    assertThat(DeleteRangeApply.apply(s, lseq, new DeleteRange(9000, 0))).isEqualTo(2500);
    // The catch-up path does not trim: a range that does not start at last+1 is refused.
    CatchupLoop loop = new CatchupLoop(5);
    Run run = new Run(loop, s);
    run.replica.lseq = lseq;
    FollowerCatchup f = new FollowerCatchup(CatchupConfig.DEFAULT, new SyncSubjects(
        new SplittableRandom(1)), new SyncRequestLimiter(), loop.transport((a, b, c) -> {}),
        run.replica, run.node, run.flag, () -> true, () -> {}, e -> {});
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> f.processCatchupMsg(DeleteRangeCodec.encode(new DeleteRange(2400, 10))))
        .isInstanceOfSatisfying(CatchupException.class,
            e -> assertThat(e.error()).isEqualTo(CatchupError.WRONG_SEQ_FOR_SKIP));
  }

  @Test
  @DisplayName("Go: TestNoRaceJetStreamClusterStreamSnapshotCatchup")
  void snapshotCatchupOverALargeGap() {
    StreamLimits one = new StreamLimits(0, 0, 0, 1, io.jscluster.core.store.DiscardPolicy.OLD,
        false);
    MemoryStreamStore leader = memory(one);
    MemoryStreamStore follower = memory(one);
    byte[] msg = "Hello World".getBytes(StandardCharsets.UTF_8);
    long ts = 1;
    leader.storeAt(1, ts, "foo", null, msg);
    follower.storeAt(1, ts, "foo", null, msg);
    for (int i = 2; i <= 1000; i++) {
      leader.storeAt(i, ++ts, "bar", null, msg);
      follower.storeAt(i, ts, "bar", null, msg);
    }
    for (int i = 1001; i <= 51_000; i++) {
      leader.storeAt(i, ++ts, "bar", null, msg);
    }
    CatchupLoop loop = new CatchupLoop(6);
    loop.serve(SYNC, CatchupConfig.DEFAULT, new SyncSubjects(new SplittableRandom(9)),
        new CatchupBudget(0), new CatchupLoop.TestStream(leader), new CatchupLoop.TestLeaderNode());
    Run run = new Run(loop, follower);
    run.start(CatchupConfig.DEFAULT, new SyncRequestLimiter(), snapshotOf(leader), 10);
    assertThat(loop.runUntil(run::done, 60 * SEC)).isTrue();
    assertThat(run.result.get()).isEqualTo("ok");
    StreamState st = follower.state();
    assertThat(st.msgs()).isEqualTo(2);
    assertThat(st.firstSeq()).isEqualTo(1);
    assertThat(st.lastSeq()).isEqualTo(51_000);
    assertThat(st.numDeleted()).isEqualTo(51_000 - 2);

    // A second round after one more message.
    leader.storeAt(51_001, ++ts, "baz", null, msg);
    Run run2 = new Run(loop, follower);
    run2.start(CatchupConfig.DEFAULT, new SyncRequestLimiter(), snapshotOf(leader), 20);
    assertThat(loop.runUntil(run2::done, 60 * SEC)).isTrue();
    st = follower.state();
    assertThat(st.msgs()).isEqualTo(3);
    assertThat(st.firstSeq()).isEqualTo(1);
    assertThat(st.lastSeq()).isEqualTo(51_001);
    assertThat(st.numDeleted()).isEqualTo(51_001 - 3);
  }

  @Test
  @DisplayName("Go: TestNoRaceLargeNumDeletesStreamCatchups")
  void hugeInteriorGapsCatchUpThroughRangesAndLoadNext() {
    StreamStore leader = FileStreamStore.open(FileStoreConfig.of(dir.resolve("l")));
    StreamStore follower = FileStreamStore.open(FileStoreConfig.of(dir.resolve("f")));
    stores.add(leader);
    stores.add(follower);
    long gap = 1_000_000_000L;
    leader.storeAt(1, 1, "foo", null, "ok".getBytes(StandardCharsets.UTF_8));
    leader.skip(2, gap);
    leader.storeAt(gap + 2, 2, "foo", null, "ok".getBytes(StandardCharsets.UTF_8));
    leader.skip(gap + 3, gap);
    CatchupLoop loop = new CatchupLoop(7);
    List<LeaderCatchup> runs = loop.serve(SYNC, CatchupConfig.DEFAULT,
        new SyncSubjects(new SplittableRandom(9)), new CatchupBudget(0),
        new CatchupLoop.TestStream(leader), new CatchupLoop.TestLeaderNode());
    Run run = new Run(loop, follower);
    run.start(CatchupConfig.DEFAULT, new SyncRequestLimiter(), snapshotOf(leader), 10);
    assertThat(loop.runUntil(run::done, 60 * SEC)).isTrue();
    assertThat(run.result.get()).isEqualTo("ok");
    StreamState want = leader.state();
    StreamState got = follower.state();
    assertThat(got.msgs()).isEqualTo(want.msgs());
    assertThat(got.firstSeq()).isEqualTo(want.firstSeq());
    assertThat(got.lastSeq()).isEqualTo(want.lastSeq());
    assertThat(got.numDeleted()).isEqualTo(want.numDeleted());
    assertThat(got.bytes()).isEqualTo(want.bytes());
    // Two messages and two ranges: the walk jumped over the gaps.
    assertThat(runs.get(0).messagesSent()).isEqualTo(2);
    assertThat(runs.get(0).rangesSent()).isEqualTo(2);
  }
}
