package io.jscluster.core;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.codec.meta.StreamAssignment;
import io.jscluster.codec.meta.StreamConfig;
import io.jscluster.codec.ops.PurgeRequest;
import io.jscluster.core.info.ClusterInfo;
import io.jscluster.core.info.ClusterInfoReporter;
import io.jscluster.core.info.NodeDirectory;
import io.jscluster.core.info.NodeTable;
import io.jscluster.core.info.PeerLiveness;
import io.jscluster.core.info.RaftGroupView;
import io.jscluster.core.info.StreamInfoJson;
import io.jscluster.core.info.StreamInfoRequests;
import io.jscluster.core.meta.MetaGroup;
import io.jscluster.core.meta.Reconcile;
import io.jscluster.core.store.StoredMessage;
import io.jscluster.core.store.StreamStore;
import io.jscluster.core.stream.StreamReplica;
import io.jscluster.core.sync.CatchupBudget;
import io.jscluster.core.sync.SyncSubjects;
import io.jscluster.raft.CommittedEntry;
import io.jscluster.raft.RaftConfig;
import io.jscluster.raft.RaftException;
import io.jscluster.raft.RaftNode;
import io.jscluster.raft.transport.Subscription;
import io.jscluster.raft.log.RaftLog;
import io.jscluster.raft.log.TermVoteStore;
import io.jscluster.raft.transport.Transport;
import io.jscluster.raft.wire.NodeIds;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server of a jscluster cluster: the meta Raft group (stream assignments), one Raft group per
 * replicated stream this server hosts, and the stream stores, all driven on one logical thread by
 * a {@link Scheduler} and talking to peers over a subject-addressed {@link Transport}.
 *
 * <p><b>Threading.</b> Every method must be called on the scheduler's thread (in the in-process
 * cluster that is the test thread); from elsewhere, hand work over with {@link #submit(Runnable)}.
 * Operations that need consensus return futures completed on that thread.
 *
 * <p><b>Where requests go.</b> Stream create, update and delete must be sent to the meta leader,
 * publishes, purges and deletes to the stream leader; elsewhere they fail with
 * {@link ApiError#CLUSTER_NOT_LEADER}, as nats-server's cluster layer refuses them.
 */
public final class ClusterNode {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

  private final ClusterConfig config;
  private final Transport transport;
  private final Scheduler scheduler;
  private final Random random;
  private final String id;
  private final List<String> peerIds;
  private final MetaGroup meta;
  private RaftGroupHost metaHost;
  private final Map<String, StreamReplica> replicas = new TreeMap<>();
  private final List<LeaderListener> listeners = new CopyOnWriteArrayList<>();
  private final ReplicaContext replicaContext = new ReplicaContext();
  private final CatchupBudget catchupBudget;
  private final NodeTable nodeTable = new NodeTable();
  private final ClusterInfoReporter reporter;
  private final Map<String, Subscription> infoSubs = new TreeMap<>();
  private final SyncSubjects inboxes;
  private long startedAtMillis;
  private boolean metaSnapQueued;
  private boolean metaSnapForce;
  private Scheduler.Timer metaSnapTimer;
  private long metaSnaps;
  /**
   * Streams whose replica leaves its Raft group for an R1 assignment once a meta snapshot covers
   * that assignment (see {@link #finishR1Switches()}).
   */
  private final Set<String> r1Pending = new java.util.LinkedHashSet<>();
  private Scheduler.Timer r1Retry;
  private final io.jscluster.core.sync.SyncRequestLimiter syncLimiter = new io.jscluster.core.sync.SyncRequestLimiter();
  private io.jscluster.core.stream.SnapshotPolicy snapshotPolicy = io.jscluster.core.stream.SnapshotPolicy.DEFAULT;
  private Subscription reconcileSub;
  private boolean started;
  private boolean stopped;

  /**
   * Builds a node; nothing runs before {@link #start()}.
   *
   * @param seed seeds every random choice of this node (election timeouts, names, placement)
   */
  public ClusterNode(ClusterConfig config, Transport transport, Scheduler scheduler, long seed) {
    this.config = config;
    this.transport = transport;
    this.scheduler = scheduler;
    this.random = new Random(seed);
    this.id = NodeIds.fromServerName(config.name());
    List<String> ids = new ArrayList<>();
    for (String p : config.peers()) {
      ids.add(NodeIds.fromServerName(p));
    }
    this.peerIds = List.copyOf(ids);
    this.catchupBudget = new CatchupBudget(config.catchupMaxBytes());
    for (String p : config.peers()) {
      nodeTable.put(NodeIds.fromServerName(p),
          new NodeDirectory.NodeInfo(p, config.clusterName(), "", false, true, true, true));
    }
    this.reporter = new ClusterInfoReporter(config.name(), config.clusterName(), id, "", nodeTable,
        scheduler::wallNanos);
    this.inboxes = new SyncSubjects(new Random(random.nextLong()));
    this.meta = new MetaGroup(id, peerIds, new Random(random.nextLong()), scheduler::wallNanos,
        scheduler::nowMillis, new MetaHandler());
  }

  /** Starts the meta group (which then recreates this node's stream replicas from its log). */
  public void start() {
    if (started) {
      throw new IllegalStateException("already started");
    }
    started = true;
    startedAtMillis = scheduler.nowMillis();
    RaftLog log = config.storage().raftLog(MetaGroup.GROUP, StorageType.FILE);
    TermVoteStore tv = config.storage().termVote(MetaGroup.GROUP, StorageType.FILE);
    RaftConfig rc = raftConfig(MetaGroup.GROUP, peerIds, log.lastIndex() > 0);
    metaHost = new RaftGroupHost(scheduler, transport, rc, log, tv,
        config.storage().peerState(MetaGroup.GROUP, StorageType.FILE),
        config.storage().snapshots(MetaGroup.GROUP, StorageType.FILE), new Random(random.nextLong()), meta);
    meta.attach(metaHost);
    meta.afterApply(force -> {
      metaSnapForce |= force;
      if (!metaSnapQueued) {
        metaSnapQueued = true;
        // After the host confirmed the index as applied, so the snapshot covers exactly the table.
        scheduler.execute(this::checkMetaSnapshot);
      }
    });
    reconcileSub = transport.subscribe(Reconcile.SUBJECT, (s, r, p) -> scheduler.execute(() -> {
      if (stopped || !meta.isLeader()) {
        return;
      }
      try {
        meta.reconcile(Reconcile.decode(p));
      } catch (io.jscluster.codec.CodecException e) {
        LOG.debug("[{}] bad reconcile request: {}", config.name(), e.getMessage());
      }
    }));
    metaHost.start();
  }

  private RaftConfig raftConfig(String group, List<String> peers, boolean recovering) {
    RaftConfig base = RaftConfig.of(group, id, peers).withTiming(config.timing());
    boolean stream = !MetaGroup.GROUP.equals(group);
    return new RaftConfig(base.group(), base.selfId(), base.peers(), base.clusterSize(), false,
        stream, recovering, base.preVote(), base.readIndex(),
        base.maxBatchBytes(), base.maxBatchEntries(), base.catchupWindowBytes(), base.timing(),
        config.raftCatchupProgress());
  }

  /**
   * Stops every group and releases the storage (a process exit: what was synced survives). Pending
   * requests fail. Idempotent.
   */
  public void stop() {
    if (stopped || !started) {
      stopped = true;
      return;
    }
    stopped = true;
    IllegalStateException cause = new IllegalStateException("node " + config.name() + " stopped");
    meta.failPending(cause);
    for (StreamReplica r : replicas.values()) {
      r.failPending(cause);
      closeReplica(r);
    }
    replicas.clear();
    infoSubs.values().forEach(Subscription::unsubscribe);
    infoSubs.clear();
    if (reconcileSub != null) {
      reconcileSub.unsubscribe();
    }
    if (metaSnapTimer != null) {
      metaSnapTimer.cancel();
    }
    if (r1Retry != null) {
      r1Retry.cancel();
    }
    r1Pending.clear();
    metaHost.stop();
    config.storage().release(metaHost.log());
  }

  /**
   * Tells the node that its transport's connection to the server {@code serverName} (a name as in
   * {@link ClusterConfig#peers()}) came up — the peer (re)started, or a partition between them
   * healed. A transport that knows when a connection is (re)established (as NATS routes do) should
   * call it then, on this node's logical thread, once per (re)connection.
   *
   * <p>Every Raft group this node leads that has the peer as a member — the meta group and
   * stream groups — sends it a heartbeat at once ({@link RaftGroupHost#peerConnected}): a
   * restarted follower learns the meta commit, creates its replicas and finds its stream logs
   * behind within a few round trips instead of waiting a heartbeat interval in each group. Only
   * existing NRG messages are sent. Harmless when this node leads nothing, when the name is not a
   * peer, or before {@link #start()} / after {@link #stop()}.
   */
  public void peerConnected(String serverName) {
    if (!started || stopped || serverName == null || serverName.equals(config.name())) {
      return;
    }
    String peer = NodeIds.fromServerName(serverName);
    metaHost.peerConnected(peer);
    for (StreamReplica r : replicas.values()) {
      if (r.host() != null && !r.host().stopped()) {
        r.host().peerConnected(peer);
      }
    }
  }

  /** Runs {@code task} on this node's logical thread. */
  public void submit(Runnable task) {
    scheduler.execute(task);
  }

  /** Meta snapshots this node installed. */
  public long metaSnapshots() {
    return metaSnaps;
  }

  /** nats-server snapshots the meta log when it holds more than this many bytes (and every minute). */
  static final long META_COMPACT_BYTES = 8L * 1024 * 1024;
  /** The meta group's periodic snapshot interval. */
  static final long META_SNAPSHOT_INTERVAL_MS = 60_000;
  /** How soon a scale-down to R1 retries a meta snapshot that could not be taken. */
  static final long R1_SWITCH_RETRY_MS = 250;

  private void checkMetaSnapshot() {
    metaSnapQueued = false;
    boolean force = metaSnapForce;
    metaSnapForce = false;
    if (stopped || metaHost == null || metaHost.stopped()) {
      return;
    }
    if (!r1Pending.isEmpty()) {
      finishR1Switches();
    } else if (force || metaHost.node().compactableBytes() > META_COMPACT_BYTES) {
      installMetaSnapshot(false);
    }
    if (metaSnapTimer == null) {
      metaSnapTimer = scheduler.schedule(scheduler.nowMillis() + META_SNAPSHOT_INTERVAL_MS, () -> {
        metaSnapTimer = null;
        if (!stopped && metaHost.node().compactableEntries() > 0) {
          metaSnapForce = true;
        }
        checkMetaSnapshot();
      });
    }
  }

  /**
   * Moves the replicas waiting in {@link #r1Pending} out of their Raft groups once a durable meta
   * snapshot covers every applied meta entry, retrying shortly while it cannot be taken.
   *
   * <p>Why: leaving the group deletes the group's log, and from then on the replica acknowledges
   * publishes alone. A restart replays the meta log only up to the commit index its entries carry,
   * which can stop short of the entry that finished the scale-down; the node would then run the old
   * group again from an empty log and its vote could elect a replica that missed the scale-down and
   * lacks what was acknowledged as R1. From the snapshot the restart sees the R1 assignment.
   */
  private void finishR1Switches() {
    RaftNode mn = metaHost.node();
    if (mn.snapshotIndex() < mn.appliedIndex()) {
      installMetaSnapshot(true);
    }
    if (mn.snapshotIndex() < mn.appliedIndex()) {
      if (r1Retry == null) {
        r1Retry = scheduler.schedule(scheduler.nowMillis() + R1_SWITCH_RETRY_MS, () -> {
          r1Retry = null;
          if (!stopped && !r1Pending.isEmpty()) {
            checkMetaSnapshot();
          }
        });
      }
      return;
    }
    List<String> names = new ArrayList<>(r1Pending);
    r1Pending.clear();
    for (String name : names) {
      StreamAssignment sa = meta.stream(name);
      StreamReplica r = replicas.get(name);
      if (sa == null || r == null || r.host() == null || sa.group() == null || needsGroup(sa)
          || !sa.group().peers().contains(id) || meta.unsupportedReason(name) != null) {
        continue;
      }
      try {
        switchReplicaMode(r, sa);
      } catch (io.jscluster.core.store.StoreException e) {
        LOG.error("[{}] stream {} could not switch to R1: {}", config.name(), name, e.getMessage());
      }
    }
  }

  private void installMetaSnapshot(boolean force) {
    try {
      byte[] snap = meta.snapshot();
      metaHost.input(n -> n.installSnapshot(scheduler.nowMillis(), snap, force));
      metaSnaps++;
    } catch (RaftException e) {
      if (e.error() != RaftException.Error.NO_SNAPSHOT_AVAILABLE && e.error() != RaftException.Error.CLOSED) {
        LOG.warn("[{}] meta snapshot failed: {}", config.name(), e.getMessage());
      }
    }
  }

  /** Sets when stream replicas snapshot into Raft; call before {@link #start()}. */
  public void snapshotPolicy(io.jscluster.core.stream.SnapshotPolicy p) {
    this.snapshotPolicy = java.util.Objects.requireNonNull(p);
  }

  /** Registers a leader-change listener. */
  public void addListener(LeaderListener l) {
    listeners.add(l);
  }

  // ------------------------------------------------------------------ identity and state

  /** The server name. */
  public String name() {
    return config.name();
  }

  /** The Raft node id (8 characters, derived from the name). */
  public String id() {
    return id;
  }

  /** The configuration. */
  public ClusterConfig config() {
    return config;
  }

  /** Whether {@link #stop()} was called. */
  public boolean stopped() {
    return stopped;
  }

  /** Whether this node is the meta leader. */
  public boolean isMetaLeader() {
    return !stopped && meta.isLeader();
  }

  /** The meta leader's node id, or "" when unknown. */
  public String metaLeaderId() {
    return stopped ? "" : meta.leaderId();
  }

  /** The meta Raft host (for inspection). */
  public RaftGroupHost metaHost() {
    return metaHost;
  }

  /** Every stream assignment this node has applied, by name. */
  public Map<String, StreamAssignment> assignments() {
    return meta.streams();
  }

  /** Names of the streams with a replica on this node. */
  public Set<String> localStreams() {
    return Collections.unmodifiableSet(replicas.keySet());
  }

  /** This node's replica of {@code stream}, or null. */
  public StreamReplica replica(String stream) {
    return replicas.get(stream);
  }

  /** Whether this node leads {@code stream}. */
  public boolean isStreamLeader(String stream) {
    StreamReplica r = replicas.get(stream);
    return r != null && r.isLeader();
  }

  /** nats-server's {@code isStreamCurrent}: the replica exists here and is current. */
  public boolean isStreamCurrent(String stream) {
    StreamReplica r = replicas.get(stream);
    return r != null && r.isCurrent();
  }

  // ------------------------------------------------------------------ stream API

  /** Meta leader: creates a stream; completes when its assignment is applied here. */
  public CompletableFuture<StreamAssignment> createStream(StreamConfig cfg) {
    return metaCall(() -> meta.proposeAdd(cfg));
  }

  /** Meta leader: updates a stream's config. */
  public CompletableFuture<StreamAssignment> updateStream(StreamConfig cfg) {
    return metaCall(() -> meta.proposeUpdate(cfg));
  }

  /**
   * Meta leader: takes the server {@code serverName} out of {@code stream}'s replicas (nats-server's
   * stream peer-remove): its replica goes at once and a replacement, placed on another online
   * server when one exists, joins the Raft group and catches up. Completes when the first
   * assignment update is applied here; the stream leader finishes the move in the background.
   */
  public CompletableFuture<StreamAssignment> removeStreamPeer(String stream, String serverName) {
    return metaCall(() -> meta.proposeRemovePeer(stream, NodeIds.fromServerName(serverName), true));
  }

  /**
   * Meta leader: moves {@code stream}'s replica off server {@code serverName} (nats-server's stream
   * peer-evacuate): a replacement joins the Raft group and catches up first; only then does the
   * stream leader remove the evacuated peer, whose replica goes when the move completes.
   */
  public CompletableFuture<StreamAssignment> evacuateStreamPeer(String stream, String serverName) {
    return metaCall(() -> meta.proposeRemovePeer(stream, NodeIds.fromServerName(serverName), false));
  }

  /** Meta leader: deletes a stream. */
  public CompletableFuture<StreamAssignment> deleteStream(String name) {
    return metaCall(() -> meta.proposeRemove(name));
  }

  private CompletableFuture<StreamAssignment> metaCall(
      java.util.function.Supplier<CompletableFuture<StreamAssignment>> call) {
    try {
      CompletableFuture<StreamAssignment> f = call.get();
      if (!f.isDone()) {
        scheduler.schedule(scheduler.nowMillis() + config.publishTimeoutMillis(),
            () -> f.completeExceptionally(new java.util.concurrent.TimeoutException("meta proposal timed out")));
      }
      return f;
    } catch (ClusterException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Stream leader: publishes a message. Completes with the PubAck (which may carry an error), or
   * exceptionally with a {@link java.util.concurrent.TimeoutException}.
   */
  public CompletableFuture<PubAck> publish(String stream, String subject, byte[] header, byte[] data) {
    StreamReplica r = replicas.get(stream);
    if (r == null) {
      return CompletableFuture.completedFuture(PubAck.failed(stream,
          meta.stream(stream) == null ? ApiError.STREAM_NOT_FOUND : ApiError.CLUSTER_NOT_LEADER));
    }
    return r.publish(subject, header, data);
  }

  /** Stream leader: purges (null request: everything). Completes with the count purged. */
  public CompletableFuture<Long> purge(String stream, PurgeRequest request) {
    StreamReplica r = replicas.get(stream);
    if (r == null) {
      return CompletableFuture.failedFuture(new ClusterException(ApiError.STREAM_NOT_FOUND));
    }
    return r.purge(request);
  }

  /** Stream leader: deletes (erases unless {@code noErase}) one message; completes with whether it existed. */
  public CompletableFuture<Boolean> deleteMessage(String stream, long seq, boolean noErase) {
    StreamReplica r = replicas.get(stream);
    if (r == null) {
      return CompletableFuture.failedFuture(new ClusterException(ApiError.STREAM_NOT_FOUND));
    }
    return r.deleteMessage(seq, noErase);
  }

  /** The message at {@code seq} in this node's replica, or null (no replica, or no message). */
  public StoredMessage getMessage(String stream, long seq) {
    StreamReplica r = replicas.get(stream);
    return r == null ? null : r.store().load(seq);
  }

  /** What this node's replica knows about {@code stream}, or null when it hosts none. */
  public StreamInfo streamInfo(String stream) {
    StreamReplica r = replicas.get(stream);
    if (r == null) {
      return null;
    }
    StreamAssignment sa = r.assignment();
    return new StreamInfo(r.config(), r.store().state(), sa.group().name(), sa.group().peers(),
        r.leaderId(), r.clfs(), r.isCurrent());
  }

  /**
   * Cluster info of {@code stream} as this node sees it (nats-server {@code clusterInfo} followed by
   * {@code checkClusterInfo}), or null when this node hosts no replica of it.
   */
  public ClusterInfo clusterInfo(String stream) {
    StreamReplica r = replicas.get(stream);
    if (r == null) {
      return null;
    }
    refreshNodeTable();
    RaftGroupView view = r.host() == null ? null : new ReplicaView(r);
    ClusterInfo ci = reporter.clusterInfo(r.assignment().group(), view, null);
    return r.catchupPeers().hasPeers() ? ClusterInfoReporter.checkClusterInfo(ci, r.catchupPeers()) : ci;
  }

  /**
   * Asks the members of {@code stream}, over the transport, for its info ({@code $JSC.SI.$G.<stream>},
   * nats-server's cluster stream-info request): the leader answers at once, other members only when
   * the group is leaderless, after a delay. Completes with the first reply's JSON, or exceptionally
   * with a {@link java.util.concurrent.TimeoutException} after {@link #STREAM_INFO_WAIT_MILLIS}.
   */
  public CompletableFuture<byte[]> requestStreamInfo(String stream) {
    CompletableFuture<byte[]> f = new CompletableFuture<>();
    String inbox = inboxes.infoReplySubject();
    Subscription[] sub = new Subscription[1];
    sub[0] = transport.subscribe(inbox, (s, rp, p) -> scheduler.execute(() -> {
      if (f.complete(p)) {
        sub[0].unsubscribe();
      }
    }));
    transport.send(infoSubject(stream), inbox, new byte[0]);
    if (replicas.containsKey(stream)) {
      // Our own request never comes back over the transport; answer it as any member would.
      scheduler.execute(() -> onInfoRequest(stream, inbox));
    }
    scheduler.schedule(scheduler.nowMillis() + STREAM_INFO_WAIT_MILLIS, () -> {
      if (f.completeExceptionally(new java.util.concurrent.TimeoutException("no stream info for " + stream))) {
        sub[0].unsubscribe();
      }
    });
    return f;
  }

  /** How long {@link #requestStreamInfo} waits for a reply: 4 s, as nats-server's stream list does. */
  public static final long STREAM_INFO_WAIT_MILLIS = 4_000;

  /** The cluster stream-info subject of {@code stream} in the global account. */
  public static String infoSubject(String stream) {
    return "$JSC.SI.$G." + stream;
  }

  /**
   * Updates the node table's offline flags from what this node's Raft groups observe (see
   * {@link PeerLiveness}): offline only on evidence, so a meta follower, which hears nothing from
   * the other followers, does not report them offline.
   */
  private void refreshNodeTable() {
    long now = scheduler.nowMillis();
    liveness.clear();
    liveness.observe(metaHost.node(), now);
    for (StreamReplica r : replicas.values()) {
      if (r.host() != null && !r.host().stopped()) {
        liveness.observe(r.host().node(), now);
      }
    }
    for (io.jscluster.raft.PeerInfo p : metaHost.node().peerInfos(now)) {
      if (p.id().equals(id)) {
        continue;
      }
      if (liveness.verdict(p.id(), now, startedAtMillis) == PeerLiveness.Verdict.OFFLINE) {
        nodeTable.markOffline(p.id());
      } else {
        nodeTable.markOnline(p.id());
      }
    }
  }

  private final PeerLiveness liveness = new PeerLiveness(OFFLINE_AFTER_MILLIS);

  /**
   * The group's leader as cluster info reports it, "" when none. Under pre-vote a follower whose
   * leader vanished keeps the old id while its pre-votes fail (an NRG follower would have become
   * candidate and forgotten it), so a leader silent for longer than the lost-quorum interval
   * counts as none.
   */
  private String knownLeader(RaftNode n) {
    String lid = n.leaderId();
    if (lid == null || lid.isEmpty()) {
      return "";
    }
    if (n.isLeader() || scheduler.nowMillis() - n.lastHeardFrom(lid) <= OFFLINE_AFTER_MILLIS) {
      return lid;
    }
    return "";
  }

  /** A peer not heard on the meta group for this long is reported offline (nats-server's lostQuorumInterval). */
  static final long OFFLINE_AFTER_MILLIS = 10_000;

  /** Answers a {@code $JSC.SI} request for {@code r} (processClusterStreamInfoRequest). */
  private void onInfoRequest(String stream, String reply) {
    StreamReplica r = replicas.get(stream);
    if (r == null || reply == null || reply.isEmpty() || stopped) {
      return;
    }
    boolean leader = r.isLeader();
    boolean leaderless = false;
    if (r.host() != null) {
      RaftNode n = r.host().node();
      long now = scheduler.nowMillis();
      boolean noLeader = knownLeader(n).isEmpty();
      leaderless = StreamInfoRequests.isGroupLeaderless(true, true, noLeader,
          n.hadPreviousLeader(), (now - startedAtMillis) * 1_000_000L, (now - r.createdAtMillis()) * 1_000_000L);
    }
    long delay = StreamInfoRequests.answerDelayNanos(true, leader, leaderless);
    if (delay < 0) {
      return;
    }
    Runnable answer = () -> {
      StreamReplica cur = replicas.get(stream);
      if (cur == null || stopped) {
        return;
      }
      transport.send(reply, null, StreamInfoJson.encode(cur.config(), cur.assignment().created(),
          cur.store().state(), clusterInfo(stream), scheduler.wallNanos()));
    };
    if (delay == 0) {
      answer.run();
    } else {
      scheduler.schedule(scheduler.nowMillis() + delay / 1_000_000L, answer);
    }
  }

  private final class ReplicaView implements RaftGroupView {
    private final StreamReplica r;

    ReplicaView(StreamReplica r) {
      this.r = r;
    }

    @Override
    public String groupLeader() {
      return knownLeader(r.host().node());
    }

    @Override
    public java.time.OffsetDateTime leaderSince() {
      return r.leaderSince();
    }

    @Override
    public boolean systemAccount() {
      return true;
    }

    @Override
    public String trafficAccount() {
      return "";
    }

    @Override
    public List<RaftPeer> peers() {
      long now = scheduler.nowMillis();
      long wall = scheduler.wallNanos();
      List<RaftPeer> out = new ArrayList<>();
      for (io.jscluster.raft.PeerInfo p : r.host().node().peerInfos(now)) {
        long heard = p.lastHeardMillis() < 0 ? 0 : wall - (now - p.lastHeardMillis()) * 1_000_000L;
        out.add(new RaftPeer(p.id(), p.current(), heard, p.lag()));
      }
      return out;
    }
  }

  /**
   * nats-server's {@code supportsBinarySnapshot}: false without a replica or Raft node; otherwise
   * false only when a peer of the group is known to the node table without the binary-snapshot
   * capability (unknown peers are assumed capable). Every jscluster node has it, so the legacy
   * JSON snapshot is never produced.
   */
  public boolean supportsBinarySnapshot(String stream) {
    StreamReplica r = replicas.get(stream);
    if (r == null || r.host() == null) {
      return false;
    }
    for (String p : r.host().node().peerIds()) {
      NodeDirectory.NodeInfo ni = p.equals(id) ? null : nodeTable.lookup(p);
      if (ni != null && !ni.binarySnapshots()) {
        return false;
      }
    }
    return true;
  }

  /**
   * nats-server's {@code isStreamHealthy} for this node's replica of {@code stream}: null when
   * healthy, else the reason, checked in nats-server's order (a catch-up in progress is reported
   * before an unhealthy Raft node).
   */
  public String streamHealth(String stream) {
    if (meta.unsupportedReason(stream) != null) {
      return null;
    }
    StreamAssignment sa = meta.stream(stream);
    if (sa == null || sa.group() == null) {
      return "stream assignment or group missing";
    }
    StreamReplica r = replicas.get(stream);
    if (r == null) {
      return "stream not found";
    }
    if (sa.config().replicas() <= 1) {
      return null;
    }
    if (r.host() == null) {
      return "group node missing";
    }
    RaftNode n = r.host().node();
    if (n.writeError() != null) {
      return "node write error: " + n.writeError().getMessage();
    }
    if (r.writeError() != null) {
      return "stream write error: " + r.writeError().getMessage();
    }
    if (r.catchupState().isCatchingUp()) {
      return "stream catching up";
    }
    if (!n.healthy(scheduler.nowMillis())) {
      return "group node unhealthy";
    }
    return null;
  }

  /** Stream leader: hands leadership of {@code stream} to another replica. */
  public void stepDownStream(String stream) {
    StreamReplica r = replicas.get(stream);
    if (r != null && r.host() != null) {
      try {
        r.host().input(n -> n.stepDown(scheduler.nowMillis()));
      } catch (RaftException e) {
        throw new ClusterException(ApiError.CLUSTER_NOT_LEADER);
      }
    }
  }

  /** Meta leader: hands meta leadership to another node. */
  public void stepDownMeta() {
    try {
      metaHost.input(n -> n.stepDown(scheduler.nowMillis()));
    } catch (RaftException e) {
      throw new ClusterException(ApiError.CLUSTER_NOT_LEADER);
    }
  }

  // ------------------------------------------------------------------ assignment handling

  /**
   * Whether a replica of {@code sa} runs a Raft group: with more than one peer, or while a
   * replica-count change is under way (nats-server: during a migration a stream is never R1, even
   * one that starts or ends as R1).
   */
  private static boolean needsGroup(StreamAssignment sa) {
    return sa.group().peers().size() > 1 || sa.group().desired() != null;
  }

  /** The peer that should lead the group first (the R1 peer of a scale-up), or "". */
  private static String preferredOf(StreamAssignment sa) {
    String p = sa.group().desired() != null ? sa.group().desired().preferred() : sa.group().preferred();
    return p == null ? "" : p;
  }

  private void createReplica(StreamAssignment sa) {
    StreamConfig cfg = sa.config();
    NodeStorage storage = config.storage();
    boolean grouped = needsGroup(sa);
    StreamStore store = storage.streamStore(cfg.name(), cfg.storage(), StreamReplica.limitsOf(cfg),
        scheduler::wallNanos, grouped);
    startReplica(sa, store, grouped);
  }

  /** Builds and starts this node's replica of {@code sa} over the open {@code store}. */
  private void startReplica(StreamAssignment sa, StreamStore store, boolean grouped) {
    StreamConfig cfg = sa.config();
    StorageType st = cfg.storage();
    NodeStorage storage = config.storage();
    List<String> peers = sa.group().peers();
    StreamReplica replica;
    RaftGroupHost host = null;
    boolean scaleUpObserver = false;
    if (grouped) {
      RaftLog log = storage.raftLog(sa.group().name(), st);
      TermVoteStore tv = storage.termVote(sa.group().name(), st);
      boolean recovering = log.lastIndex() > 0;
      RaftConfig rc = raftConfig(sa.group().name(), peers, recovering);
      // A peer joining a scale-up with an empty log waits for the leader's data before it may
      // campaign (NRG's scale-up observer mode): after an R1 scale-up the new peers are a majority
      // of the assigned group and could otherwise elect one of themselves with nothing stored.
      scaleUpObserver = sa.group().scaleUp() && !recovering && !id.equals(preferredOf(sa));
      if (scaleUpObserver) {
        rc = rc.withObserver(true);
      }
      DeferredListener dl = new DeferredListener();
      host = new RaftGroupHost(scheduler, transport, rc, log, tv, storage.peerState(sa.group().name(), st),
          storage.snapshots(sa.group().name(), st), new Random(random.nextLong()), dl);
      replica = new StreamReplica(replicaContext, sa, store, host);
      dl.target = replica;
      dl.leaveObserver = scaleUpObserver ? host : null;
    } else {
      replica = new StreamReplica(replicaContext, sa, store, null);
    }
    replica.restore(storage.loadFailed(cfg.name()), scheduler.wallNanos());
    replicas.put(cfg.name(), replica);
    if (!infoSubs.containsKey(cfg.name())) {
      infoSubs.put(cfg.name(), transport.subscribe(infoSubject(cfg.name()),
          (s, rp, p) -> scheduler.execute(() -> onInfoRequest(cfg.name(), rp))));
    }
    if (host != null) {
      host.start();
      if (id.equals(preferredOf(sa)) && host.node().term() == 0 && !host.node().isLeader()) {
        // The R1 peer of a scale-up holds the data: it leads its new group at once.
        host.input(n -> n.campaignImmediately(scheduler.nowMillis()));
      }
    }
  }

  /**
   * Whether {@code sa} assigns the replica {@code r}, which runs a Raft group, to a different group
   * (nats-server's stream remapping check): an R1 scale-up gets a fresh group, and a node that
   * missed the R1 step in between — down, or replaying the meta log from a state before it —
   * still runs the old one.
   */
  private static boolean remapped(StreamReplica r, StreamAssignment sa) {
    return r.host() != null && needsGroup(sa) && !r.host().node().group().equals(sa.group().name());
  }

  /**
   * Switches this node's replica between R1 (no Raft group) and replicated as its assignment
   * requires, or onto the new Raft group of a remapped assignment (nats-server
   * {@code processClusterUpdateStream}). Into a group: the store is kept and a new group is started
   * over it. Out of a group (a scale-down that left this node the only peer, or a remap): the store
   * is synced, the Raft node stops and its log, snapshots and peer state are deleted. A file store
   * is reopened so its sync policy is that of its new mode.
   */
  private void switchReplicaMode(StreamReplica r, StreamAssignment sa) {
    String name = sa.config().name();
    boolean grouped = needsGroup(sa);
    if (r.host() != null && grouped) {
      LOG.warn("[{}] stream {} remapped from group {} to {}", config.name(), name, r.host().node().group(),
          sa.group().name());
    } else {
      LOG.info("[{}] stream {} {} (group {})", config.name(), name,
          grouped ? "scales up from R1" : "scales down to R1", sa.group().name());
    }
    r.close();
    RaftGroupHost oldHost = r.host();
    if (oldHost != null) {
      oldHost.stop();
      config.storage().release(oldHost.log());
    }
    StreamStore store = r.store();
    try {
      store.sync();
    } catch (io.jscluster.core.store.StoreException e) {
      r.handOver(e);
      throw e;
    }
    // Publishes applied so far are durable now: they are acknowledged; the rest fail, retryable.
    r.handOver(null);
    if (oldHost != null) {
      config.storage().removeGroup(oldHost.node().group());
    }
    replicas.remove(name);
    if (sa.config().storage() == StorageType.FILE) {
      config.storage().release(store);
      store = config.storage().streamStore(name, StorageType.FILE, StreamReplica.limitsOf(sa.config()),
          scheduler::wallNanos, grouped);
    }
    startReplica(sa, store, grouped);
  }

  private void closeReplica(StreamReplica r) {
    r.close();
    if (r.host() != null) {
      r.host().stop();
      config.storage().release(r.host().log());
    }
    config.storage().release(r.store());
  }

  private void removeReplica(StreamAssignment sa) {
    StreamReplica r = replicas.remove(sa.config().name());
    if (r == null) {
      return;
    }
    r.failPending(new ClusterException(ApiError.STREAM_NOT_FOUND));
    closeReplica(r);
    Subscription info = infoSubs.remove(sa.config().name());
    if (info != null) {
      info.unsubscribe();
    }
    if (r.host() != null) {
      config.storage().removeGroup(sa.group().name());
    }
    config.storage().removeStream(sa.config().name());
  }

  private final class DeferredListener implements RaftGroupHost.Listener {
    StreamReplica target;
    /** The host of a scale-up peer still in observer mode until its first committed entry. */
    RaftGroupHost leaveObserver;

    @Override
    public void committed(CommittedEntry ce) {
      if (leaveObserver != null) {
        RaftGroupHost h = leaveObserver;
        leaveObserver = null;
        // Data from the leader arrived, so the log is no longer empty: this peer may campaign.
        scheduler.execute(() -> h.input(n -> n.setObserver(scheduler.nowMillis(), false)));
      }
      target.committed(ce);
    }

    @Override
    public void marker() {
      target.marker();
    }

    @Override
    public void leaderChanged(boolean isLeader, long term) {
      target.leaderChanged(isLeader, term);
    }

    @Override
    public void applyBatch(Runnable body) {
      target.applyBatch(body);
    }

    @Override
    public long heldFrom() {
      return target == null ? 0 : target.heldFrom();
    }
  }

  private final class MetaHandler implements MetaGroup.Handler {
    @Override
    public void streamAssigned(StreamAssignment sa, boolean update, String unsupported) {
      if (stopped) {
        return;
      }
      String name = sa.config().name();
      if (unsupported != null) {
        LOG.warn("[{}] stream {} kept but not run: {}", config.name(), name, unsupported);
        return;
      }
      boolean member = sa.group() != null && sa.group().peers().contains(id);
      StreamReplica r = replicas.get(name);
      if (r != null && !member) {
        removeReplica(r.assignment());
        return;
      }
      if (!member) {
        return;
      }
      if (r != null && r.host() != null && !needsGroup(sa)) {
        // Out of the group to R1 only once a meta snapshot holds this assignment (finishR1Switches).
        r1Pending.add(name);
        metaSnapForce = true;
        if (!metaSnapQueued) {
          metaSnapQueued = true;
          scheduler.execute(ClusterNode.this::checkMetaSnapshot);
        }
      } else if (r != null && ((r.host() != null) != needsGroup(sa) || remapped(r, sa))) {
        r1Pending.remove(name);
        switchReplicaMode(r, sa);
      } else if (r != null) {
        r1Pending.remove(name);
        r.update(sa);
      } else {
        createReplica(sa);
      }
    }

    @Override
    public void streamRemoved(StreamAssignment sa) {
      if (!stopped) {
        removeReplica(sa);
      }
    }

    @Override
    public void metaLeaderChanged(boolean isLeader, long term) {
      if (isLeader) {
        // nats-server installs a snapshot as it becomes meta leader.
        metaSnapForce = true;
        if (!metaSnapQueued) {
          metaSnapQueued = true;
          scheduler.execute(ClusterNode.this::checkMetaSnapshot);
        }
      }
      for (LeaderListener l : listeners) {
        l.metaLeaderChanged(isLeader, term);
      }
    }

    @Override
    public void replayDone() {
      LOG.debug("[{}] meta replay done, {} assignments", config.name(), meta.streams().size());
    }
  }

  private final class ReplicaContext implements StreamReplica.Context {
    @Override
    public Scheduler scheduler() {
      return scheduler;
    }

    @Override
    public java.util.concurrent.Executor storeForcer() {
      return config.storage().storeForcer();
    }

    @Override
    public java.util.concurrent.Executor snapshotWriter() {
      return config.storage().snapshotWriter();
    }

    @Override
    public String selfId() {
      return id;
    }

    @Override
    public long requestTimeoutMillis() {
      return config.publishTimeoutMillis();
    }

    @Override
    public void leaderChanged(StreamReplica replica, boolean isLeader, long term) {
      for (LeaderListener l : listeners) {
        l.streamLeaderChanged(replica.name(), isLeader, term);
      }
    }

    @Override
    public Transport transport() {
      return transport;
    }

    @Override
    public CatchupBudget catchupBudget() {
      return catchupBudget;
    }

    @Override
    public java.util.random.RandomGenerator random() {
      return new Random(random.nextLong());
    }

    @Override
    public io.jscluster.core.sync.SyncRequestLimiter syncLimiter() {
      return syncLimiter;
    }

    @Override
    public io.jscluster.core.stream.SnapshotPolicy snapshotPolicy() {
      return snapshotPolicy;
    }

    @Override
    public void reconcile(Reconcile r) {
      // A transport never delivers a node's own messages, so the meta leader takes its own requests directly.
      transport.send(Reconcile.SUBJECT, null, r.encode());
      if (meta.isLeader()) {
        scheduler.execute(() -> {
          if (!stopped) {
            meta.reconcile(r);
          }
        });
      }
    }

    @Override
    public void saveFailed(StreamReplica replica, long clfs) {
      config.storage().saveFailed(replica.name(), clfs);
    }
  }
}
