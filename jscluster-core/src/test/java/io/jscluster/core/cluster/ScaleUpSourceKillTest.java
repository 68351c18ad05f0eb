package io.jscluster.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.codec.meta.StreamAssignment;
import io.jscluster.codec.meta.StreamConfig;
import io.jscluster.core.ClusterNode;
import io.jscluster.core.Headers;
import io.jscluster.core.PubAck;
import io.jscluster.core.StreamConfigs;
import io.jscluster.testing.SeedRange;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reverse of ReplicaScalingCampaignTest seed 7558: an R1 stream is scaled up to R3 and its R1
 * source is killed ({@code kill -9}) right after the meta group committed the scale-up — at once,
 * a little later, or once the group formed and took publishes — then restarted cut off from the
 * others (so its meta log cannot catch up past what its own replay reaches) or kept down for a
 * while. Whatever the restarted source and the rest acknowledge meanwhile must, after healing, be
 * on every replica once at its acknowledged sequence, with identical replicas.
 *
 * <p>Two stretches without acknowledgements are expected (traced at seed 1015, see {@link
 * #seed1015SourceKilledBeforeItsMigrationAddedPeersIsAloneAndDownUntilItsElection}): the scale-up
 * is carried out by the stream leader's migration (nats-server {@code runStreamMigration}), which
 * asks the meta leader to add the new peers only on its third 500 ms step; killed before that, the
 * source leaves an assignment that still lists only itself, so no other node holds a replica and
 * the stream is down until the source is back. A restarted source whose meta replay reaches the
 * scale-up entry leads its one-member group only after a random election timeout (NRG: 4-9 s, no
 * immediate campaign once the term is above 0), so its publishes 2 s after the restart are
 * refused; the second probe, 10 s after the restart, comes after the longest election timeout, so
 * a source that may lead alone always shows it there. (Killed within ~550 ms of the commit, before
 * any later meta entry carried the scale-up's commit, its replay stops short of it and it runs the
 * plain R1 stream, acknowledging at once; no other node holds a replica then.) {@code -Djscluster.campaign.trace=true}
 * prints each change of every node's meta and stream state at 10 ms resolution.
 */
class ScaleUpSourceKillTest {

  static final long T = 300_000;

  /** {@code -Djscluster.campaign.trace=true} prints every change of the nodes' state (for replays). */
  static final boolean TRACE = Boolean.getBoolean("jscluster.campaign.trace");

  /**
   * What one run acknowledged where.
   *
   * @param groupAcks acknowledged by the group while the source was down or cut off
   * @param firstAloneAcks acknowledged by the cut-off source 2 s after its restart
   * @param secondAloneAcks acknowledged by the cut-off source 10 s after its restart
   * @param othersHeldReplica whether a node other than the source held a replica while it was down
   */
  record Outcome(int groupAcks, int firstAloneAcks, int secondAloneAcks, boolean othersHeldReplica) {}

  static StreamConfig cfg(int replicas) {
    return StreamConfigs.builder("S").subjects("s.>").replicas(replicas).storage(StorageType.FILE).build();
  }

  @Test
  @DisplayName("R1 -> R3 with the R1 source killed right after the scale-up commits, restarted isolated or"
      + " kept down, under publishes on both sides: nothing acknowledged is lost or stored twice")
  void sourceKilledRightAfterTheScaleUpCommits(@TempDir Path dir) {
    long[] killDelays = {0, 5, 40, 300, 1_500, -1};
    int run = 0;
    for (long delay : killDelays) {
      for (boolean restartIsolated : new boolean[] {true, false}) {
        run(900 + run, delay, restartIsolated, dir.resolve("r" + run));
        run++;
      }
    }
  }

  @Test
  @DisplayName("R1 -> R3 source kill at random moments of the scale-up (seeds from -Djscluster.sim.seedStart"
      + " / -Djscluster.sim.seeds): nothing acknowledged is lost or stored twice")
  void sourceKilledAtRandomMomentsOfTheScaleUp(@TempDir Path dir) {
    SeedRange seeds = SeedRange.fromSystemProperties(8);
    for (int i = 0; i < seeds.count(); i++) {
      long seed = seeds.seed(i);
      java.util.Random rnd = new java.util.Random(seed * 31 + 7);
      long delay = rnd.nextInt(10) == 0 ? -1 : rnd.nextInt(4_000);
      run(seed, delay, rnd.nextBoolean(), dir.resolve("s" + seed));
    }
  }

  @Test
  @DisplayName("Seed 1015: the source killed 1180 ms after the scale-up commits, before its migration asked"
      + " for the new peers, leaves the stream down until it is back; restarted cut off, it takes publishes"
      + " only once its election timeout elapsed")
  void seed1015SourceKilledBeforeItsMigrationAddedPeersIsAloneAndDownUntilItsElection(@TempDir Path dir) {
    // Virtual time: scale-up committed at 4115 ms; n3 (the source) created its one-member group
    // and led it at 4175 (term 1, immediate campaign of the preferred peer at term 0). Migration
    // steps every 500 ms: 4675 asked the meta leader to record its term (meta entry 4), 5175
    // installed the stream snapshot; the next step (5675) would have asked for the new peers.
    // Killed at 5295, so the assignment kept peers=[n3]: no other node had a replica and nothing
    // was acknowledged until 14295. Restarted cut off at 14295, n3 replayed its meta log to
    // commit 3 of 4 and recreated its group at term 1; with a term above 0 it waits a random
    // election timeout (5160 ms here, NRG 4-9 s) and leads at 19455 (term 2). The batch at 16295
    // got 10009 (no leader), the one at 24295 was acknowledged at 11-13; after the heal the
    // migration requested the desired state again (term 2) and finished with all 18 messages.
    Outcome o = run(1015, 1180, true, dir);
    assertThat(o.othersHeldReplica()).as("a replica beyond the source before the expand step").isFalse();
    assertThat(o.groupAcks()).isZero();
    assertThat(o.firstAloneAcks()).as("acknowledged before the election timeout elapsed").isZero();
    assertThat(o.secondAloneAcks()).as("acknowledged once the source led its one-member group").isEqualTo(3);
  }

  /**
   * @param killDelay virtual ms between the committed scale-up and the kill; -1 kills once the R3
   *     group finished forming and acknowledged publishes of its own
   */
  static Outcome run(long seed, long killDelay, boolean restartIsolated, Path dir) {
    String label = "seed " + seed + ", kill " + (killDelay < 0 ? "after the group formed" : killDelay + " ms")
        + " after the commit, restart " + (restartIsolated ? "isolated" : "after a while down");
    System.out.println("ScaleUpSourceKill " + label);
    try (InProcessCluster c = InProcessCluster.builder().nodes(5).seed(seed).requestTimeout(5_000)
        .fileStorage(dir).build()) {
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(cfg(1));
      Map<String, Long> acked = new HashMap<>();
      int[] next = {0};
      publishVia(c, c.replicas("S").get(0), 10, acked, next);
      String source = c.replicas("S").get(0).name();
      int groupAcks = 0;
      int firstAlone = 0;
      int secondAlone = 0;
      boolean othersHeld = false;

      CompletableFuture<StreamAssignment> up = c.metaLeader().updateStream(cfg(3));
      c.runUntil(up::isDone, 10_000);
      assertThat(up).as(label).isCompleted();
      if (killDelay < 0) {
        c.awaitMigrated("S", T);
        ClusterNode l = c.awaitStreamLeader("S", T);
        groupAcks += publishVia(c, l, 10, acked, next);
      } else {
        watch(c, killDelay);
      }
      c.kill(source);

      // The others go on: whoever leads the group (if it formed) takes publishes.
      for (int round = 0; round < 3; round++) {
        watch(c, 3_000);
        othersHeld |= !c.replicas("S").isEmpty();
        ClusterNode l = c.streamLeader("S");
        if (l != null) {
          groupAcks += publishVia(c, l, 3, acked, next);
        }
      }
      if (restartIsolated) {
        c.isolate(source);
        c.restart(source);
        // The source's own view after its replay, with no meta contact: it must not take
        // publishes as an R1 stream the rest of the cluster moved away from.
        watch(c, 2_000);
        firstAlone = publishVia(c, c.node(source), 3, acked, next);
        // Past the longest election timeout (9 s): a source able to lead alone leads by now.
        watch(c, 8_000);
        secondAlone = publishVia(c, c.node(source), 3, acked, next);
        ClusterNode l = c.streamLeader("S");
        if (l != null && !l.name().equals(source)) {
          groupAcks += publishVia(c, l, 3, acked, next);
        }
        c.heal();
      } else {
        watch(c, 20_000);
        c.restart(source);
      }
      c.awaitMetaLeader(T);
      try {
        c.awaitMigrated("S", T);
      } catch (IllegalStateException e) {
        throw new AssertionError(label + ": " + e.getMessage() + ReplicaScalingCampaignTest.status(c), e);
      }
      ClusterNode l = c.awaitStreamLeader("S", T);
      publishVia(c, l, 5, acked, next);
      c.awaitCurrent("S", T);
      try {
        ReplicaScalingCampaignTest.check(c, acked);
      } catch (AssertionError e) {
        throw new AssertionError(label + ": " + e.getMessage(), e);
      }
      assertThat(c.replicas("S")).as(label).hasSize(3);
      System.out.println("ScaleUpSourceKill " + label + ": " + acked.size() + " acked (" + groupAcks
          + " by the group while the source was down or cut off, " + (firstAlone + secondAlone)
          + " by the cut-off source), R3 on "
          + MembershipScenariosTest.names(c, "S"));
      return new Outcome(groupAcks, firstAlone, secondAlone, othersHeld);
    }
  }

  /** Runs {@code ms} of virtual time; when tracing, prints every change of the nodes' state. */
  static void watch(InProcessCluster c, long ms) {
    if (!TRACE) {
      c.runFor(ms);
      return;
    }
    String last = "";
    long end = c.simulation().now() + ms;
    while (c.simulation().now() < end) {
      c.runFor(Math.min(10, end - c.simulation().now()));
      StringBuilder b = new StringBuilder();
      for (ClusterNode n : c.liveNodes()) {
        var meta = n.metaHost().node();
        b.append(n.name()).append(" meta ").append(meta.state()).append(" commit=").append(meta.commitIndex())
            .append(" applied=").append(meta.appliedIndex());
        var r = n.replica("S");
        if (r != null && r.host() != null) {
          var rn = r.host().node();
          b.append(", S ").append(rn.state()).append(" term=").append(rn.term()).append(" snap=")
              .append(rn.snapshotIndex()).append(" last=").append(rn.lastIndex()).append(" commit=")
              .append(rn.commitIndex()).append(" observer=").append(rn.isObserver()).append(" paused=")
              .append(rn.isPaused()).append(" peers=").append(rn.peerIds()).append(" change=")
              .append(rn.membershipChangeInProgress()).append(" lastSeq=").append(r.store().lastSeq()).append(" migration=")
              .append(r.migrationStatus());
        }
        var sa = n.assignments().get("S");
        b.append(", assigned=").append(sa == null ? null : sa.group().peers()).append(sa == null
            || sa.group().desired() == null ? "" : " desired=" + sa.group().desired().peers() + " term="
            + sa.group().desired().term()).append("; ");
      }
      if (!b.toString().equals(last)) {
        last = b.toString();
        System.out.println("ScaleUpSourceKill at " + c.simulation().now() + " ms: " + b);
      }
    }
  }

  /** Publishes {@code n} de-duplicated messages through {@code via}; records what it acknowledged. */
  static int publishVia(InProcessCluster c, ClusterNode via, int n, Map<String, Long> acked, int[] next) {
    if (via == null || via.replica("S") == null) {
      return 0;
    }
    int ok = 0;
    List<CompletableFuture<PubAck>> fs = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = "id-" + (next[0]++);
      ids.add(id);
      fs.add(via.publish("S", "s.a", Headers.of(Headers.MSG_ID, id), id.getBytes(StandardCharsets.UTF_8)));
    }
    c.runUntil(() -> fs.stream().allMatch(CompletableFuture::isDone), 6_000);
    for (int i = 0; i < n; i++) {
      CompletableFuture<PubAck> f = fs.get(i);
      if (f.isDone() && !f.isCompletedExceptionally() && f.join().isOk()) {
        Long prev = acked.putIfAbsent(ids.get(i), f.join().seq());
        assertThat(prev == null || prev == f.join().seq()).as("id %s acked at %d and %s", ids.get(i),
            f.join().seq(), prev).isTrue();
        ok++;
      } else if (TRACE) {
        System.out.println("ScaleUpSourceKill publish " + ids.get(i) + " via " + via.name() + ": "
            + (!f.isDone() ? "no answer" : f.isCompletedExceptionally() ? f.handle((v, e) -> e).join() : f.join()));
      }
    }
    return ok;
  }
}
