package io.jscluster.raft.sim;

import io.jscluster.raft.CommittedEntry;
import io.jscluster.raft.RaftConfig;
import io.jscluster.raft.RaftEffects;
import io.jscluster.raft.RaftNode;
import io.jscluster.raft.RaftState;
import io.jscluster.raft.log.LogException;
import io.jscluster.raft.log.MemoryRaftLog;
import io.jscluster.raft.log.MemoryPeerStateStore;
import io.jscluster.raft.log.MemoryTermVoteStore;
import io.jscluster.raft.log.PeerStateStore;
import io.jscluster.raft.log.RaftLog;
import io.jscluster.raft.log.TermVoteStore;
import io.jscluster.raft.snapshot.SnapshotStorage;
import io.jscluster.raft.snapshot.SnapshotStore;
import io.jscluster.raft.state.TermVoteFile;
import io.jscluster.raft.snapshot.MemorySnapshotStorage;
import io.jscluster.raft.transport.Subscription;
import io.jscluster.raft.transport.Transport;
import io.jscluster.raft.wal.FileRaftLog;
import io.jscluster.raft.wal.WalOptions;
import io.jscluster.raft.wal.WalRecovery;
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
 * with a crash model, a {@link MemoryTermVoteStore}, a {@link MemoryPeerStateStore} and a {@link
 * MemorySnapshotStorage}, which survive crashes), its transport endpoint, its timer and a trivial upper layer that records what
 * it applies and confirms it. The upper layer's snapshot ({@link #snapshot(boolean)}) is the whole map of
 * applied entries, so a node restored from a snapshot holds exactly what it would have applied.
 *
 * <p>Storage can instead live on a {@link SimDisk}: then the node runs the production storage
 * code, a {@link FileRaftLog}, a {@link TermVoteFile}, a {@code PeerStateFile} and a {@link
 * SnapshotStore} in the disk's root directory, and a crash loses what the disk had not made durable.
 *
 * <p>A crash throws away the node and everything volatile (state machine, subscriptions, timers,
 * unsynced writes); a restart builds a new node from what the storage durably holds. Two storage
 * invariants are checked here and reported to the cluster's {@link InvariantChecker}: a node whose
 * storage failed sends nothing afterwards (it neither votes nor campaigns), and a restarted node
 * keeps every record its log recovered, and at least what a test declared it must keep ({@link
 * #requireKeptThrough(long)}).
 */
public final class SimNode {

  private final SimCluster cluster;
  private final Simulation sim;
  private final String name;
  private final RaftConfig baseConfig;
  private final Transport transport;
  private final SimDisk disk;
  private final WalOptions walOptions;
  private MemoryRaftLog memoryLog;
  private RaftLog log;
  private TermVoteStore termVote;
  private PeerStateStore peerState;
  private final MemorySnapshotStorage snapshots;
  private SnapshotStorage snapshotStorage;
  private WalRecovery lastRecovery;
  /** The least index the log must reach after the next start; -1 for no requirement. */
  private long keepThrough = -1;
  /** Snapshot files a test damaged: the next start must keep them and report the damage. */
  private final List<java.nio.file.Path> damagedSnapshots = new ArrayList<>();
  private int damagedStarts;
  private int powerLosses;
  private int dataLossStarts;
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

  SimNode(SimCluster cluster, String name, RaftConfig config, WalOptions walOptions) {
    this.cluster = cluster;
    this.sim = cluster.sim();
    this.name = name;
    this.baseConfig = config;
    this.transport = cluster.network().network().endpoint(name);
    this.walOptions = walOptions;
    if (walOptions == null) {
      this.disk = null;
      this.memoryLog = new MemoryRaftLog();
      this.log = memoryLog;
      this.termVote = new MemoryTermVoteStore();
      this.peerState = new MemoryPeerStateStore();
      this.snapshots = new MemorySnapshotStorage(config.group());
      this.snapshotStorage = snapshots;
    } else {
      this.disk = new SimDisk(name);
      this.snapshots = null;
    }
  }

  /** The in-memory snapshot storage (durable across crashes); null for a node on a disk. */
  public MemorySnapshotStorage snapshots() {
    return snapshots;
  }

  /** The snapshot storage the node uses (null on a disk node that never started). */
  public SnapshotStorage snapshotStorage() {
    return snapshotStorage;
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

  /** The log as the running node sees it (null on a disk node that never started). */
  public RaftLog log() {
    return log;
  }

  /** The membership store (null on a disk node that never started). */
  public PeerStateStore peerStateStore() {
    return peerState;
  }

  /** The term/vote store (null on a disk node that never started). */
  public TermVoteStore termVoteStore() {
    return termVote;
  }

  /** The node's disk, or null when its storage is in memory. */
  public SimDisk disk() {
    return disk;
  }

  /** What the file log found when the node last started on its disk; null for memory storage. */
  public WalRecovery lastRecovery() {
    return lastRecovery;
  }

  /** Starts whose log recovery found damage. */
  public int damagedStarts() {
    return damagedStarts;
  }

  /** Starts after which the node carried a data-loss mark ({@link RaftNode#dataLossTerm()}). */
  public int dataLossStarts() {
    return dataLossStarts;
  }

  /** Power losses that crashed this node so far. */
  public int powerLosses() {
    return powerLosses;
  }

  /**
   * Declares that after its next start the node's log must still reach index {@code index}: used
   * by a test that damaged the disk behind that index, to check that the node keeps everything
   * before the damage (a corrupt file is never a reason to discard state).
   */
  public void requireKeptThrough(long index) {
    // Several damages before one restart: the earliest decides what can survive.
    keepThrough = keepThrough < 0 ? index : Math.min(keepThrough, index);
  }

  /**
   * Declares that a snapshot file of this (stopped) node was damaged: after its next start the
   * file must still exist (a damaged snapshot is kept aside, never deleted) and the start-up scan
   * must have reported damage ({@link RaftNode#snapshotRecovery()}).
   */
  public void requireSnapshotKept(java.nio.file.Path file) {
    damagedSnapshots.add(file);
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

  /**
   * Starts (or restarts) the node from its durable storage. A power loss during the start (see
   * {@link SimDisk#armPowerLoss}) leaves it crashed.
   */
  public void start() {
    if (alive) {
      throw new IllegalStateException(name + " already running");
    }
    alive = true;
    guarded(this::boot);
  }

  private void boot() {
    incarnation++;
    appliedEntries.clear();
    heldBack.clear();
    leaderSignals.clear();
    markers = 0;
    RaftConfig cfg = incarnation > 1 ? baseConfig.withRecovering(true) : baseConfig;
    long recovered = -1;
    if (disk != null) {
      FileRaftLog wal = FileRaftLog.open(disk.root(), walOptions);
      lastRecovery = wal.recovery();
      recovered = lastRecovery.lastIndex();
      log = wal;
      termVote = new TermVoteFile(disk.root());
      peerState = new io.jscluster.raft.state.PeerStateFile(disk.root());
      snapshotStorage = new SnapshotStore(disk.root(), baseConfig.group());
      sim.trace(lastRecovery.damage().isPresent() ? "recovered-damaged:" + name : "recovered:" + name);
    }
    node = new RaftNode(cfg, log, termVote, peerState, snapshotStorage,
        new Random(sim.random().nextLong()),
        new Effects(incarnation));
    node.start(sim.now());
    long kept = node.writeError() == null ? node.lastIndex() : Long.MAX_VALUE;
    boolean snapshotDamage = node.snapshotRecovery() != null
        && node.snapshotRecovery().foundDamage();
    // Records after a damaged snapshot may no longer be placeable; the node then stops voting
    // until caught up (RaftNode#lostStateUpTo), which the campaign's invariants cover.
    if (kept < recovered && !snapshotDamage) {
      cluster.checker().violation(name + " discarded recovered log records: recovered up to "
          + recovered + ", kept up to " + kept);
    }
    if (kept < keepThrough && !snapshotDamage) {
      cluster.checker().violation(name + " discarded state after disk damage: must keep up to "
          + keepThrough + ", kept up to " + kept);
    }
    keepThrough = -1;
    if (node.writeError() == null) {
      for (java.nio.file.Path f : damagedSnapshots) {
        // A damaged file older than the snapshot adopted is superseded garbage, never read.
        String[] parts = f.getFileName().toString().split("\\.");
        long t = Long.parseLong(parts[1]);
        long i = Long.parseLong(parts[2]);
        long st = node.snapshotTerm();
        if (st > t || st == t && node.snapshotIndex() > i) {
          continue;
        }
        if (!disk.exists(f)) {
          cluster.checker().violation(name + " deleted damaged snapshot " + f);
        }
        if (!snapshotDamage) {
          cluster.checker().violation(name + " did not report its damaged snapshot " + f);
        }
      }
    }
    damagedSnapshots.clear();
    if (lastRecovery != null && lastRecovery.damage().isPresent()) {
      damagedStarts++;
    }
    if (node.dataLossTerm() != 0) {
      dataLossStarts++;
    }
    afterInput();
  }

  /**
   * Crashes the node: volatile state is lost. With memory storage, of the log writes not yet synced
   * the first {@code survivingUnsynced} survive (a torn tail). On a disk, 0 loses everything not
   * durable, 1 keeps a random prefix of the unsynced writes of each file ({@link
   * SimDisk.CrashMode#KEEP_SOME}) and 2 or more may also tear the next write ({@link
   * SimDisk.CrashMode#TORN}).
   */
  public void crash(int survivingUnsynced) {
    if (disk != null) {
      crash(survivingUnsynced <= 0 ? SimDisk.CrashMode.LOSE_UNSYNCED
          : survivingUnsynced == 1 ? SimDisk.CrashMode.KEEP_SOME : SimDisk.CrashMode.TORN);
      return;
    }
    if (!crashVolatile()) {
      return;
    }
    memoryLog = memoryLog.afterCrash(survivingUnsynced);
    log = memoryLog;
  }

  /**
   * Crashes a disk node: volatile state is lost and the disk keeps what {@code mode} lets survive.
   *
   * @throws IllegalStateException if the node's storage is in memory
   */
  public void crash(SimDisk.CrashMode mode) {
    if (disk == null) {
      throw new IllegalStateException(name + " has no disk");
    }
    if (!crashVolatile()) {
      return;
    }
    disk.crash(sim.random(), mode);
    log = null;
    termVote = null;
    peerState = null;
    snapshotStorage = null;
  }

  private boolean crashVolatile() {
    if (!alive) {
      return false;
    }
    alive = false;
    for (Subscription s : subs.values()) {
      s.unsubscribe();
    }
    subs.clear();
    timerAt = Long.MAX_VALUE;
    timerGen++;
    node = null;
    sim.trace("crash:" + name);
    return true;
  }

  /**
   * Runs {@code action} against the live node as one input, then re-arms its timer. If the disk
   * loses power meanwhile, the node is crashed instead.
   */
  public void input(java.util.function.Consumer<RaftNode> action) {
    if (!alive) {
      throw new IllegalStateException(name + " is down");
    }
    guarded(() -> {
      action.accept(node);
      node.flush(sim.now());
      afterInput();
    });
  }

  /** Runs one input; a power loss of the disk in the middle of it crashes the node. */
  private void guarded(Runnable input) {
    try {
      input.run();
    } catch (SimDisk.PowerLoss loss) {
      powerLosses++;
      sim.trace("power-loss:" + name);
      crash(loss.mode());
    }
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
            guarded(() -> {
              node.tick(sim.now());
              afterInput();
            });
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
    } else {
      appliedEntries.put(ce.index(), ce.entries());
      cluster.checker().onApply(this, ce.index(), ce.entries());
    }
    guarded(() -> {
      node.applied(sim.now(), ce.index());
      afterInput();
    });
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
        LogException failed = node == null ? null : node.writeError();
        if (failed != null) {
          cluster.checker().violation(name + " sent on " + subject + " after its storage failed: "
              + failed.getMessage());
        }
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
          guarded(() -> {
            node.receive(sim.now(), s, r, p);
            node.flush(sim.now());
            afterInput();
          });
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
