package io.jscluster.core.meta;

import io.jscluster.codec.CodecException;
import io.jscluster.codec.EntryOp;
import io.jscluster.codec.meta.DecodedAssignment;
import io.jscluster.codec.meta.RaftGroup;
import io.jscluster.codec.meta.StorageType;
import io.jscluster.codec.meta.StreamAssignment;
import io.jscluster.codec.meta.StreamAssignmentCodec;
import io.jscluster.codec.meta.StreamConfig;
import io.jscluster.core.ApiError;
import io.jscluster.core.ClusterException;
import io.jscluster.core.RaftGroupHost;
import io.jscluster.core.sync.SyncSubjects;
import io.jscluster.raft.CommittedEntry;
import io.jscluster.raft.PeerInfo;
import io.jscluster.raft.RaftException;
import io.jscluster.raft.wire.Entry;
import io.jscluster.raft.wire.EntryType;
import io.jscluster.raft.wire.NodeIds;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The meta layer of one node: the replicated table of stream assignments (ops 0, 11 and 2 in the
 * codec's formats), the meta leader's proposals (placement, group name, sync subject created once
 * and kept across updates) and the hand-off of applied assignments to the node, which creates,
 * updates or removes its local replica. Consumer ops are decoded elsewhere and ignored here.
 * Single-threaded: every method runs on the node's logical thread.
 */
public final class MetaGroup implements RaftGroupHost.Listener {

  private static final Logger LOG = LoggerFactory.getLogger(MetaGroup.class);

  /** Name of the meta Raft group. */
  public static final String GROUP = "_meta_";

  /** A peer heard from within this window counts as online for placement (nats-server's lostQuorumInterval). */
  static final long ONLINE_WINDOW_MS = 10_000;

  /** What the node does with applied assignments. */
  public interface Handler {
    /** A stream was assigned or its assignment updated ({@code unsupported} non-null: keep, never run). */
    void streamAssigned(StreamAssignment sa, boolean update, String unsupported);

    /** A stream assignment was removed. */
    void streamRemoved(StreamAssignment sa);

    /** This node became or stopped being meta leader. */
    void metaLeaderChanged(boolean isLeader, long term);

    /** The meta log replay finished. */
    void replayDone();
  }

  private record Pending(EntryOp op, CompletableFuture<StreamAssignment> future) {}

  private final String selfId;
  private final List<String> peerIds;
  private final RandomGenerator random;
  private final SyncSubjects syncSubjects;
  private final Handler handler;
  private final java.util.function.LongSupplier wallNanos;
  private final java.util.function.LongSupplier nowMillis;
  private final TreeMap<String, StreamAssignment> streams = new TreeMap<>();
  private final Map<String, String> unsupported = new HashMap<>();
  private final Map<String, ArrayDeque<Pending>> pending = new HashMap<>();
  /** Updates this meta leader proposed and has not applied yet (nats-server's inflight proposals). */
  private final Map<String, StreamAssignment> inflight = new HashMap<>();
  /** Assignments removed during the startup replay, by name, acted on when it ends. */
  private final Map<String, StreamAssignment> replayRemoved = new java.util.LinkedHashMap<>();
  private RaftGroupHost host;
  private boolean leader;
  private long term;
  private boolean replayed;
  private long leaderSince;

  /**
   * Creates the meta layer.
   *
   * @param selfId this node's id
   * @param peerIds every node id of the cluster
   * @param random seeded randomness for placement and names
   * @param wallNanos Unix time for {@code created}
   * @param nowMillis the scheduler clock, for peer liveness
   */
  public MetaGroup(String selfId, List<String> peerIds, RandomGenerator random,
      java.util.function.LongSupplier wallNanos, java.util.function.LongSupplier nowMillis,
      Handler handler) {
    this.selfId = selfId;
    this.peerIds = List.copyOf(peerIds);
    this.random = random;
    this.syncSubjects = new SyncSubjects(random);
    this.wallNanos = wallNanos;
    this.nowMillis = nowMillis;
    this.handler = handler;
  }

  /** Attaches the Raft host (set once, before it starts). */
  public void attach(RaftGroupHost h) {
    this.host = h;
  }

  /** Whether this node is the meta leader (its election noop processed). */
  public boolean isLeader() {
    return leader && host != null && host.node().isLeader();
  }

  /** The meta leader's node id, or "" when unknown. */
  public String leaderId() {
    return host == null ? "" : host.node().leaderId();
  }

  /** Whether the startup replay of the meta log is done. */
  public boolean replayed() {
    return replayed;
  }

  /** The current assignments by stream name (read-only view). */
  public Map<String, StreamAssignment> streams() {
    return Collections.unmodifiableMap(streams);
  }

  /** The assignment of {@code name}, or null. */
  public StreamAssignment stream(String name) {
    return streams.get(name);
  }

  // ------------------------------------------------------------------ leader proposals

  /**
   * Meta leader: assigns a new stream. Completes when the assignment is applied on this node. An
   * identical config already assigned completes at once with the existing assignment.
   *
   * @throws ClusterException not leader, name in use with another config, not enough peers
   */
  public CompletableFuture<StreamAssignment> proposeAdd(StreamConfig cfg) {
    requireLeader();
    validate(cfg);
    StreamAssignment existing = streams.get(cfg.name());
    if (existing != null) {
      if (existing.config().equals(cfg)) {
        return CompletableFuture.completedFuture(existing);
      }
      throw new ClusterException(ApiError.STREAM_NAME_EXIST);
    }
    int r = (int) Math.max(1, cfg.replicas());
    List<String> peers = Placement.select(onlinePeers(), r, load(), random);
    if (peers == null) {
      throw new ClusterException(ApiError.noPeers("insufficient resources"));
    }
    RaftGroup group = new RaftGroup(groupName(r, cfg.storage()), peers, cfg.storage(), "", "", false, null, null);
    StreamAssignment sa = new StreamAssignment(null, created(), cfg, group,
        syncSubjects.syncSubjForStream(), "", "", null);
    return propose(EntryOp.ASSIGN_STREAM, sa);
  }

  /**
   * Meta leader: replaces a stream's config, keeping its creation time and sync subject. Storage
   * cannot change; a replica-count change (any of R1 to R5) starts a migration toward the new
   * peer set, refused while another one runs.
   */
  public CompletableFuture<StreamAssignment> proposeUpdate(StreamConfig cfg) {
    requireLeader();
    validate(cfg);
    StreamAssignment existing = streams.get(cfg.name());
    if (existing == null) {
      throw new ClusterException(ApiError.STREAM_NOT_FOUND);
    }
    if (cfg.storage() != existing.config().storage()) {
      throw new ClusterException(ApiError.invalidConfig("stream configuration update can not change storage type"));
    }
    existing = current(cfg.name());
    RaftGroup group = existing.group();
    int oldR = (int) Math.max(1, existing.config().replicas());
    int newR = (int) Math.max(1, cfg.replicas());
    if (oldR != newR) {
      group = rescale(existing, oldR, newR);
    }
    String sync = existing.sync().isEmpty() ? syncSubjects.syncSubjForStream() : existing.sync();
    StreamAssignment sa = new StreamAssignment(existing.client(), existing.created(), cfg,
        group, sync, "", "", null);
    return propose(EntryOp.UPDATE_STREAM, sa);
  }

  /**
   * The group of a stream whose replica count changes: a scale-up targets the current peers plus
   * new ones placed on the least-loaded online peers; a scale-down lets the stream leader choose
   * which peers stay. Either way the stream leader converges the Raft membership (see
   * {@link DesiredState}). A scale-up from a settled R1, which has no Raft group yet, gets a fresh
   * group name (nothing of the old one is on disk) and its one peer as the preferred leader: that
   * peer starts a one-member Raft group, installs its store as a snapshot and adds the new peers
   * one at a time, which catch up through the snapshot (nats-server's R1 scale-up). A scale-down to
   * R1 ends with the survivor's store flushed and its Raft group removed.
   */
  private RaftGroup rescale(StreamAssignment sa, int oldR, int newR) {
    RaftGroup rg = sa.group();
    requireSettled(rg);
    if (DesiredState.nz(rg.peers()).size() == 1 && newR > oldR) {
      rg = new RaftGroup(groupName(newR, sa.config().storage()), rg.peers(), rg.storage(), rg.cluster(),
          rg.preferred(), rg.scaleUp(), rg.excluded(), rg.desired());
    }
    List<String> base = DesiredState.nz(rg.desired() != null ? rg.desired().peers() : rg.peers());
    if (newR > oldR) {
      List<String> candidates = new ArrayList<>(onlinePeers());
      candidates.removeAll(base);
      List<String> extra = Placement.select(candidates, newR - base.size(), load(), random);
      if (extra == null) {
        throw new ClusterException(ApiError.noPeers("insufficient resources"));
      }
      List<String> target = new ArrayList<>(base);
      target.addAll(extra);
      return DesiredState.withDesired(rg, target, List.of(), false, this::newDesiredId);
    }
    return DesiredState.withDesired(rg, base, List.of(), true, this::newDesiredId);
  }

  /**
   * Meta leader: replaces {@code peer} in a stream's group by another online peer (nats-server's
   * stream peer-remove and peer-evacuate, {@code removePeerFromStreamLocked} with
   * {@code requireReplicas}). With {@code remove} the assignment drops the peer at once, so its
   * replica stops before the replacement holds the data; otherwise (evacuate) the peer stays until
   * the stream leader has added the replacement, seen it catch up and removed the peer from the
   * Raft group. Refused with {@link ApiError#PEER_REMAP} when no replacement can be placed.
   */
  public CompletableFuture<StreamAssignment> proposeRemovePeer(String stream, String peer, boolean remove) {
    requireLeader();
    StreamAssignment existing = streams.get(stream);
    if (existing == null) {
      throw new ClusterException(ApiError.STREAM_NOT_FOUND);
    }
    existing = current(stream);
    RaftGroup rg = existing.group();
    requireSettled(rg);
    boolean member = DesiredState.nz(rg.peers()).contains(peer)
        || rg.desired() != null && DesiredState.nz(rg.desired().peers()).contains(peer);
    if (!member || DesiredState.nz(rg.peers()).size() <= 1) {
      throw new ClusterException(ApiError.PEER_NOT_MEMBER);
    }
    List<String> base = DesiredState.nz(rg.desired() != null ? rg.desired().peers() : rg.peers());
    List<String> retain = new ArrayList<>(base);
    retain.remove(peer);
    List<String> candidates = new ArrayList<>(onlinePeers());
    candidates.removeAll(base);
    candidates.remove(peer);
    if (rg.desired() != null) {
      candidates.removeAll(DesiredState.nz(rg.desired().removed()));
    }
    List<String> extra = Placement.select(candidates, 1, load(), random);
    if (extra == null) {
      throw new ClusterException(ApiError.PEER_REMAP);
    }
    List<String> target = new ArrayList<>(retain);
    target.addAll(extra);
    RaftGroup withD = DesiredState.withDesired(rg, target, remove ? List.of(peer) : List.of(), false,
        this::newDesiredId);
    List<String> actual = new ArrayList<>(DesiredState.nz(rg.peers()));
    if (remove) {
      actual.remove(peer);
    }
    RaftGroup ng = new RaftGroup(withD.name(), actual, withD.storage(), withD.cluster(), withD.preferred(),
        withD.scaleUp(), withD.excluded(), withD.desired());
    StreamAssignment sa = new StreamAssignment(existing.client(), existing.created(), existing.config(), ng,
        existing.sync(), "", "", null);
    return propose(EntryOp.UPDATE_STREAM, sa);
  }

  /**
   * Meta leader: applies a stream leader's {@link Reconcile} request (nats-server
   * {@code reconcileDesiredStreamAssignment}); stale or no-op requests are dropped.
   */
  public void reconcile(Reconcile req) {
    if (!isLeader()) {
      return;
    }
    StreamAssignment osa = current(req.stream());
    if (osa == null || osa.group() == null || unsupported.containsKey(req.stream()) || req.term() == 0) {
      return;
    }
    RaftGroup ng = DesiredState.reconcile(osa.group(), req, (int) Math.max(1, osa.config().replicas()),
        this::newDesiredId);
    if (ng == null) {
      return;
    }
    StreamAssignment sa = new StreamAssignment(osa.client(), osa.created(), osa.config(), ng, osa.sync(), "",
        "", null);
    try {
      host.propose(term, StreamAssignmentCodec.encode(EntryOp.UPDATE_STREAM, sa));
      inflight.put(req.stream(), sa);
    } catch (RaftException e) {
      LOG.debug("[{}] reconcile of {} not proposed: {}", selfId, req.stream(), e.getMessage());
    }
  }

  /**
   * Refuses to start a move or scale while the previous one runs. nats-server retargets an
   * unfinished migration instead; this port does not, because a peer dropped from the assignment
   * may still be a Raft member until the stream leader removes it, and placing it again before
   * then would bring it back empty under its old vote.
   */
  private static void requireSettled(RaftGroup rg) {
    if (rg.desired() != null) {
      throw new ClusterException(ApiError.RECONFIGURE_IN_PROGRESS);
    }
  }

  /** The assignment as the meta leader last proposed it, else as applied. */
  private StreamAssignment current(String name) {
    StreamAssignment in = inflight.get(name);
    return in != null ? in : streams.get(name);
  }

  private String newDesiredId() {
    return NodeIds.token(random) + NodeIds.token(random);
  }

  /** Meta leader: removes a stream. */
  public CompletableFuture<StreamAssignment> proposeRemove(String name) {
    requireLeader();
    StreamAssignment existing = streams.get(name);
    if (existing == null) {
      throw new ClusterException(ApiError.STREAM_NOT_FOUND);
    }
    return propose(EntryOp.REMOVE_STREAM, existing);
  }

  private CompletableFuture<StreamAssignment> propose(EntryOp op, StreamAssignment sa) {
    byte[] data = StreamAssignmentCodec.encode(op, sa);
    try {
      host.propose(term, data);
    } catch (RaftException e) {
      throw new ClusterException(ApiError.CLUSTER_NOT_LEADER);
    }
    if (op == EntryOp.UPDATE_STREAM) {
      inflight.put(sa.config().name(), sa);
    } else {
      inflight.remove(sa.config().name());
    }
    CompletableFuture<StreamAssignment> f = new CompletableFuture<>();
    pending.computeIfAbsent(sa.config().name(), k -> new ArrayDeque<>()).add(new Pending(op, f));
    return f;
  }

  private void requireLeader() {
    if (!isLeader()) {
      throw new ClusterException(ApiError.CLUSTER_NOT_LEADER);
    }
  }

  /** A fresh Raft group name for a stream of {@code replicas} replicas (nats-server's groupNameForStream). */
  private String groupName(int replicas, StorageType storage) {
    return "S-R" + replicas + (storage == StorageType.MEMORY ? "M" : "F") + "-" + NodeIds.token(random);
  }

  private static void validate(StreamConfig cfg) {
    Objects.requireNonNull(cfg, "config");
    if (cfg.name().isEmpty() || cfg.name().contains(".") || cfg.name().contains("*")
        || cfg.name().contains(">") || cfg.name().contains(" ")) {
      throw new ClusterException(ApiError.invalidConfig("stream name is required and can not contain '.', '*', '>'"));
    }
    if (cfg.storage() == StorageType.UNSPECIFIED) {
      throw new ClusterException(ApiError.invalidConfig("storage type is required"));
    }
    if (cfg.replicas() > 5) {
      throw new ClusterException(ApiError.invalidConfig("maximum replicas is 5"));
    }
  }

  private OffsetDateTime created() {
    long ns = wallNanos.getAsLong();
    return OffsetDateTime.ofInstant(Instant.ofEpochSecond(Math.floorDiv(ns, 1_000_000_000L),
        Math.floorMod(ns, 1_000_000_000L)), ZoneOffset.UTC);
  }

  private List<String> onlinePeers() {
    long now = nowMillis.getAsLong();
    List<String> out = new ArrayList<>();
    Map<String, PeerInfo> infos = new HashMap<>();
    for (PeerInfo p : host.node().peerInfos(now)) {
      infos.put(p.id(), p);
    }
    for (String p : peerIds) {
      PeerInfo pi = infos.get(p);
      // A new leader has not heard from everyone yet; like nats-server's node table it assumes
      // peers online until they have been silent for the window.
      long heard = pi == null || pi.lastHeardMillis() < 0 ? leaderSince : pi.lastHeardMillis();
      if (p.equals(selfId) || now - heard <= ONLINE_WINDOW_MS) {
        out.add(p);
      }
    }
    return out;
  }

  private Map<String, Integer> load() {
    Map<String, Integer> m = new HashMap<>();
    for (StreamAssignment sa : streams.values()) {
      if (sa.group() != null) {
        for (String p : sa.group().peers()) {
          m.merge(p, 1, Integer::sum);
        }
      }
    }
    return m;
  }

  // ------------------------------------------------------------------ apply

  @Override
  public void committed(CommittedEntry ce) {
    if (ce.isSnapshot()) {
      applySnapshot(ce.snapshotData());
      if (replayed && afterApply != null) {
        // A follower that took the leader's snapshot snapshots its own table at once, as
        // nats-server's meta loop does after applying one while not leading.
        afterApply.accept(!leader);
      }
      return;
    }
    boolean peerEntries = false;
    for (Entry e : ce.entries()) {
      if (e.type() == EntryType.ADD_PEER || e.type() == EntryType.REMOVE_PEER) {
        peerEntries = true;
      }
      if (e.type() != EntryType.NORMAL || e.length() == 0) {
        continue;
      }
      int op = e.byteAt(0) & 0xff;
      if (op == EntryOp.ASSIGN_STREAM.code() || op == EntryOp.UPDATE_STREAM.code()
          || op == EntryOp.REMOVE_STREAM.code()) {
        applyStreamOp(e.data());
      } else {
        LOG.debug("[{}] meta op {} not handled by this node", selfId, op);
      }
    }
    if (replayed && afterApply != null) {
      afterApply.accept(peerEntries);
    }
  }

  // ------------------------------------------------------------------ snapshots

  private java.util.function.Consumer<Boolean> afterApply;

  /**
   * Sets what runs after each applied meta index (the node checks whether to snapshot; the
   * argument asks for a snapshot at once, as nats-server takes one after membership changes, after
   * a follower applied the leader's snapshot and at the end of a Raft catch-up).
   */
  public void afterApply(java.util.function.Consumer<Boolean> hook) {
    this.afterApply = hook;
  }

  /** The meta snapshot of the applied state ({@link MetaSnapshotCodec}). */
  public byte[] snapshot() {
    return MetaSnapshotCodec.encode(streams.values());
  }

  /**
   * nats-server's {@code applyMetaSnapshot}: the snapshot replaces the assignment table; streams it
   * lacks are removed, streams recreated under another group are removed and added again, new
   * ones are added and changed ones updated. A snapshot that does not decode changes nothing: a
   * damaged snapshot must never delete a stream.
   */
  void applySnapshot(byte[] data) {
    List<DecodedAssignment<StreamAssignment>> list;
    try {
      list = MetaSnapshotCodec.decode(data);
    } catch (CodecException e) {
      LOG.error("[{}] bad meta snapshot ignored: {}", selfId, e.getMessage());
      return;
    }
    Map<String, DecodedAssignment<StreamAssignment>> next = new TreeMap<>();
    for (DecodedAssignment<StreamAssignment> d : list) {
      if (d.assignment().config() != null) {
        next.put(d.assignment().config().name(), d);
      }
    }
    for (StreamAssignment old : List.copyOf(streams.values())) {
      String name = old.config().name();
      DecodedAssignment<StreamAssignment> n = next.get(name);
      boolean recreated = n != null && !Objects.equals(n.assignment().created(), old.created())
          && (n.assignment().group() == null || old.group() == null
              || !n.assignment().group().name().equals(old.group().name()));
      if (n == null || recreated) {
        streams.remove(name);
        unsupported.remove(name);
        removed(old);
      }
    }
    for (DecodedAssignment<StreamAssignment> d : next.values()) {
      StreamAssignment sa = d.assignment();
      String name = sa.config().name();
      StreamAssignment old = streams.get(name);
      if (old != null && old.equals(sa)) {
        continue;
      }
      streams.put(name, sa);
      track(name, d.unsupportedReason());
      assigned(sa, old != null, d.unsupportedReason());
    }
  }

  private void applyStreamOp(byte[] data) {
    DecodedAssignment<StreamAssignment> d;
    try {
      d = StreamAssignmentCodec.decode(data);
    } catch (CodecException ex) {
      LOG.error("[{}] bad stream assignment in meta log: {}", selfId, ex.getMessage());
      return;
    }
    StreamAssignment sa = d.assignment();
    String name = sa.config() == null ? "" : sa.config().name();
    switch (d.op()) {
      case ASSIGN_STREAM -> {
        if (!streams.containsKey(name)) {
          streams.put(name, sa);
          track(name, d.unsupportedReason());
          assigned(sa, false, d.unsupportedReason());
        }
      }
      case UPDATE_STREAM -> {
        StreamAssignment in = inflight.get(name);
        if (in != null && in.group().equals(sa.group()) && in.config().equals(sa.config())) {
          inflight.remove(name);
        }
        if (streams.containsKey(name)) {
          streams.put(name, sa);
          track(name, d.unsupportedReason());
          assigned(sa, true, d.unsupportedReason());
        }
      }
      case REMOVE_STREAM -> {
        inflight.remove(name);
        StreamAssignment old = streams.remove(name);
        unsupported.remove(name);
        if (old != null) {
          removed(old);
        }
      }
      default -> {
        return;
      }
    }
    ArrayDeque<Pending> q = pending.get(name);
    if (q != null) {
      Pending p = q.peek();
      if (p != null && p.op() == d.op()) {
        q.poll();
        p.future().complete(sa);
      }
      if (q.isEmpty()) {
        pending.remove(name);
      }
    }
  }

  /**
   * Tells the node of an applied assignment; while the startup replay runs the table alone changes
   * and the node hears only the final state at the end (see {@link #marker()}).
   */
  private void assigned(StreamAssignment sa, boolean update, String reason) {
    if (replayed) {
      handler.streamAssigned(sa, update, reason);
    }
  }

  /** Tells the node of a removed assignment, or stages the removal while the replay runs. */
  private void removed(StreamAssignment sa) {
    if (replayed) {
      handler.streamRemoved(sa);
    } else {
      replayRemoved.put(sa.config().name(), sa);
    }
  }

  private void track(String name, String reason) {
    if (reason == null) {
      unsupported.remove(name);
    } else {
      unsupported.put(name, reason);
    }
  }

  /** The offline reason of an unsupported assignment, or null. */
  public String unsupportedReason(String name) {
    return unsupported.get(name);
  }

  /**
   * The end of the startup replay (nats-server applies the meta log in recovery mode and acts on
   * the staged result only then): the node is told of the final table once, removals first, so a
   * stream created and deleted in the log never gets a replica, and a deleted one is not created
   * again on every restart. A later marker ends a Raft catch-up: everything it brought was applied
   * as it came (a snapshot by {@link #applySnapshot}'s diff), so it only asks for a meta snapshot.
   */
  @Override
  public void marker() {
    if (!replayed) {
      replayed = true;
      for (StreamAssignment gone : replayRemoved.values()) {
        if (!streams.containsKey(gone.config().name())) {
          handler.streamRemoved(gone);
        }
      }
      replayRemoved.clear();
      for (StreamAssignment sa : List.copyOf(streams.values())) {
        handler.streamAssigned(sa, false, unsupported.get(sa.config().name()));
      }
      handler.replayDone();
      if (afterApply != null) {
        // Start with a freshly compacted log, as nats-server snapshots when recovery ends.
        afterApply.accept(true);
      }
    } else if (afterApply != null) {
      // The end of a Raft catch-up: nats-server's meta loop snapshots at every such marker.
      afterApply.accept(true);
    }
  }

  @Override
  public void leaderChanged(boolean isLeader, long term) {
    this.leader = isLeader;
    this.term = term;
    inflight.clear();
    if (isLeader) {
      leaderSince = nowMillis.getAsLong();
      // A leader that finds an assignment without a sync subject gives it one.
      for (StreamAssignment sa : List.copyOf(streams.values())) {
        if (sa.sync().isEmpty() && sa.config() != null && unsupported.get(sa.config().name()) == null) {
          try {
            proposeUpdate(sa.config());
          } catch (ClusterException e) {
            LOG.warn("[{}] could not add sync subject to {}: {}", selfId, sa.config().name(), e.getMessage());
          }
        }
      }
    }
    handler.metaLeaderChanged(isLeader, term);
  }

  /** Fails every proposal still waiting (the node stops). */
  public void failPending(Throwable cause) {
    for (ArrayDeque<Pending> q : pending.values()) {
      for (Pending p : q) {
        p.future().completeExceptionally(cause);
      }
    }
    pending.clear();
  }
}
