package io.jscluster.core.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.ops.StreamSyncRequest;
import io.jscluster.core.store.MemoryStreamStore;
import io.jscluster.core.store.StreamLimits;
import io.jscluster.core.store.StreamStore;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The leader sends a catch-up batch in slices (so Raft's work on the same thread interleaves),
 * and the follower asks for background write-back of what it stored during the catch-up.
 */
class CatchupSlicesAndWriteBackTest {

  private final List<StreamStore> stores = new ArrayList<>();

  @AfterEach
  void close() {
    stores.forEach(StreamStore::close);
  }

  private MemoryStreamStore memory(int msgs, int size) {
    long[] clock = {1};
    MemoryStreamStore s = new MemoryStreamStore(StreamLimits.NONE, () -> clock[0]++);
    stores.add(s);
    byte[] data = new byte[size];
    for (int i = 0; i < msgs; i++) {
      s.store("foo", null, data);
    }
    return s;
  }

  private static LeaderCatchup run(CatchupConfig cfg, MemoryStreamStore store, CatchupProtocolTest.Tap tap,
      int[] wakes, long last) {
    return new LeaderCatchup(cfg, new SyncSubjects(new SplittableRandom(1)), new CatchupBudget(0), tap,
        new CatchupLoop.TestStream(store), new CatchupLoop.TestLeaderNode(), "inbox",
        new StreamSyncRequest("peer", 1, last, true, 0), () -> wakes[0]++);
  }

  private static long dataSent(CatchupProtocolTest.Tap tap) {
    return tap.sent.stream().filter(m -> m.payload().length > 0).count();
  }

  @Test
  void aBatchIsSentInSlicesContinuedThroughTheWaker() {
    MemoryStreamStore store = memory(10_000, 10);
    CatchupProtocolTest.Tap tap = new CatchupProtocolTest.Tap();
    int[] wakes = {0};
    LeaderCatchup r = run(CatchupConfig.DEFAULT, store, tap, wakes, 10_000);
    r.start(0);
    assertThat(dataSent(tap)).isEqualTo(LeaderCatchup.SLICE_MSGS);
    assertThat(wakes[0]).isEqualTo(1);
    r.onWake(0);
    assertThat(dataSent(tap)).isEqualTo(2L * LeaderCatchup.SLICE_MSGS);
    assertThat(wakes[0]).isEqualTo(2);
    r.onWake(0);
    assertThat(dataSent(tap)).isEqualTo(10_000);
    assertThat(tap.sent.get(tap.sent.size() - 1).payload()).as("the end marker").isEmpty();
    assertThat(r.outcome()).isEqualTo(LeaderCatchup.Outcome.COMPLETED);
    assertThat(wakes[0]).isEqualTo(2);
  }

  @Test
  void aSliceEndsAtItsByteLimit() {
    int size = 2048;
    MemoryStreamStore store = memory(4_000, size);
    CatchupProtocolTest.Tap tap = new CatchupProtocolTest.Tap();
    int[] wakes = {0};
    run(CatchupConfig.DEFAULT, store, tap, wakes, 4_000).start(0);
    long bytes = tap.sent.stream().mapToLong(m -> m.payload().length).sum();
    assertThat(bytes).isGreaterThanOrEqualTo(LeaderCatchup.SLICE_BYTES)
        .isLessThan(LeaderCatchup.SLICE_BYTES + size + 200);
    assertThat(dataSent(tap)).isLessThan(4_000);
    assertThat(wakes[0]).isEqualTo(1);
  }

  @Test
  void theRestOfACutBatchIsNotHeldAtTheMinBatchGate() {
    // 8,000 messages of budget, min batch 4,000: after the first slice (4,096 outstanding) a new
    // batch would wait at the gate for acks; the rest of the cut batch does not.
    CatchupConfig cfg = CatchupConfig.DEFAULT.withBudget(64L << 20, 8_000);
    assertThat(cfg.minBatchMsgs()).isEqualTo(4_000);
    MemoryStreamStore store = memory(20_000, 10);
    CatchupProtocolTest.Tap tap = new CatchupProtocolTest.Tap();
    int[] wakes = {0};
    LeaderCatchup r = run(cfg, store, tap, wakes, 20_000);
    r.start(0);
    assertThat(dataSent(tap)).isEqualTo(LeaderCatchup.SLICE_MSGS);
    r.onWake(0);
    long filled = dataSent(tap);
    assertThat(filled).as("the message budget filled").isBetween(8_000L, 8_001L);
    assertThat(r.deadline()).isLessThan(Long.MAX_VALUE);
    // A new batch now waits at the gate: nothing more without acks.
    r.onWake(0);
    assertThat(dataSent(tap)).isEqualTo(filled);
  }

  @Test
  void writeBackFloorIsAnEighthOfTheSnapshotWithinBounds() {
    assertThat(FollowerCatchup.writeBackFloor(0)).isEqualTo(64L << 10);
    assertThat(FollowerCatchup.writeBackFloor(1L << 20)).isEqualTo(128L << 10);
    assertThat(FollowerCatchup.writeBackFloor(1L << 30)).isEqualTo(8L << 20);
  }

  @Test
  void theFollowerAsksForWriteBackDuringTheCatchupAndAgainWhileRefused() {
    for (boolean accepts : new boolean[] {true, false}) {
      CatchupLoop loop = new CatchupLoop(21);
      MemoryStreamStore leader = memory(500, 1024);
      LeaderCatchups runs = new LeaderCatchups(new CatchupPeers());
      SyncSubjects subjects = new SyncSubjects(new SplittableRandom(5));
      loop.subscribe(CatchupProtocolTest.SYNC, (s, reply, p) -> runs.handleSyncRequest(reply, p, loop.now,
          (inbox, req) -> {
            LeaderCatchup[] h = new LeaderCatchup[1];
            CatchupTransport t = loop.transport((subj, rr, pl) -> h[0].onAck(subj, pl, loop.now));
            h[0] = new LeaderCatchup(CatchupConfig.DEFAULT, subjects, new CatchupBudget(0), t,
                new CatchupLoop.TestStream(leader), new CatchupLoop.TestLeaderNode(), inbox, req,
                () -> loop.soon(() -> h[0].onWake(loop.now)));
            loop.add(h[0]);
            return h[0];
          }));
      CatchupProtocolTest.Run r = new CatchupProtocolTest.Run(loop, memory(0, 0));
      r.replica.writeBackAccepts = accepts;
      r.start(CatchupConfig.DEFAULT, new SyncRequestLimiter(), CatchupProtocolTest.snapshotOf(leader), 1);
      assertThat(loop.runUntil(r::done, 60 * CatchupProtocolTest.SEC)).isTrue();
      assertThat(r.result.get()).isEqualTo("ok");
      assertThat(r.replica.store.state().msgs()).isEqualTo(500);
      // ~520 KB of snapshot: a floor of 64 KiB, so a write-back about every 60 messages.
      List<Long> asks = r.replica.writeBackAsks;
      assertThat(asks).as("accepts=%s", accepts).hasSizeGreaterThanOrEqualTo(accepts ? 6 : 400);
      assertThat(r.replica.writeBackAsksAfterEnd).as("asks after the catch-up ended").isZero();
      assertThat(r.follower.writeBacks()).isEqualTo(r.replica.writeBacksAccepted);
      if (accepts) {
        assertThat(asks.get(0)).isBetween(55L, 70L);
        assertThat(asks.size()).isLessThan(10);
      } else {
        // Refused: asked again after every message once past the floor.
        assertThat(r.follower.writeBacks()).isZero();
      }
    }
  }
}
