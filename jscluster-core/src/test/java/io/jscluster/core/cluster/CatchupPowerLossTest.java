package io.jscluster.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.core.ClusterNode;
import io.jscluster.core.PubAck;
import io.jscluster.core.StreamConfigs;
import io.jscluster.core.store.StoredMessage;
import io.jscluster.core.store.SyncPolicy;
import io.jscluster.core.stream.StreamReplica;
import io.jscluster.core.sync.FollowerCatchup;
import io.jscluster.raft.sim.SimDisk;
import io.jscluster.testing.SeedRange;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A follower that loses power in the middle of a snapshot catch-up whose store writes are not
 * forced batch by batch (a replicated file store under {@link SyncPolicy#INTERVAL}, as with
 * background forces: the catch-up's acks are flow control, and the store is forced once, when
 * the end marker completes the catch-up, as in nats-server's {@code processSnapshot}).
 *
 * <p>After the power comes back the follower holds whatever prefix of the catch-up its disk kept
 * (nothing, some, or a torn last write that the store's checksums cut off), asks again from what
 * its store really holds and converges: every acknowledged message is on every replica with the
 * same content, and at no point does its Raft state claim more than its store holds — its applied
 * index does not reach the snapshot before its store holds the snapshot's last sequence, and it
 * never reports itself current before that.
 */
class CatchupPowerLossTest {

  static final long T = SnapshotScenariosTest.T;
  private static final String STREAM = "CU";
  private static final int MSGS = 600;
  private static final int SIZE = 2_048;
  private static final int BACKGROUND_MSGS = 1_200;

  @Test
  @DisplayName("power loss mid snapshot catch-up (unforced catch-up writes, every crash mode): the follower restarts"
      + " its catch-up from what its store holds, converges, loses no acknowledged message, and its Raft state"
      + " never claims more than its store holds")
  void powerLossMidCatchup() {
    runSeeds(false);
  }

  @Test
  @DisplayName("power loss mid snapshot catch-up with background forces (INTERVAL replicated stores, the follower's"
      + " catch-up writes forced early on the store forcer while it goes on): same guarantees")
  void powerLossMidCatchupWithBackgroundWriteBack() {
    runSeeds(true);
  }

  private static void runSeeds(boolean background) {
    int midway = 0;
    long writeBacks = 0;
    SeedRange seeds = SeedRange.fromSystemProperties(6);
    for (int i = 0; i < seeds.count(); i++) {
      long seed = seeds.seed(i);
      SimDisk.CrashMode mode = SimDisk.CrashMode.values()[(int) Math.floorMod(seed, 3)];
      System.out.println("CatchupPowerLoss seed " + seed + " mode " + mode + " background forces " + background);
      long[] wb = {0};
      if (run(seed, mode, background, wb)) {
        midway++;
      }
      writeBacks += wb[0];
    }
    assertThat(midway).as("seeds whose power loss interrupted the catch-up").isPositive();
    if (background) {
      assertThat(writeBacks).as("background write-backs started by the interrupted catch-ups").isPositive();
    }
  }

  /**
   * One seed; returns whether the power went out before the catch-up completed. With {@code
   * background} the nodes force in the background (replicated stores under INTERVAL with a store
   * forcer, 2 ms per force), so the catch-up starts write-backs; {@code writeBacks[0]} gets how
   * many the first catch-up started.
   */
  private static boolean run(long seed, SimDisk.CrashMode mode, boolean background, long[] writeBacks) {
    Random rnd = new Random(seed * 31 + 7);
    // With background forces: more messages (several write-back floors' worth) and a wider
    // window for the power loss, which then falls among the catch-up's writes and write-backs.
    int msgs = background ? BACKGROUND_MSGS : MSGS;
    int window = background ? 40 : 8;
    InProcessCluster.Builder b = InProcessCluster.builder().nodes(3).seed(seed).simulatedDisks()
        .snapshotPolicy(SnapshotScenariosTest.SMALL);
    b = background ? b.backgroundForces(2) : b.storeSync(SyncPolicy.INTERVAL);
    try (InProcessCluster c = b.build()) {
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(StreamConfigs.builder(STREAM).subjects("cu.>").replicas(3).storage(StorageType.FILE).build());
      c.awaitStreamLeader(STREAM, T);
      ClusterScenariosTest.publishN(c, STREAM, "cu.a", 5);
      c.awaitCurrent(STREAM, T);
      String victim = ClusterScenariosTest.aFollower(c, STREAM).name();
      c.kill(victim);

      // Pipelined publishes the victim misses, with content that names the message.
      ClusterNode leader = c.awaitStreamLeader(STREAM, T);
      List<CompletableFuture<PubAck>> futures = new ArrayList<>();
      for (int i = 0; i < msgs; i++) {
        futures.add(leader.publish(STREAM, "cu." + (i % 3), null, payload(i)));
      }
      c.await(() -> futures.stream().allMatch(CompletableFuture::isDone), T, "the publishes");
      List<long[]> acked = new ArrayList<>();
      for (int i = 0; i < msgs; i++) {
        CompletableFuture<PubAck> f = futures.get(i);
        if (!f.isCompletedExceptionally() && f.join().isOk()) {
          acked.add(new long[] {i, f.join().seq()});
        }
      }
      assertThat(acked).as("acknowledged (seed %d)", seed).isNotEmpty();
      long last = c.state(leader.name(), STREAM).lastSeq();
      // Every running replica compacts its log, so the victim must take the snapshot path.
      for (ClusterNode n : c.liveNodes()) {
        StreamReplica r = n.replica(STREAM);
        c.await(() -> r.host().node().appliedIndex() >= r.host().node().commitIndex()
            && (r.snapshotNow() || r.host().node().snapshotIndex() >= r.host().node().appliedIndex()),
            T, "a snapshot on " + n.name());
      }
      long snapIndex = c.awaitStreamLeader(STREAM, T).replica(STREAM).host().node().snapshotIndex();

      c.restart(victim);
      c.await(() -> {
        StreamReplica r = replica(c, victim);
        return r != null && r.lastSnapshotCatchup() != null;
      }, T, "the snapshot catch-up to start (seed " + seed + ")");
      FollowerCatchup first = replica(c, victim).lastSnapshotCatchup();
      // The power goes out in the middle of one of the victim's next disk mutations: mostly the
      // catch-up's store writes (a write may reach the disk in part), sometimes a later one.
      long losses = c.powerLosses();
      c.armPowerLoss(victim, 1 + rnd.nextInt(window), mode, false);
      c.runUntil(() -> c.powerLosses() > losses, T);
      if (c.powerLosses() == losses) {
        c.disk(victim).disarmPowerLoss();
        c.powerLoss(victim, mode);
      }
      // Not completed: the power went before the end marker's flush returned (possibly inside it).
      boolean midway = !first.isDone() || first.error() != null;
      writeBacks[0] = first.writeBacks();
      System.out.println("  power loss on " + victim + " with " + first.messagesStored() + " of " + msgs
          + " caught-up messages stored, " + first.writeBacks() + " write-backs (snapshot last " + last + ", catch-up "
          + (midway ? "interrupted" : "completed") + ")");

      // From the reboot on, the victim's Raft state never claims more than its store holds.
      List<String> violations = new ArrayList<>();
      long[] heldAtBoot = {-1};
      c.await(() -> {
        StreamReplica r = replica(c, victim);
        if (r == null || r.host() == null) {
          return false;
        }
        long held = r.store().state().lastSeq();
        if (heldAtBoot[0] < 0) {
          heldAtBoot[0] = held;
        }
        long applied = r.host().node().appliedIndex();
        if (applied >= snapIndex && held < last && violations.isEmpty()) {
          violations.add("applied index " + applied + " reached the snapshot (" + snapIndex
              + ") with the store at " + held + " of " + last);
        }
        if (r.isCurrent() && held < last && violations.isEmpty()) {
          violations.add("reported current with the store at " + held + " of " + last);
        }
        return r.isCurrent() && held >= last;
      }, T, "the victim to be current again (seed " + seed + ")");
      assertThat(violations).as("seed %d, mode %s", seed, mode).isEmpty();
      c.awaitCurrent(STREAM, T);

      for (long[] a : acked) {
        for (ClusterNode n : c.replicas(STREAM)) {
          StoredMessage m = n.replica(STREAM).store().load(a[1]);
          assertThat(m).as("acknowledged seq %d on %s (seed %d)", a[1], n.name(), seed).isNotNull();
          assertThat(Arrays.equals(m.data(), payload((int) a[0])))
              .as("content of seq %d on %s (seed %d)", a[1], n.name(), seed).isTrue();
        }
      }
      SnapshotScenariosTest.assertSameState(c, STREAM);
      System.out.println("  after the reboot the store held " + heldAtBoot[0] + " of " + last);
      if (heldAtBoot[0] < last) {
        assertThat(replica(c, victim).catchupsStarted()).as("the rebooted victim caught up again (seed %d)", seed)
            .isPositive();
      }
      return midway;
    }
  }

  private static StreamReplica replica(InProcessCluster c, String name) {
    ClusterNode n = c.node(name);
    return n == null || n.stopped() ? null : n.replica(STREAM);
  }

  private static byte[] payload(int i) {
    byte[] b = new byte[SIZE];
    new Random(i).nextBytes(b);
    return b;
  }
}
