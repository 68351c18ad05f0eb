package io.jscluster.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.RaftException;
import io.jscluster.raft.RaftState;
import io.jscluster.raft.snapshot.SnapshotFileName;
import io.jscluster.testing.SeedRange;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A randomised campaign for snapshots: 3- and 5-node groups where nodes take snapshots at random
 * (forced or not) while crashes, restarts, partitions, loss and reordering go on, so followers are
 * caught up from snapshots, snapshots are installed between crashes, and now and then the newest
 * snapshot of a crashed node is damaged before it restarts (one node at a time, a minority). The
 * invariant checker compares every restored snapshot entry by entry with what was committed; after
 * healing every live node must have applied everything, identically.
 *
 * <p>Replay one seed: {@code -Djscluster.sim.seedStart=<seed> -Djscluster.sim.seeds=1
 * -Dtest=SnapshotCampaignTest}.
 */
class SnapshotCampaignTest {

  static final int DEFAULT_SEEDS = 60;
  static final long CHAOS_MILLIS = 40_000;

  record Result(List<String> violations, long snapshots, long restoredFromLeader, long damaged) {}

  @Test
  @DisplayName("snapshots under random faults keep Raft safety, and healing converges")
  void campaign() {
    SeedRange range = SeedRange.fromSystemProperties(DEFAULT_SEEDS);
    List<String> failures = new ArrayList<>();
    long snapshots = 0;
    long restored = 0;
    long damaged = 0;
    for (int i = 0; i < range.count(); i++) {
      long seed = range.seed(i);
      Result r = run(seed);
      snapshots += r.snapshots();
      restored += r.restoredFromLeader();
      damaged += r.damaged();
      if (!r.violations().isEmpty()) {
        String msg = "seed " + seed + " replay with -Djscluster.sim.seedStart=" + seed
            + " -Djscluster.sim.seeds=1: " + r.violations();
        System.out.println("SnapshotCampaignTest FAILED " + msg);
        failures.add(msg);
      }
    }
    System.out.println("SnapshotCampaignTest seeds " + range.start() + ".."
        + (range.start() + range.count() - 1) + ": " + failures.size() + " failing, "
        + snapshots + " snapshots taken, " + restored + " leader snapshots installed, "
        + damaged + " snapshots damaged");
    assertThat(failures).isEmpty();
    if (range.count() >= DEFAULT_SEEDS) {
      assertThat(restored).as("the campaign exercises catch-up from snapshots").isPositive();
      assertThat(damaged).as("the campaign exercises damaged snapshots").isPositive();
    }
  }

  static Result run(long seed) {
    int size = Math.floorMod(seed, 2) == 0 ? 3 : 5;
    boolean preVote = Math.floorMod(seed, 4) != 3;
    SimCluster c = new SimCluster(seed, size, cfg -> cfg.withPreVote(preVote)).start();
    Simulation sim = c.sim();
    Random rnd = new Random(seed * 0x2545F4914F6CDD1DL + 5);
    SimNetwork net = c.network();
    List<SimNode> nodes = new ArrayList<>(c.nodes());
    Set<SimNode> damagedDown = new HashSet<>();
    // Damaged nodes not yet seen back at the index they held: at most one at a time (a minority).
    Set<SimNode> suspect = new HashSet<>();
    long snapshots = 0;
    long damaged = 0;
    int proposals = 0;
    long end = sim.now() + CHAOS_MILLIS;
    while (sim.now() < end) {
      SimNode l = c.leader();
      if (l != null && rnd.nextInt(10) < 7) {
        for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
          byte[] data = ("s" + seed + "-" + proposals++).getBytes(StandardCharsets.UTF_8);
          try {
            l.raft().propose(sim.now(), l.raft().term(), data);
          } catch (RaftException expected) {
            // not leader (yet) or overrun
          }
        }
        l.input(r -> { });
      }
      suspect.removeIf(n -> n.alive() && !damagedDown.contains(n)
          && n.raft().lostStateUpTo() == 0);
      int action = rnd.nextInt(1000);
      if (action < 20) {
        List<SimNode> up = c.alive();
        if (up.size() > 1) {
          up.get(rnd.nextInt(up.size())).crash(rnd.nextInt(3));
        }
      } else if (action < 60) {
        SimNode n = nodes.get(rnd.nextInt(nodes.size()));
        if (!n.alive()) {
          n.start();
          damagedDown.remove(n);
        }
      } else if (action < 75) {
        Set<String> side = new HashSet<>();
        for (SimNode n : nodes) {
          if (rnd.nextBoolean()) {
            side.add(n.name());
          }
        }
        net.partition(side);
      } else if (action < 110) {
        net.heal();
      } else if (action < 120) {
        net.setDropRate(rnd.nextDouble() * 0.1);
        net.setReorderRate(rnd.nextDouble() * 0.1);
        net.setDuplicateRate(rnd.nextDouble() * 0.05);
      } else if (action < 200) {
        List<SimNode> up = c.alive();
        SimNode n = up.get(rnd.nextInt(up.size()));
        try {
          n.snapshot(rnd.nextInt(4) == 0);
          snapshots++;
        } catch (RaftException expected) {
          // nothing new applied, a checkpoint or catch-up in the way
        }
      } else if (action < 210 && suspect.isEmpty()) {
        // Damage the newest snapshot of one crashed node (a minority of one).
        for (SimNode n : nodes) {
          if (!n.alive()) {
            Optional<SnapshotFileName.TermIndex> newest = newest(n);
            if (newest.isPresent() && n.snapshots().flipBit(newest.get().term(),
                newest.get().index(), rnd.nextLong())) {
              damagedDown.add(n);
              suspect.add(n);
              damaged++;
            }
            break;
          }
        }
      }
      sim.runFor(20 + rnd.nextInt(200));
    }
    net.heal();
    net.setDropRate(0);
    net.setReorderRate(0);
    net.setDuplicateRate(0);
    for (SimNode n : nodes) {
      if (!n.alive()) {
        n.start();
      }
    }
    List<String> violations = new ArrayList<>();
    SimNode leader = c.awaitLeader(180_000);
    if (leader == null) {
      violations.add("no leader after healing: " + Chaos.describe(c));
    } else {
      boolean proposed = false;
      for (int attempt = 0; attempt < 5 && !proposed; attempt++) {
        proposed = c.propose("final".getBytes(StandardCharsets.UTF_8));
        if (!proposed) {
          c.awaitLeader(30_000);
        }
      }
      boolean converged = false;
      for (int round = 0; round < 6 && proposed && !converged; round++) {
        SimNode cur = c.leader();
        long target = Math.max(cur == null ? 0 : cur.raft().lastIndex(),
            c.checker().committed().isEmpty() ? 0 : c.checker().committed().lastKey());
        converged = c.awaitApplied(target, 60_000)
            && c.checker().committed().lastKey() <= target;
      }
      if (!converged) {
        violations.add("not converged after healing: " + Chaos.describe(c));
      }
      c.checker().checkLogMatching(c.alive());
      c.checker().checkConverged(c.alive());
    }
    violations.addAll(c.checker().violations());
    // Every snapshot write not taken by a node itself installed a leader's snapshot.
    long writes = 0;
    for (SimNode n : nodes) {
      writes += n.snapshots().writes();
    }
    return new Result(violations, snapshots, writes - snapshots, damaged);
  }

  private static Optional<SnapshotFileName.TermIndex> newest(SimNode n) {
    SnapshotFileName.TermIndex best = null;
    for (String name : n.snapshots().names()) {
      Optional<SnapshotFileName.TermIndex> ti = SnapshotFileName.parse(name);
      if (ti.isPresent() && (best == null || ti.get().term() > best.term()
          || ti.get().term() == best.term() && ti.get().index() > best.index())) {
        best = ti.get();
      }
    }
    return Optional.ofNullable(best);
  }
}
