package io.jscluster.core.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.ops.StreamSyncRequest;
import io.jscluster.codec.state.StreamReplicatedState;
import io.jscluster.core.store.MemoryStreamStore;
import io.jscluster.core.store.StoreCorruptionException;
import io.jscluster.core.store.StreamLimits;
import io.jscluster.core.store.StreamStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Follower and leader behaviours beyond the ported protocol scenarios. */
class FollowerCatchupTest {

  private static final long SEC = CatchupProtocolTest.SEC;
  private static final String SYNC = CatchupProtocolTest.SYNC;
  private final List<StreamStore> stores = new ArrayList<>();

  @AfterEach
  void close() {
    stores.forEach(StreamStore::close);
  }

  private MemoryStreamStore memory() {
    long[] clock = {1};
    MemoryStreamStore s = new MemoryStreamStore(StreamLimits.NONE, () -> clock[0]++);
    stores.add(s);
    return s;
  }

  private CatchupProtocolTest.Run run(CatchupLoop loop, StreamStore store) {
    return new CatchupProtocolTest.Run(loop, store);
  }

  private static LeaderCatchups serve(CatchupLoop loop, StreamStore leader, CatchupBudget budget,
      CatchupConfig cfg) {
    CatchupLoop.TestStream stream = new CatchupLoop.TestStream(leader);
    LeaderCatchups runs = new LeaderCatchups(stream.peers);
    SyncSubjects subjects = new SyncSubjects(new SplittableRandom(11));
    loop.subscribe(SYNC, (s, reply, p) -> runs.handleSyncRequest(reply, p, loop.now,
        (inbox, req) -> {
          LeaderCatchup[] h = new LeaderCatchup[1];
          CatchupTransport t = loop.transport((subj, r, pl) -> h[0].onAck(subj, pl, loop.now));
          h[0] = new LeaderCatchup(cfg, subjects, budget, t, stream,
              new CatchupLoop.TestLeaderNode(), inbox, req,
              () -> loop.soon(() -> h[0].onWake(loop.now)));
          loop.add(h[0]);
          return h[0];
        }));
    return runs;
  }

  private static StreamReplicatedState snap(long first, long last) {
    return CatchupProtocolTest.snap(first, last);
  }

  @Test
  void leaderlessWaitsOnceThenAborts() {
    CatchupLoop loop = new CatchupLoop(1);
    CatchupProtocolTest.Run r = run(loop, memory());
    r.node.leaderless = true;
    long t0 = loop.now;
    r.start(CatchupConfig.DEFAULT, new SyncRequestLimiter(), snap(1, 5), 1);
    assertThat(loop.runUntil(r::done, 60 * SEC)).isTrue();
    assertThat(r.error()).isEqualTo(CatchupError.ABORTED_NO_LEADER);
    assertThat(r.error().isClusterReset()).isTrue();
    assertThat(loop.now - t0).isEqualTo(5 * SEC);
    assertThat(loop.publishedTo(SYNC)).isEmpty();
    assertThat(r.node.resumed).isEqualTo(1);
  }

  @Test
  void aLeaderAppearingDuringTheWaitIsAsked() {
    CatchupLoop loop = new CatchupLoop(2);
    MemoryStreamStore leader = memory();
    for (int i = 0; i < 5; i++) {
      leader.store("foo", null, null);
    }
    serve(loop, leader, new CatchupBudget(0), CatchupConfig.DEFAULT);
    CatchupProtocolTest.Run r = run(loop, memory());
    r.node.leaderless = true;
    r.start(CatchupConfig.DEFAULT, new SyncRequestLimiter(), CatchupProtocolTest.snapshotOf(leader),
        1);
    r.node.leaderless = false;
    assertThat(loop.runUntil(r::done, 60 * SEC)).isTrue();
    assertThat(r.result.get()).isEqualTo("ok");
    assertThat(r.replica.store.state().lastSeq()).isEqualTo(5);
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterStreamLeaderStepsDownIfSnapshotCatchupRequired (pause path)")
  void aLeaderStepsDownToPauseAndCatchesUp() {
    CatchupLoop loop = new CatchupLoop(3);
    MemoryStreamStore leader = memory();
    leader.store("foo", null, null);
    serve(loop, leader, new CatchupBudget(0), CatchupConfig.DEFAULT);
    CatchupProtocolTest.Run r = run(loop, memory());
    r.node.leader = true;
    r.start(CatchupConfig.DEFAULT, new SyncRequestLimiter(), snap(1, 1), 1);
    assertThat(r.node.stepDowns).isEqualTo(1);
    assertThat(r.node.paused).isEqualTo(1);
    assertThat(loop.runUntil(r::done, 60 * SEC)).isTrue();
    assertThat(r.result.get()).isEqualTo("ok");
  }

  @Test
  @DisplayName("A leader still leading after its step-down ends with ALREADY_LEADER (a cluster-reset error):"
      + " nothing paused, no sync request, not catching up, applies left running")
  void aLeaderThatStaysLeaderEndsWithAlreadyLeader() {
    CatchupLoop loop = new CatchupLoop(5);
    MemoryStreamStore leader = memory();
    leader.store("foo", null, null);
    serve(loop, leader, new CatchupBudget(0), CatchupConfig.DEFAULT);
    CatchupProtocolTest.Run r = run(loop, memory());
    r.node.leader = true;
    r.node.stickyLeader = true;
    r.start(CatchupConfig.DEFAULT, new SyncRequestLimiter(), snap(1, 1), 1);
    assertThat(r.done()).as("ends at once").isTrue();
    assertThat(r.error()).isEqualTo(CatchupError.ALREADY_LEADER);
    assertThat(r.error().isClusterReset()).as("the replica replays its snapshot rather than stopping").isTrue();
    assertThat(r.node.stepDowns).isEqualTo(1);
    assertThat(r.node.paused).isZero();
    // The end of every catch-up resumes applies; for a node never paused that changes nothing.
    assertThat(r.node.resumed).isEqualTo(1);
    assertThat(r.flag.isCatchingUp()).isFalse();
    loop.runUntil(() -> false, 10 * SEC);
    assertThat(loop.publishedTo(SYNC)).isEmpty();
    assertThat(r.replica.store.state().lastSeq()).isZero();
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterProcessSnapshotWhenLimitsExceeded / "
      + "TestJetStreamClusterProcessSnapshotPanicAfterStreamDelete")
  void earlyExits() {
    CatchupLoop loop = new CatchupLoop(4);
    CatchupProtocolTest.Run r = run(loop, memory());
    r.replica.exceeded = true;
    r.start(CatchupConfig.DEFAULT, new SyncRequestLimiter(), snap(1, 5), 1);
    assertThat(r.error()).isEqualTo(CatchupError.INSUFFICIENT_RESOURCES);
    assertThat(r.error().isClusterReset()).isFalse();
    assertThat(r.node.paused).isZero();
    assertThat(r.node.resumed).isEqualTo(1);

    r = run(loop, memory());
    r.replica.active = false;
    r.start(CatchupConfig.DEFAULT, new SyncRequestLimiter(), snap(1, 5), 1);
    assertThat(r.error()).isEqualTo(CatchupError.STREAM_STOPPED);
    assertThat(r.node.resumed).isZero();

    CatchupProtocolTest.Run c = new CatchupProtocolTest.Run(loop, memory());
    CatchupLoop.TestReplica noSync = new CatchupLoop.TestReplica(memory(), "");
    FollowerCatchup f = new FollowerCatchup(CatchupConfig.DEFAULT, new SyncSubjects(
        new SplittableRandom(1)), new SyncRequestLimiter(), loop.transport((a, b, x) -> {}),
        noSync, c.node, c.flag, () -> true, () -> {}, e -> c.result.set(e));
    f.start(snap(1, 5), 1, loop.now);
    assertThat(f.error().error()).isEqualTo(CatchupError.CORRUPT_SNAPSHOT);

    // Nothing to fetch: done at once, the flag never set.
    MemoryStreamStore full = memory();
    full.store("a", null, null);
    r = run(loop, full);
    r.start(CatchupConfig.DEFAULT, new SyncRequestLimiter(), snap(1, 1), 1);
    assertThat(r.result.get()).isEqualTo("ok");
    assertThat(r.node.paused).isZero();
    assertThat(r.replica.ended).isZero();
  }

  @Test
  void silentLeaderMeansThreeAttemptsAtTheStartInterval() {
    CatchupLoop loop = new CatchupLoop(5);
    List<byte[]> requests = new ArrayList<>();
    loop.subscribe(SYNC, (s, r, p) -> requests.add(p));
    CatchupProtocolTest.Run r = run(loop, memory());
    long t0 = loop.now;
    r.start(CatchupConfig.DEFAULT, new SyncRequestLimiter(), snap(1, 5), 1);
    assertThat(loop.runUntil(r::done, 60 * SEC)).isTrue();
    assertThat(r.error()).isEqualTo(CatchupError.TOO_MANY_RETRIES);
    assertThat(requests).hasSize(3);
    assertThat(loop.now - t0).isEqualTo(15 * SEC);
  }

  @Test
  void syncRequestPermitsAreSharedAcrossStreams() {
    CatchupLoop loop = new CatchupLoop(6);
    MemoryStreamStore leader = memory();
    for (int i = 0; i < 50; i++) {
      leader.store("foo", null, null);
    }
    serve(loop, leader, new CatchupBudget(0), CatchupConfig.DEFAULT);
    SyncRequestLimiter one = new SyncRequestLimiter(1);
    CatchupProtocolTest.Run a = run(loop, memory());
    CatchupProtocolTest.Run b = run(loop, memory());
    b.node.id = "flwr0002";
    a.start(CatchupConfig.DEFAULT, one, CatchupProtocolTest.snapshotOf(leader), 1);
    b.start(CatchupConfig.DEFAULT, one, CatchupProtocolTest.snapshotOf(leader), 1);
    assertThat(loop.publishedTo(SYNC)).hasSize(1);
    assertThat(loop.runUntil(() -> a.done() && b.done(), 60 * SEC)).isTrue();
    assertThat(a.result.get()).isEqualTo("ok");
    assertThat(b.result.get()).isEqualTo("ok");
    assertThat(loop.publishedTo(SYNC)).hasSize(2);
    assertThat(one.available()).isEqualTo(1);
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterMaxOutstandingCatchup (1 KB budget still completes)")
  void tinyGlobalBudgetStillCompletesThroughTheKick() {
    CatchupLoop loop = new CatchupLoop(7);
    MemoryStreamStore leader = memory();
    byte[] payload = new byte[2048];
    for (int i = 0; i < 1000; i++) {
      leader.store("foo", null, payload);
    }
    CatchupBudget budget = new CatchupBudget(1024);
    serve(loop, leader, budget, CatchupConfig.DEFAULT);
    CatchupProtocolTest.Run a = run(loop, memory());
    CatchupProtocolTest.Run b = run(loop, memory());
    b.node.id = "flwr0002";
    a.start(CatchupConfig.DEFAULT, new SyncRequestLimiter(), CatchupProtocolTest.snapshotOf(leader),
        1);
    b.start(CatchupConfig.DEFAULT, new SyncRequestLimiter(), CatchupProtocolTest.snapshotOf(leader),
        1);
    assertThat(loop.runUntil(() -> a.done() && b.done(), 60 * SEC)).isTrue();
    assertThat(a.result.get()).isEqualTo("ok");
    assertThat(b.result.get()).isEqualTo("ok");
    assertThat(a.replica.store.state().msgs()).isEqualTo(1000);
    assertThat(b.replica.store.state().msgs()).isEqualTo(1000);
    assertThat(budget.totalBytes()).isZero();
    // One message in flight at a time: well under a second of virtual time at 0.1 ms a hop.
    assertThat(a.follower.requestsSent()).isEqualTo(1);
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterStreamCatchupInteriorNilMsgs / "
      + "TestJetStreamClusterDuplicateMsgIdsOnCatchupAndLeaderTakeover (catch-up part)")
  void emptyPayloadsAndMsgIdsSurviveCatchup() {
    CatchupLoop loop = new CatchupLoop(8);
    MemoryStreamStore leader = memory();
    for (int i = 0; i < 500; i++) {
      byte[] hdr = i % 100 == 0
          ? ("NATS/1.0\r\nNats-Msg-Id: id-" + i + "\r\n\r\n").getBytes(StandardCharsets.UTF_8)
          : null;
      leader.store("foo", hdr, null);
    }
    serve(loop, leader, new CatchupBudget(0), CatchupConfig.DEFAULT);
    CatchupProtocolTest.Run r = run(loop, memory());
    r.start(CatchupConfig.DEFAULT, new SyncRequestLimiter(), CatchupProtocolTest.snapshotOf(leader),
        1);
    assertThat(loop.runUntil(r::done, 60 * SEC)).isTrue();
    assertThat(r.replica.store.state().msgs()).isEqualTo(500);
    assertThat(r.replica.msgIds).hasSize(5).containsEntry("id-200", 201L);
    assertThat(NatsHeaders.value("NATS/1.0\r\nA: 1\r\nNats-Msg-Id:   x y\r\n\r\n"
        .getBytes(StandardCharsets.UTF_8), "Nats-Msg-Id")).isEqualTo("x y");
    assertThat(NatsHeaders.value("NATS/1.0\r\nXNats-Msg-Id: x\r\n\r\n"
        .getBytes(StandardCharsets.UTF_8), "Nats-Msg-Id")).isNull();
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterDesyncAfterEofFromOldStreamLeader")
  void earlyEofFromAStaleLeaderIsRetried() {
    CatchupLoop loop = new CatchupLoop(9);
    MemoryStreamStore leader = memory();
    for (int i = 0; i < 10; i++) {
      leader.store("foo", null, null);
    }
    LeaderCatchups real = serve(loop, leader, new CatchupBudget(0), CatchupConfig.DEFAULT);
    boolean[] stale = {true};
    loop.subscribe(SYNC, (s, reply, p) -> {
      if (stale[0]) {
        stale[0] = false;
        loop.publish(reply, "", new byte[0]); // an old leader with nothing to send
        return;
      }
      real.handleSyncRequest(reply, p, loop.now, (inbox, req) -> {
        LeaderCatchup[] h = new LeaderCatchup[1];
        CatchupTransport t = loop.transport((subj, r, pl) -> h[0].onAck(subj, pl, loop.now));
        h[0] = new LeaderCatchup(CatchupConfig.DEFAULT, new SyncSubjects(new SplittableRandom(3)),
            new CatchupBudget(0), t, new CatchupLoop.TestStream(leader), null, inbox, req,
            () -> {});
        loop.add(h[0]);
        return h[0];
      });
    });
    CatchupProtocolTest.Run r = run(loop, memory());
    long t0 = loop.now;
    r.start(CatchupConfig.DEFAULT, new SyncRequestLimiter(), CatchupProtocolTest.snapshotOf(leader),
        1);
    assertThat(loop.runUntil(r::done, 60 * SEC)).isTrue();
    assertThat(r.result.get()).isEqualTo("ok");
    assertThat(r.follower.requestsSent()).isEqualTo(2);
    assertThat(loop.now - t0).isGreaterThanOrEqualTo(2 * SEC); // the minimum retry spacing
    assertThat(r.replica.store.state().lastSeq()).isEqualTo(10);
  }

  @Test
  void leaderLoadErrorEndsWithoutEofAndShortStoreSendsEof() {
    MemoryStreamStore s = memory();
    for (int i = 0; i < 5; i++) {
      s.store("foo", null, null);
    }
    int[] loads = {0};
    CountingStore failing = new CountingStore(s, loads);
    failing.failLoads = new StoreCorruptionException("damaged", List.of());
    CatchupProtocolTest.Tap tap = new CatchupProtocolTest.Tap();
    CatchupLoop.TestStream stream = new CatchupLoop.TestStream(failing);
    LeaderCatchup run = CatchupProtocolTest.leaderRun(CatchupConfig.DEFAULT, new CatchupBudget(0),
        tap, stream, null, new StreamSyncRequest("p", 1, 5, true, 0));
    run.start(0);
    assertThat(run.outcome()).isEqualTo(LeaderCatchup.Outcome.LOAD_ERROR);
    assertThat(tap.sent).isEmpty();
    assertThat(stream.peers.contains("p")).isFalse(); // no end marker: the follower retries

    // Asked beyond the store's end without a node: serve what exists, then the end marker.
    tap = new CatchupProtocolTest.Tap();
    run = CatchupProtocolTest.leaderRun(CatchupConfig.DEFAULT, new CatchupBudget(0), tap,
        new CatchupLoop.TestStream(s), null, new StreamSyncRequest("p", 1, 10, false, 0));
    run.start(0);
    assertThat(tap.sent).hasSize(6);
    assertThat(tap.sent.get(5).payload()).isEmpty();
    // With a node, the same request makes the leader step down instead.
    CatchupLoop.TestLeaderNode node = new CatchupLoop.TestLeaderNode();
    tap = new CatchupProtocolTest.Tap();
    run = CatchupProtocolTest.leaderRun(CatchupConfig.DEFAULT, new CatchupBudget(0), tap,
        new CatchupLoop.TestStream(s), node, new StreamSyncRequest("p", 1, 10, false, 0));
    run.start(0);
    assertThat(run.outcome()).isEqualTo(LeaderCatchup.Outcome.NOT_ENOUGH_DATA);
    assertThat(node.stepDowns).isEqualTo(1);
    assertThat(tap.sent).isEmpty();
  }

  @Test
  void aNewRequestFromAPeerSupersedesItsRunAndStepDownClearsAll() {
    MemoryStreamStore s = memory();
    for (int i = 0; i < 5; i++) {
      s.store("foo", null, null);
    }
    CatchupLoop.TestStream stream = new CatchupLoop.TestStream(s);
    LeaderCatchups runs = new LeaderCatchups(stream.peers);
    CatchupBudget budget = new CatchupBudget(0);
    CatchupConfig cfg = CatchupConfig.DEFAULT.withBudget(1 << 20, 2);
    byte[] req = io.jscluster.codec.ops.StreamSyncRequestCodec.encode(
        new StreamSyncRequest("p", 1, 5, true, 0));
    List<LeaderCatchup> made = new ArrayList<>();
    java.util.function.BiFunction<String, StreamSyncRequest, LeaderCatchup> f = (inbox, r) -> {
      LeaderCatchup l = CatchupProtocolTest.leaderRun(cfg, budget,
          new CatchupProtocolTest.Tap(), stream, null, r);
      made.add(l);
      return l;
    };
    runs.handleSyncRequest("$JSC.R.a", req, 0, f);
    assertThat(budget.totalMsgs()).isEqualTo(3);
    runs.handleSyncRequest("$JSC.R.b", req, 1, f);
    assertThat(made.get(0).outcome()).isEqualTo(LeaderCatchup.Outcome.STOPPED);
    assertThat(budget.totalMsgs()).isEqualTo(3);
    assertThat(runs.handleSyncRequest("$JSC.R.c", "{bad".getBytes(StandardCharsets.UTF_8), 2, f))
        .isNull();
    assertThat(runs.active()).hasSize(1);
    runs.stopAll();
    assertThat(runs.active()).isEmpty();
    assertThat(stream.peers.hasPeers()).isFalse();
    assertThat(budget.totalBytes()).isZero();
  }
}
