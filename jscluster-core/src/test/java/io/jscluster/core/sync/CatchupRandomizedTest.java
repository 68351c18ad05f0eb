package io.jscluster.core.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.ops.StreamSyncRequest;
import io.jscluster.codec.state.StreamReplicatedState;
import io.jscluster.codec.state.StreamStateCodec;
import io.jscluster.core.store.FileStoreConfig;
import io.jscluster.core.store.FileStreamStore;
import io.jscluster.core.store.MemoryStreamStore;
import io.jscluster.core.store.StoredMessage;
import io.jscluster.core.store.StreamLimits;
import io.jscluster.core.store.StreamState;
import io.jscluster.core.store.StreamStore;
import io.jscluster.core.store.SyncPolicy;
import io.jscluster.testing.SeedRange;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random leader histories (stores, removes, subject purges, purges, skips), a follower that saw
 * a random prefix of them, and a catch-up from the leader's snapshot over a loop that loses and
 * reorders messages; afterwards the follower must hold exactly the leader's stream.
 */
class CatchupRandomizedTest {

  private static final long SEC = 1_000_000_000L;
  private static final String SYNC = "$JSC.SYNC.randomrn";

  @TempDir Path dir;

  @Test
  void followerConvergesOnLeaderStateOverALossyLoop() {
    SeedRange seeds = SeedRange.fromSystemProperties(30);
    for (int i = 0; i < seeds.count(); i++) {
      long seed = seeds.seed(i);
      try {
        runSeed(seed);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("catch-up campaign failed; replay with -Djscluster.sim.seedStart="
            + seed + " -Djscluster.sim.seeds=1", e);
      }
    }
    System.out.println("catch-up campaign: seeds " + seeds.start() + ".."
        + (seeds.start() + seeds.count() - 1) + " passed");
  }

  private StreamStore open(boolean file, String name, long[] clock) {
    if (file) {
      return FileStreamStore.open(FileStoreConfig.of(dir.resolve(name)).withBlockSize(4096)
          .withSync(SyncPolicy.INTERVAL, 3_600 * SEC).withClock(() -> clock[0]));
    }
    return new MemoryStreamStore(StreamLimits.NONE, () -> clock[0]);
  }

  private void runSeed(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    boolean file = rnd.nextInt(4) == 0;
    long[] clock = {1};
    StreamStore leader = open(file, "l" + seed, clock);
    StreamStore follower = open(file, "f" + seed, clock);
    try {
      List<Consumer<StreamStore>> history = history(rnd, clock);
      int prefix = rnd.nextInt(history.size() + 1);
      for (int k = 0; k < history.size(); k++) {
        history.get(k).accept(leader);
        if (k < prefix) {
          history.get(k).accept(follower);
        }
      }
      StreamReplicatedState snap =
          StreamStateCodec.decodeSnapshot(leader.encodedState(0, false));

      CatchupLoop loop = new CatchupLoop(rnd.nextLong());
      loop.tap = false;
      loop.loss = rnd.nextInt(3) == 0 ? 0 : rnd.nextDouble() * 0.03;
      loop.reorder = rnd.nextInt(3) == 0 ? 0 : rnd.nextDouble() * 0.03;
      CatchupConfig cfg = CatchupConfig.DEFAULT;
      if (rnd.nextBoolean()) {
        cfg = cfg.withBudget(64 + rnd.nextInt(4096), 2 + rnd.nextInt(64));
      }
      CatchupBudget budget = new CatchupBudget(rnd.nextBoolean() ? 0 : 1 + rnd.nextInt(20_000));
      boolean oldFollower = rnd.nextInt(4) == 0;
      CatchupLoop.TestStream stream = new CatchupLoop.TestStream(leader);
      LeaderCatchup.Stream served = stream;
      SyncSubjects leaderSubjects = new SyncSubjects(new SplittableRandom(rnd.nextLong()));
      CatchupConfig leaderCfg = cfg;
      LeaderCatchups runs = new LeaderCatchups(stream.peers);
      loop.subscribe(SYNC, (s, reply, payload) -> runs.handleSyncRequest(reply, payload, loop.now,
          (inbox, req) -> {
            if (oldFollower) {
              // A follower that does not accept delete ranges gets skip records instead.
              req = new StreamSyncRequest(req.peer(), req.firstSeq(), req.lastSeq(), false,
                  req.minApplied());
            }
            LeaderCatchup[] h = new LeaderCatchup[1];
            CatchupTransport t = loop.transport((subj, r, p) -> h[0].onAck(subj, p, loop.now));
            h[0] = new LeaderCatchup(leaderCfg, leaderSubjects, budget, t, served,
                new CatchupLoop.TestLeaderNode(), inbox, req,
                () -> loop.soon(() -> h[0].onWake(loop.now)));
            loop.add(h[0]);
            return h[0];
          }));

      SyncRequestLimiter limiter = new SyncRequestLimiter();
      CatchupLoop.TestReplica replica = new CatchupLoop.TestReplica(follower, SYNC);
      CatchupLoop.TestNode node = new CatchupLoop.TestNode();
      CatchupState flag = new CatchupState();
      Object[] result = new Object[1];
      int rounds = 0;
      // The stream's monitor restarts a catch-up that gave up (a cluster-reset error).
      while (true) {
        rounds++;
        result[0] = null;
        FollowerCatchup[] f = new FollowerCatchup[1];
        CatchupTransport t = loop.transport((s, r, p) -> f[0].onMessage(s, r, p, loop.now));
        f[0] = new FollowerCatchup(cfg, new SyncSubjects(new SplittableRandom(rnd.nextLong())),
            limiter, t, replica, node, flag, () -> true,
            () -> loop.soon(() -> f[0].onPermit(loop.now)), e -> result[0] = e == null ? "ok" : e);
        loop.add(f[0]);
        f[0].start(snap, 7, loop.now);
        assertThat(loop.runUntil(() -> result[0] != null, 3600 * SEC)).isTrue();
        if ("ok".equals(result[0])) {
          break;
        }
        CatchupError err = ((CatchupException) result[0]).error();
        if (Boolean.getBoolean("catchup.debug")) {
          System.out.println("round " + rounds + " " + err + " t=" + loop.now / SEC + " lseq="
              + replica.lseq + " want=" + snap.lastSeq() + " loss=" + loop.loss + " cfg="
              + leaderCfg.maxOutBytes() + "/" + leaderCfg.maxOutMsgs() + " gcb=" + budget.maxBytes()
              + " total=" + budget.totalBytes() + " old=" + oldFollower + " now=" + loop.now
              + " runs=" + loop.leaders());
        }
        assertThat(err).as("seed %d", seed).isIn(CatchupError.TOO_MANY_RETRIES,
            CatchupError.STALLED);
        assertThat(rounds).as("rounds").isLessThan(200);
      }
      assertThat(flag.isCatchingUp()).isFalse();
      assertThat(limiter.available()).isEqualTo(SyncRequestLimiter.DEFAULT_PERMITS);
      // Leader runs still open (stalled on lost acks) release their budget once they time out.
      loop.runUntil(() -> false, 120 * SEC);
      assertThat(budget.totalBytes()).isZero();
      assertSameStream(leader, follower);
      assertThat(replica.lseq).isEqualTo(leader.state().lastSeq());
    } finally {
      leader.close();
      follower.close();
    }
  }

  private static List<Consumer<StreamStore>> history(SplittableRandom rnd, long[] clock) {
    List<Consumer<StreamStore>> ops = new ArrayList<>();
    int n = 20 + rnd.nextInt(400);
    long[] seq = {0};
    List<Long> present = new ArrayList<>();
    String[] subjects = {"a", "b", "c.d", "c.e"};
    for (int i = 0; i < n; i++) {
      int kind = rnd.nextInt(100);
      if (kind < 70 || present.isEmpty()) {
        long s = ++seq[0];
        long ts = ++clock[0];
        String subj = subjects[rnd.nextInt(subjects.length)];
        int size = rnd.nextInt(20) == 0 ? 9000 + rnd.nextInt(3000) : rnd.nextInt(200);
        byte[] data = new byte[size];
        if (rnd.nextBoolean()) {
          for (int k = 0; k < size; k++) {
            data[k] = (byte) rnd.nextInt(256);
          }
        }
        byte[] hdr = rnd.nextInt(5) == 0
            ? ("NATS/1.0\r\nNats-Msg-Id: m" + s + "\r\n\r\n").getBytes()
            : null;
        ops.add(st -> st.storeAt(s, ts, subj, hdr, data));
        present.add(s);
      } else if (kind < 85) {
        long victim = present.remove(rnd.nextInt(present.size()));
        ops.add(st -> st.remove(victim));
      } else if (kind < 92) {
        long first = seq[0] + 1;
        long num = 1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 5000 : 20);
        seq[0] += num;
        ops.add(st -> st.skip(first, num));
      } else if (kind < 97) {
        String subj = subjects[rnd.nextInt(subjects.length)];
        ops.add(st -> st.purge(subj, 0, 0));
        // The model of what is present is only used to pick removals; stale entries are harmless.
      } else {
        ops.add(StreamStore::purge);
        present.clear();
      }
    }
    return ops;
  }

  private static void assertSameStream(StreamStore leader, StreamStore follower) {
    StreamState l = leader.state();
    StreamState f = follower.state();
    assertThat(f.msgs()).as("msgs").isEqualTo(l.msgs());
    assertThat(f.bytes()).as("bytes").isEqualTo(l.bytes());
    assertThat(f.firstSeq()).as("first").isEqualTo(l.firstSeq());
    assertThat(f.lastSeq()).as("last").isEqualTo(l.lastSeq());
    assertThat(f.numDeleted()).as("numDeleted").isEqualTo(l.numDeleted());
    assertThat(Arrays.equals(follower.deletedSequences(), leader.deletedSequences()))
        .as("deleted sequences").isTrue();
    StreamReplicatedState le = StreamStateCodec.decode(leader.encodedState(0, false));
    StreamReplicatedState fe = StreamStateCodec.decode(follower.encodedState(0, false));
    assertThat(fe.msgs()).isEqualTo(le.msgs());
    assertThat(fe.firstSeq()).isEqualTo(le.firstSeq());
    assertThat(fe.lastSeq()).isEqualTo(le.lastSeq());
    assertThat(fe.numDeleted()).isEqualTo(le.numDeleted());
    if (l.msgs() > 0) {
      for (long s = l.firstSeq(); s <= l.lastSeq(); s++) {
        StoredMessage a = leader.load(s);
        StoredMessage b = follower.load(s);
        assertThat(b).as("seq %d", s).isEqualTo(a);
      }
    }
  }
}
