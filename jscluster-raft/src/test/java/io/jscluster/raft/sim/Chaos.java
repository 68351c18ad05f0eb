package io.jscluster.raft.sim;

import io.jscluster.raft.RaftException;
import io.jscluster.raft.RaftState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * One randomised run: a chaos phase of partitions, one-way cuts, crashes and restarts, loss,
 * delay, duplication, reordering and proposals; then a healing phase; then the invariant checks.
 * Everything derives from the seed.
 */
final class Chaos {

  record Result(long seed, int size, List<String> violations, long traceHash, long virtualMillis,
      long events, long committed, long readsServed) {}

  private Chaos() {}

  /**
   * Runs one seed. Every fourth seed switches pre-vote off, so the NRG election rules are exercised
   * without the extension's protection too.
   */
  static Result run(long seed, int size, long chaosMillis) {
    boolean preVote = Math.floorMod(seed, 4) != 3;
    SimCluster c = new SimCluster(seed, size, cfg -> cfg.withPreVote(preVote)).start();
    Simulation sim = c.sim();
    Random rnd = new Random(seed * 0x9E3779B97F4A7C15L + 17);
    SimNetwork net = c.network();
    List<SimNode> nodes = new ArrayList<>(c.nodes());
    int proposals = 0;
    long reads = 0;
    long end = sim.now() + chaosMillis;
    while (sim.now() < end) {
      for (SimNode n : c.alive()) {
        if (n.raft().state() == RaftState.LEADER && rnd.nextInt(10) < 7) {
          for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
            byte[] data = ("p" + seed + "-" + proposals++).getBytes(StandardCharsets.UTF_8);
            try {
              // Stale leaders are proposed to as well: term fencing must hold.
              n.raft().propose(sim.now(), n.raft().term(), data);
            } catch (RaftException expected) {
              // not leader / overrun
            }
          }
          n.input(r -> { });
        }
      }
      for (SimNode n : c.alive()) {
        if (n.raft().state() == RaftState.LEADER && rnd.nextInt(10) < 3) {
          long id = reads++;
          c.checker().onReadRequested(id);
          try {
            n.input(r -> r.readIndex(sim.now(), id));
          } catch (RaftException expected) {
            // not leader
          }
        }
      }
      int action = rnd.nextInt(1000);
      if (action < 15) {
        List<SimNode> up = c.alive();
        if (up.size() > 1) {
          up.get(rnd.nextInt(up.size())).crash(rnd.nextInt(3));
        }
      } else if (action < 45) {
        SimNode n = nodes.get(rnd.nextInt(nodes.size()));
        if (!n.alive()) {
          n.start();
        }
      } else if (action < 60) {
        Set<String> side = new HashSet<>();
        for (SimNode n : nodes) {
          if (rnd.nextBoolean()) {
            side.add(n.name());
          }
        }
        net.partition(side);
      } else if (action < 70) {
        SimNode a = nodes.get(rnd.nextInt(nodes.size()));
        SimNode b = nodes.get(rnd.nextInt(nodes.size()));
        net.cut(a.name(), b.name());
      } else if (action < 100) {
        net.heal();
      } else if (action < 115) {
        net.setDropRate(rnd.nextDouble() * 0.2);
        net.setDuplicateRate(rnd.nextDouble() * 0.1);
        net.setReorderRate(rnd.nextDouble() * 0.1);
        long min = rnd.nextInt(5);
        net.setDelay(min, min + rnd.nextInt(50));
      } else if (action < 120) {
        SimNode n = nodes.get(rnd.nextInt(nodes.size()));
        if (n.alive() && n.raft().state() == RaftState.LEADER) {
          try {
            n.input(r -> r.stepDown(sim.now()));
          } catch (RaftException expected) {
            // raced with a state change
          }
        }
      }
      sim.runFor(20 + rnd.nextInt(200));
    }
    // Heal everything and let the group converge.
    net.heal();
    net.setDelay(1, 5);
    for (SimNode n : nodes) {
      if (!n.alive()) {
        n.start();
      }
    }
    SimNode leader = c.awaitLeader(120_000);
    List<String> violations = new ArrayList<>(c.checker().violations());
    long committed = 0;
    if (leader == null) {
      violations.add("no leader after healing");
    } else {
      boolean proposed = false;
      for (int attempt = 0; attempt < 5 && !proposed; attempt++) {
        proposed = c.propose("final".getBytes(StandardCharsets.UTF_8));
        if (!proposed) {
          c.awaitLeader(30_000);
        }
      }
      // Wait until every live node applied everything anyone applied (leadership may still move).
      boolean converged = false;
      long target = 0;
      for (int round = 0; round < 6 && proposed && !converged; round++) {
        SimNode l = c.leader();
        target = Math.max(l == null ? 0 : l.raft().lastIndex(),
            c.checker().committed().isEmpty() ? 0 : c.checker().committed().lastKey());
        converged = c.awaitApplied(target, 60_000) && c.checker().committed().lastKey() <= target;
      }
      if (!converged) {
        violations.add("not converged after healing: " + describe(c));
      }
      committed = target;
      c.checker().checkLogMatching(c.alive());
      c.checker().checkConverged(c.alive());
      violations = new ArrayList<>(c.checker().violations());
    }
    long served = 0;
    for (SimNode n : nodes) {
      served += n.readsReady().size();
    }
    return new Result(seed, size, violations, sim.traceHash(), sim.now(), sim.executedEvents(),
        committed, served);
  }

  static String describe(SimCluster c) {
    StringBuilder sb = new StringBuilder();
    for (SimNode n : c.nodes()) {
      if (!n.alive()) {
        sb.append(n.name()).append(" down; ");
        continue;
      }
      var r = n.raft();
      sb.append(n.name()).append(' ').append(r.state()).append(" t").append(r.term())
          .append(" p").append(r.lastIndex()).append('/').append(r.lastTerm())
          .append(" c").append(r.commitIndex()).append(" a").append(r.appliedIndex())
          .append(r.isCatchingUp() ? " catchup" : "").append("; ");
    }
    return sb.toString();
  }
}
