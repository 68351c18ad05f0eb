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
 */
class ScaleUpSourceKillTest {

  static final long T = 300_000;

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

  /**
   * @param killDelay virtual ms between the committed scale-up and the kill; -1 kills once the R3
   *     group finished forming and acknowledged publishes of its own
   */
  static void run(long seed, long killDelay, boolean restartIsolated, Path dir) {
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
      int aloneAcks = 0;

      CompletableFuture<StreamAssignment> up = c.metaLeader().updateStream(cfg(3));
      c.runUntil(up::isDone, 10_000);
      assertThat(up).as(label).isCompleted();
      if (killDelay < 0) {
        c.awaitMigrated("S", T);
        ClusterNode l = c.awaitStreamLeader("S", T);
        groupAcks += publishVia(c, l, 10, acked, next);
      } else {
        c.runFor(killDelay);
      }
      c.kill(source);

      // The others go on: whoever leads the group (if it formed) takes publishes.
      for (int round = 0; round < 3; round++) {
        c.runFor(3_000);
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
        c.runFor(2_000);
        aloneAcks += publishVia(c, c.node(source), 3, acked, next);
        c.runFor(5_000);
        aloneAcks += publishVia(c, c.node(source), 3, acked, next);
        ClusterNode l = c.streamLeader("S");
        if (l != null && !l.name().equals(source)) {
          groupAcks += publishVia(c, l, 3, acked, next);
        }
        c.heal();
      } else {
        c.runFor(20_000);
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
          + " by the group while the source was down or cut off, " + aloneAcks + " by the cut-off source), R3 on "
          + MembershipScenariosTest.names(c, "S"));
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
      }
    }
    return ok;
  }
}
