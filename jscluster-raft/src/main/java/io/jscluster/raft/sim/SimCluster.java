package io.jscluster.raft.sim;

import io.jscluster.raft.RaftConfig;
import io.jscluster.raft.RaftNode;
import io.jscluster.raft.RaftState;
import io.jscluster.raft.wal.WalOptions;
import io.jscluster.raft.wire.NodeIds;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A Raft group of simulated servers on one {@link Simulation}: the deterministic in-process
 * harness for consensus tests. Server {@code nK} has node id {@code NodeIds.fromServerName("nK")}.
 */
public final class SimCluster {

  private final Simulation sim;
  private final SimNetwork network;
  private final InvariantChecker checker = new InvariantChecker();
  private final Map<String, SimNode> nodes = new LinkedHashMap<>();
  private final String group;
  private final WalOptions walOptions;

  /**
   * Builds (but does not start) {@code size} servers n1..nSize with in-memory storage.
   *
   * @param seed the simulation seed
   * @param size number of servers
   * @param customize adjusts each server's configuration (identity for NRG defaults)
   */
  public SimCluster(long seed, int size, UnaryOperator<RaftConfig> customize) {
    this(seed, size, customize, null);
  }

  /**
   * Builds (but does not start) {@code size} servers n1..nSize; with {@code walOptions} each keeps
   * its state on its own {@link SimDisk} through the production file storage ({@link
   * io.jscluster.raft.wal.FileRaftLog} with these options, {@link
   * io.jscluster.raft.state.TermVoteFile}), otherwise in memory.
   *
   * @param seed the simulation seed
   * @param size number of servers
   * @param customize adjusts each server's configuration (identity for NRG defaults)
   * @param walOptions options of each server's file log, or null for in-memory storage
   */
  public SimCluster(long seed, int size, UnaryOperator<RaftConfig> customize,
      WalOptions walOptions) {
    this.walOptions = walOptions;
    this.sim = new Simulation(seed);
    this.network = new SimNetwork(sim);
    this.group = "G" + size;
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      ids.add(NodeIds.fromServerName("n" + i));
    }
    for (int i = 1; i <= size; i++) {
      String name = "n" + i;
      RaftConfig cfg = customize.apply(RaftConfig.of(group, NodeIds.fromServerName(name), ids));
      nodes.put(name, new SimNode(this, name, cfg, walOptions));
    }
  }

  /** A cluster of {@code size} servers with default configuration. */
  public SimCluster(long seed, int size) {
    this(seed, size, c -> c);
  }

  /**
   * Adds a server that is not in the bootstrap peer set (for membership tests); not started.
   */
  public SimNode addServer(String name, UnaryOperator<RaftConfig> customize) {
    List<String> ids = new ArrayList<>();
    for (SimNode n : nodes.values()) {
      ids.add(n.id());
    }
    String id = NodeIds.fromServerName(name);
    ids.add(id);
    SimNode n = new SimNode(this, name, customize.apply(RaftConfig.of(group, id, ids)), walOptions);
    nodes.put(name, n);
    return n;
  }

  /** The simulation. */
  public Simulation sim() {
    return sim;
  }

  /** The network. */
  public SimNetwork network() {
    return network;
  }

  /** The invariant checker. */
  public InvariantChecker checker() {
    return checker;
  }

  /** The group name. */
  public String group() {
    return group;
  }

  /** Server {@code name}. */
  public SimNode node(String name) {
    SimNode n = nodes.get(name);
    if (n == null) {
      throw new IllegalArgumentException("no server " + name);
    }
    return n;
  }

  /** All servers, in creation order. */
  public Collection<SimNode> nodes() {
    return nodes.values();
  }

  /** The running servers. */
  public List<SimNode> alive() {
    List<SimNode> out = new ArrayList<>();
    for (SimNode n : nodes.values()) {
      if (n.alive()) {
        out.add(n);
      }
    }
    return out;
  }

  /** Starts every server that is not running. */
  public SimCluster start() {
    for (SimNode n : nodes.values()) {
      if (!n.alive()) {
        n.start();
      }
    }
    return this;
  }

  /** The running server in state LEADER with the highest term, or null. */
  public SimNode leader() {
    SimNode best = null;
    for (SimNode n : alive()) {
      RaftNode r = n.raft();
      if (r.state() == RaftState.LEADER && (best == null || r.term() > best.raft().term())) {
        best = n;
      }
    }
    return best;
  }

  /** Runs until a leader has completed its election ({@code isLeader()}) or the time passed. */
  public SimNode awaitLeader(long maxMillis) {
    sim.runUntil(() -> {
      SimNode l = leader();
      return l != null && l.raft().isLeader();
    }, maxMillis);
    SimNode l = leader();
    return l != null && l.raft().isLeader() ? l : null;
  }

  /**
   * Proposes {@code data} through the current leader; returns false when there is none (or it
   * refused).
   */
  public boolean propose(byte[] data) {
    SimNode l = leader();
    if (l == null || !l.raft().isLeader()) {
      return false;
    }
    try {
      l.input(r -> r.propose(sim.now(), r.term(), data));
      return true;
    } catch (io.jscluster.raft.RaftException e) {
      return false;
    }
  }

  /** True when every running server has applied index {@code index}. */
  public boolean allApplied(long index) {
    for (SimNode n : alive()) {
      if (n.raft().appliedIndex() < index) {
        return false;
      }
    }
    return true;
  }

  /** Runs until every running server applied {@code index}, or the time passed. */
  public boolean awaitApplied(long index, long maxMillis) {
    return sim.runUntil(() -> allApplied(index), maxMillis);
  }
}
