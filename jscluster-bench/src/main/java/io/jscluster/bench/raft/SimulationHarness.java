package io.jscluster.bench.raft;

import io.jscluster.raft.CommittedEntry;
import io.jscluster.raft.RaftConfig;
import io.jscluster.raft.RaftEffects;
import io.jscluster.raft.RaftNode;
import io.jscluster.raft.RaftState;
import io.jscluster.raft.log.MemoryRaftLog;
import io.jscluster.raft.log.MemoryTermVoteStore;
import io.jscluster.raft.sim.Simulation;
import io.jscluster.raft.transport.InMemoryNetwork;
import io.jscluster.raft.transport.Transport;
import io.jscluster.raft.wire.Entry;
import io.jscluster.raft.wire.NodeIds;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The simulation runtime's shape, lean: one thread, virtual time ({@link Simulation}), the
 * {@link InMemoryNetwork} with every delivery an event at the current virtual time, three
 * {@link RaftNode}s on memory logs, an upper layer that confirms every index at once. No invariant
 * checker and no fault injection, so what is measured is the core's own cost: encoding, decoding,
 * log appends, commit and apply bookkeeping. Virtual time does not advance during a window, so no
 * heartbeat or election interferes.
 */
final class SimulationHarness implements CommitHarness {

  private final Simulation sim = new Simulation(1);
  private final InMemoryNetwork net = new InMemoryNetwork();
  private final List<Node> nodes = new ArrayList<>();
  private final List<Entry> batch = new ArrayList<>();

  /** One server: node, log, timer. */
  private final class Node implements RaftEffects {
    final Transport transport;
    final MemoryRaftLog log = new MemoryRaftLog();
    RaftNode raft;
    long timerAt = Long.MAX_VALUE;
    long timerGen;
    long applied;

    Node(String name) {
      transport = net.endpoint(name);
    }

    void afterInput() {
      long d = raft.nextDeadline();
      if (d != timerAt) {
        timerAt = d;
        long gen = ++timerGen;
        if (d != Long.MAX_VALUE) {
          sim.schedule(d, () -> {
            if (gen == timerGen) {
              timerAt = Long.MAX_VALUE;
              raft.tick(sim.now());
              afterInput();
            }
          });
        }
      }
    }

    @Override
    public void send(String subject, String reply, byte[] payload) {
      transport.send(subject, reply, payload);
    }

    @Override
    public void subscribe(String subject) {
      transport.subscribe(subject, (s, r, p) -> {
        raft.receive(sim.now(), s, r, p);
        raft.flush(sim.now());
        afterInput();
      });
    }

    @Override
    public void unsubscribe(String subject) {
      // Subscriptions are never dropped in this harness (no leader change during a run).
    }

    @Override
    public void apply(CommittedEntry entry) {
      long index = entry.index();
      if (index == 0) {
        return;
      }
      sim.after(0, () -> {
        applied = index;
        raft.applied(sim.now(), index);
        // No snapshots in this core yet: drop what is applied so the heap stays flat.
        // Keep the live set (what every young GC copies) to the last two batches.
        if (index > 2) {
          log.compactUpTo(index - 2);
        }
        afterInput();
      });
    }

    @Override
    public void applyMarker() {}

    @Override
    public void leaderChanged(boolean isLeader, long term) {}
  }

  SimulationHarness() {
    net.setDispatcher(e -> sim.after(0, () -> net.deliver(e)));
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      ids.add(NodeIds.fromServerName("n" + i));
    }
    Random seeds = new Random(7);
    for (int i = 0; i < 3; i++) {
      Node n = new Node("n" + (i + 1));
      n.raft = new RaftNode(RaftConfig.of("BENCH", ids.get(i), ids), n.log,
          new MemoryTermVoteStore(), new Random(seeds.nextLong()), n);
      nodes.add(n);
    }
    for (Node n : nodes) {
      n.raft.start(sim.now());
      n.afterInput();
    }
    Node first = nodes.get(0);
    first.raft.campaign(sim.now());
    first.afterInput();
    if (!sim.runUntil(first.raft::isLeader, 60_000)) {
      throw new IllegalStateException("no leader in the simulation");
    }
  }

  @Override
  public void commitWindow(byte[] payload, int count) {
    Node leader = nodes.get(0);
    RaftNode r = leader.raft;
    if (r.state() != RaftState.LEADER) {
      throw new IllegalStateException("leader lost");
    }
    batch.clear();
    for (int i = 0; i < count; i++) {
      batch.add(Entry.normal(payload));
    }
    long now = sim.now();
    r.proposeMulti(now, r.term(), batch);
    r.flush(now);
    long target = r.lastIndex();
    leader.afterInput();
    while (leader.applied < target) {
      sim.runUntil(() -> leader.applied >= target, 1);
    }
  }

  @Override
  public void close() {
    for (Node n : nodes) {
      n.raft.stop();
    }
  }
}
