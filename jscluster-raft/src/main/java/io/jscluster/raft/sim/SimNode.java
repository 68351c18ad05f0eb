package io.jscluster.raft.sim;

import io.jscluster.raft.CommittedEntry;
import io.jscluster.raft.RaftConfig;
import io.jscluster.raft.RaftEffects;
import io.jscluster.raft.RaftNode;
import io.jscluster.raft.RaftState;
import io.jscluster.raft.log.MemoryRaftLog;
import io.jscluster.raft.log.MemoryTermVoteStore;
import io.jscluster.raft.snapshot.MemorySnapshotStorage;
import io.jscluster.raft.transport.Subscription;
import io.jscluster.raft.transport.Transport;
import io.jscluster.raft.wire.Entry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * One simulated server hosting one {@link RaftNode}: its durable storage (a {@link MemoryRaftLog}
 * with a crash model, a {@link MemoryTermVoteStore} and a {@link MemorySnapshotStorage}, which
 * survive crashes), its transport endpoint, its timer and a trivial upper layer that records what
 * it applies and confirms it. The upper layer's snapshot ({@link #snapshot()}) is the whole map of
 * applied entries, so a node restored from a snapshot holds exactly what it would have applied.
 *
 * <p>A crash throws away the node and everything volatile (state machine, subscriptions, timers,
 * unsynced log writes); a restart builds a new node from what the storage durably holds.
 */
public final class SimNode {

  private final SimCluster cluster;
  private final Simulation sim;
  private final String name;
  private final RaftConfig baseConfig;
  private final Transport transport;
  private MemoryRaftLog log;
  private final MemoryTermVoteStore termVote = new MemoryTermVoteStore();
  private final MemorySnapshotStorage snapshots;
  /** Bumped when the core drains its apply queue: scheduled applies of older epochs are dropped. */
  private int applyEpoch;
  private RaftNode node;
  private int incarnation;
  private boolean alive;
  private final Map<String, Subscription> subs = new LinkedHashMap<>();
  private long timerAt = Long.MAX_VALUE;
  private long timerGen;
  private final TreeMap<Long, List<Entry>> appliedEntries = new TreeMap<>();
  private final ArrayDeque<CommittedEntry> heldBack = new ArrayDeque<>();
  private boolean autoApply = true;
  private final List<Boolean> leaderSignals = new ArrayList<>();
  private final List<Long> readsReady = new ArrayList<>();
  private final List<Long> readsFailed = new ArrayList<>();
  private int markers;

  SimNode(SimCluster cluster, String name, RaftConfig config) {
    this.cluster = cluster;
    this.sim = cluster.sim();
    this.name = name;
    this.baseConfig = config;
    this.transport = cluster.network().network().endpoint(name);
    this.log = new MemoryRaftLog();
    this.snapshots = new MemorySnapshotStorage(config.group());
  }

  /** The snapshot storage (durable across crashes). */
  public MemorySnapshotStorage snapshots() {
    return snapshots;
  }

  /**
   * Takes a snapshot of the upper layer's state at the node's applied index, as one input.
   *
   * @return the log bytes the compaction freed
   * @throws io.jscluster.raft.RaftException as {@link RaftNode#installSnapshot(long, byte[], boolean)}
   */
  public long snapshot(boolean force) {
    long[] freed = new long[1];
    input(r -> freed[0] = r.installSnapshot(sim.now(),
        AppliedState.encode(appliedEntries.headMap(r.appliedIndex(), true)), force));
    return freed[0];
  }

  /** The server name (the network address). */
  public String name() {
    return name;
  }

  /** The Raft node id. */
  public String id() {
    return baseConfig.selfId();
  }

  /** The current Raft node (replaced on restart). */
  public RaftNode raft() {
    return node;
  }

  /** The log as the running node sees it. */
  public MemoryRaftLog log() {
    return log;
  }

  /** The term/vote store. */
  public MemoryTermVoteStore termVoteStore() {
    return termVote;
  }

  /** Whether the node is running. */
  public boolean alive() {
    return alive;
  }

  /** What the upper layer applied in this incarnation, by index. */
  public Map<Long, List<Entry>> applied() {
    return Collections.unmodifiableMap(appliedEntries);
  }

  /** The leader-change signals received in this incarnation ({@code true} = became leader). */
  public List<Boolean> leaderSignals() {
    return leaderSignals;
  }

  /** Read-index request ids reported ready. */
  public List<Long> readsReady() {
    return readsReady;
  }

  /** Read-index request ids reported failed. */
  public List<Long> readsFailed() {
    return readsFailed;
  }

  /** Apply-queue markers received in this incarnation. */
  public int markers() {
    return markers;
  }

  /**
   * When false, committed entries are held back instead of applied, so a test can drive the
   * processed/applied protocol by hand with {@link #applyNext()}.
   */
  public void setAutoApply(boolean on) {
    autoApply = on;
  }

  /** Committed entries held back while auto-apply is off. */
  public int heldBackCount() {
    return heldBack.size();
  }

  /** Applies the oldest held-back entry; returns false when none. */
  public boolean applyNext() {
    CommittedEntry ce = heldBack.poll();
    if (ce == null) {
      return false;
    }
    doApply(ce);
    return true;
  }

  /** Starts (or restarts) the node from its durable storage. */
  public void start() {
    if (alive) {
      throw new IllegalStateException(name + " already running");
    }
    alive = true;
    incarnation++;
    appliedEntries.clear();
    heldBack.clear();
    leaderSignals.clear();
    markers = 0;
    RaftConfig cfg = incarnation > 1 ? baseConfig.withRecovering(true) : baseConfig;
    node = new RaftNode(cfg, log, termVote, snapshots, new Random(sim.random().nextLong()),
        new Effects(incarnation));
    node.start(sim.now());
    afterInput();
  }

  /**
   * Crashes the node: volatile state is lost, and of the log writes not yet synced the first
   * {@code survivingUnsynced} survive (a torn tail).
   */
  public void crash(int survivingUnsynced) {
    if (!alive) {
      return;
    }
    alive = false;
    for (Subscription s : subs.values()) {
      s.unsubscribe();
    }
    subs.clear();
    timerAt = Long.MAX_VALUE;
    timerGen++;
    log = log.afterCrash(survivingUnsynced);
    node = null;
    sim.trace("crash:" + name);
  }

  /** Runs {@code action} against the live node as one input, then re-arms its timer. */
  public void input(java.util.function.Consumer<RaftNode> action) {
    if (!alive) {
      throw new IllegalStateException(name + " is down");
    }
    action.accept(node);
    node.flush(sim.now());
    afterInput();
  }

  void afterInput() {
    if (!alive) {
      return;
    }
    cluster.checker().observe(this);
    if (node.state() == RaftState.CLOSED) {
      return;
    }
    long d = node.nextDeadline();
    if (d != timerAt) {
      timerAt = d;
      long gen = ++timerGen;
      if (d != Long.MAX_VALUE) {
        sim.schedule(d, () -> {
          if (alive && gen == timerGen) {
            timerAt = Long.MAX_VALUE;
            sim.trace("tick:" + name);
            node.tick(sim.now());
            afterInput();
          }
        });
      }
    }
  }

  private void doApply(CommittedEntry ce) {
    if (ce.isSnapshot() && ce.snapshotData().length > 0) {
      // Restore: the snapshot replaces everything applied so far.
      appliedEntries.clear();
      appliedEntries.putAll(AppliedState.decode(ce.snapshotData()));
      for (Map.Entry<Long, List<Entry>> e : appliedEntries.entrySet()) {
        cluster.checker().onApply(this, e.getKey(), e.getValue());
      }
      node.applied(sim.now(), ce.index());
      afterInput();
      return;
    }
    appliedEntries.put(ce.index(), ce.entries());
    cluster.checker().onApply(this, ce.index(), ce.entries());
    node.applied(sim.now(), ce.index());
    afterInput();
  }

  private final class Effects implements RaftEffects {
    private final int inc;

    Effects(int inc) {
      this.inc = inc;
    }

    private boolean current() {
      return alive && inc == incarnation;
    }

    @Override
    public void send(String subject, String reply, byte[] payload) {
      if (current()) {
        transport.send(subject, reply, payload);
      }
    }

    @Override
    public void subscribe(String subject) {
      if (!current() || subs.containsKey(subject)) {
        return;
      }
      subs.put(subject, transport.subscribe(subject, (s, r, p) -> {
        if (current()) {
          node.receive(sim.now(), s, r, p);
          node.flush(sim.now());
          afterInput();
        }
      }));
    }

    @Override
    public void unsubscribe(String subject) {
      Subscription s = subs.remove(subject);
      if (s != null) {
        s.unsubscribe();
      }
    }

    @Override
    public void apply(CommittedEntry entry) {
      if (!current() || entry.index() == 0) {
        return;
      }
      int epoch = applyEpoch;
      sim.after(0, () -> {
        if (!current() || epoch != applyEpoch) {
          return;
        }
        if (autoApply) {
          doApply(entry);
        } else {
          heldBack.add(entry);
        }
      });
    }

    @Override
    public void applyMarker() {
      markers++;
    }

    @Override
    public void drainApplyQueue() {
      if (current()) {
        applyEpoch++;
        heldBack.clear();
      }
    }

    @Override
    public void leaderChanged(boolean isLeader, long term) {
      if (current()) {
        leaderSignals.add(isLeader);
        sim.trace((isLeader ? "lead:" : "follow:") + name + ":" + term);
      }
    }

    @Override
    public void readIndexReady(long requestId, long index) {
      if (current()) {
        readsReady.add(requestId);
        cluster.checker().onRead(SimNode.this, requestId, index);
      }
    }

    @Override
    public void readIndexFailed(long requestId) {
      if (current()) {
        readsFailed.add(requestId);
      }
    }
  }
}
