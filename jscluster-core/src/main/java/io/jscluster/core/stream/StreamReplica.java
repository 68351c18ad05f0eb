package io.jscluster.core.stream;

import io.jscluster.codec.CodecException;
import io.jscluster.codec.EntryOp;
import io.jscluster.codec.meta.StorageType;
import io.jscluster.codec.meta.StreamAssignment;
import io.jscluster.codec.meta.StreamConfig;
import io.jscluster.codec.msg.BatchMsgCodec;
import io.jscluster.codec.msg.StreamMsg;
import io.jscluster.codec.msg.StreamMsgCodec;
import io.jscluster.codec.msg.StreamMsgView;
import io.jscluster.codec.ops.DeleteRange;
import io.jscluster.codec.ops.DeleteRangeCodec;
import io.jscluster.codec.ops.MsgDelete;
import io.jscluster.codec.ops.MsgDeleteCodec;
import io.jscluster.codec.ops.PurgeRequest;
import io.jscluster.codec.ops.StreamPurge;
import io.jscluster.codec.ops.StreamPurgeCodec;
import io.jscluster.core.ApiError;
import io.jscluster.core.Headers;
import io.jscluster.core.PubAck;
import io.jscluster.core.RaftGroupHost;
import io.jscluster.core.Scheduler;
import io.jscluster.core.store.LimitExceededException;
import io.jscluster.core.store.MessageSize;
import io.jscluster.core.store.SequenceMismatchException;
import io.jscluster.core.store.StoreException;
import io.jscluster.core.store.StoredMessage;
import io.jscluster.core.store.StreamLimits;
import io.jscluster.core.store.StreamState;
import io.jscluster.core.store.StreamStore;
import io.jscluster.core.sync.CatchupState;
import io.jscluster.core.sync.DeleteRangeApply;
import io.jscluster.raft.CommittedEntry;
import io.jscluster.raft.RaftException;
import io.jscluster.raft.wire.Entry;
import io.jscluster.raft.wire.EntryType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's replica of a stream: its store, its Raft group (none for R1), the leader's publish
 * path (nats-server {@code processClusteredInboundMsg} with {@code checkMsgHeadersPreClusteredProposal}
 * and {@code commitSingleMsg}) and the apply path every replica runs on committed entries
 * ({@code applyStreamEntries}: ops 4, 14, 5, 6, 15, 16 and 17).
 *
 * <p>Sequence bookkeeping follows nats-server: {@code clseq} is the leader's next clustered
 * sequence, {@code clfs} counts proposals that received a clustered sequence but stored nothing,
 * and a message proposed with {@code lseq} is stored at {@code lseq + 1 - clfs}. Pre-proposal
 * rejections never consume a clustered sequence, and a failed proposal does not advance it.
 *
 * <p>Results reach callers through futures completed when this node applies the entry (the
 * request carries a reply token only this node knows). Single-threaded: every method runs on the
 * owning node's logical thread.
 */
public final class StreamReplica implements RaftGroupHost.Listener {

  private static final Logger LOG = LoggerFactory.getLogger(StreamReplica.class);

  /** Above this many proposals outstanding, the leader warns about lag (nats-server's value). */
  public static final long LAG_WARN_THRESHOLD = 10_000;

  /** What a replica needs from its node. */
  public interface Context {
    /** The node's scheduler. */
    Scheduler scheduler();

    /** This node's id. */
    String selfId();

    /** How long a caller waits for its result. */
    long requestTimeoutMillis();

    /** Leadership of this stream changed. */
    void leaderChanged(StreamReplica replica, boolean isLeader, long term);

    /** The node's transport (catch-up traffic). */
    io.jscluster.raft.transport.Transport transport();

    /** The node's global catch-up budget. */
    io.jscluster.core.sync.CatchupBudget catchupBudget();

    /** A seeded random source for this replica's subjects. */
    java.util.random.RandomGenerator random();

    /** Makes the stream's failed-proposal count durable (it must survive a restart's log replay). */
    void saveFailed(StreamReplica replica, long clfs);

    /** The server's sync-request permits (nats-server's 32 concurrent catch-ups). */
    default io.jscluster.core.sync.SyncRequestLimiter syncLimiter() {
      return SHARED_LIMITER;
    }

    /** When this replica snapshots into Raft (by default nats-server's thresholds). */
    default SnapshotPolicy snapshotPolicy() {
      return SnapshotPolicy.DEFAULT;
    }

    /**
     * Where a replicated stream forces its file store after each apply batch, or null (the
     * default) when the store forces within the batch. See {@link #applyBatch}.
     */
    default java.util.concurrent.Executor storeForcer() {
      return null;
    }

    /**
     * Where a replicated stream with a {@linkplain #storeForcer() store forcer} writes the file of
     * a threshold snapshot before adopting it on the node's thread, or null (the default) to write
     * it on the node's thread. See {@link io.jscluster.core.NodeStorage#snapshotWriter()}.
     */
    default java.util.concurrent.Executor snapshotWriter() {
      return null;
    }

    /** Hands a migration request to the meta leader (by default, published for it on the transport). */
    default void reconcile(io.jscluster.core.meta.Reconcile r) {
      transport().send(io.jscluster.core.meta.Reconcile.SUBJECT, null, r.encode());
    }
  }

  /** Permits for contexts that bring none. */
  static final io.jscluster.core.sync.SyncRequestLimiter SHARED_LIMITER = new io.jscluster.core.sync.SyncRequestLimiter();

  /** Proposes one entry; the seam through which tests inject proposal failures. */
  @FunctionalInterface
  interface Proposer {
    void propose(long term, byte[] data);
  }

  private record Staged(String subject, long size, String msgId, String expectedSubject) {}

  private final Context ctx;
  private final String name;
  private final StreamStore store;
  private final RaftGroupHost host;
  private final DedupeTable dedupe;
  private final CatchupState catchup = new CatchupState();
  private Proposer proposer;
  private StreamAssignment assignment;
  private StreamConfig cfg;
  private long clfs;
  private long clseq;
  private boolean leader;
  private long term;
  private boolean recovering = true;
  private String lmsgId = "";
  private long desyncs;
  private long lagWarnings;
  private StoreException writeError;
  private long replySeq;
  private final Map<String, long[]> inflight = new HashMap<>();
  private long inflightMsgs;
  private long inflightBytes;
  private final Map<String, Staged> staged = new HashMap<>();
  /** Subjects with a per-subject sequence expectation in flight (nats-server expectedPerSubjectInProcess). */
  private final java.util.Set<String> expectedInProcess = new java.util.HashSet<>();
  private final Map<String, CompletableFuture<PubAck>> pendingPubs = new HashMap<>();
  private final Map<String, CompletableFuture<Long>> pendingPurges = new HashMap<>();
  private final Map<String, CompletableFuture<Boolean>> pendingDeletes = new HashMap<>();

  /** A caller's wait in {@code map} under {@code reply}, failing at {@code at} (scheduler millis). */
  private record Deadline(long at, Map<String, ? extends CompletableFuture<?>> map, String reply) {}

  /** The waits of the three maps above, oldest first; see {@link #await}. */
  private final java.util.ArrayDeque<Deadline> deadlines = new java.util.ArrayDeque<>();
  /** Armed for the oldest deadline while any is queued. */
  private Scheduler.Timer deadlineTimer;
  private final Runnable expireDeadlines = this::expireDeadlines;
  private final List<StreamMsg> batchMsgs = new ArrayList<>();
  /**
   * This leader's stream-message proposals not yet applied, in proposal order: the entry bytes
   * handed to Raft and the message they encode. A leader applies its own entries from the very
   * arrays it proposed (Raft hands back the proposed {@code Entry}), so the apply recognises them
   * by identity and reuses the proposal's subject and reply strings instead of decoding new ones
   * (the reply's hash is already cached for the lookups by reply). Only a hint: an entry not found
   * here is decoded as on a follower.
   */
  private final java.util.ArrayDeque<byte[]> ownEntries = new java.util.ArrayDeque<>();
  private final java.util.ArrayDeque<StreamMsg> ownMsgs = new java.util.ArrayDeque<>();
  /** How far into {@link #ownEntries} an apply looks for its entry before decoding instead. */
  private static final int OWN_SCAN = 16;
  /** The subject of the last message applied from decoded bytes, and its bytes (reused when equal). */
  private String lastSubject;
  private byte[] lastSubjectBytes = new byte[0];
  /**
   * Stands in for a decoded reply when nothing here waits for one (no publish awaits an ack on
   * this replica): any lookup by it finds nothing, as the real reply would, without decoding it.
   */
  private static final String UNAWAITED_REPLY = "$JSC.UNAWAITED";
  private String batchId = "";
  private long batchCount;
  private boolean batching;
  private final List<CompletableFuture<?>> settledFutures = new ArrayList<>();
  private final List<Object> settledValues = new ArrayList<>();
  /** Forces the store after apply batches (null: each batch forces inline). */
  private final java.util.concurrent.Executor storeForcer;
  /** Writes threshold snapshots' files off the node's thread (null: {@link #finishSnapshot} installs inline). */
  private final java.util.concurrent.Executor snapshotWriter;
  /** Results of an apply batch waiting for the store force of generation {@code gen}. */
  private record ForceWait(long gen, Object[] futures, Object[] values) {}
  private final java.util.ArrayDeque<ForceWait> forceWaits = new java.util.ArrayDeque<>();
  /** Store forces requested (node thread). */
  private long storeForceGen;
  /** The generation the next store force task covers: every batch up to it was written before. */
  private volatile long storeForceTarget;
  private final java.util.concurrent.atomic.AtomicBoolean storeForceQueued =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final Runnable storeForceTask = this::forceStore;
  /** Whether the current apply batch delivered an entry (so the store may have changed). */
  private boolean batchApplied;

  /**
   * Creates the replica over an open store. {@code host} is null for an R1 stream; otherwise it
   * must have this replica as its listener and not be started yet.
   */
  public StreamReplica(Context ctx, StreamAssignment sa, StreamStore store, RaftGroupHost host) {
    this.ctx = ctx;
    this.assignment = sa;
    this.cfg = sa.config();
    this.name = cfg.name();
    this.store = store;
    this.host = host;
    this.dedupe = new DedupeTable(cfg.duplicates());
    this.proposer = host == null ? null : host::propose;
    this.createdAtMillis = ctx.scheduler().nowMillis();
    this.storeForcer = host != null && store instanceof io.jscluster.core.store.FileStreamStore
        ? ctx.storeForcer() : null;
    this.snapshotWriter = storeForcer != null ? ctx.snapshotWriter() : null;
    if (host == null) {
      recovering = false;
      this.sync = null;
    } else {
      this.sync = new StreamSync(ctx.transport(), ctx.scheduler(), ctx.catchupBudget(), ctx.random(), store,
          ctx.selfId(), name);
    }
  }

  private final StreamSync sync;
  private final long createdAtMillis;
  private java.time.OffsetDateTime leaderSince;
  private Scheduler.Timer repairTimer;
  private Scheduler.Timer migrationTimer;
  private String migrationStatus;
  private boolean closed;

  /** Stops catch-up traffic and timers (the replica goes away). */
  public void close() {
    closed = true;
    if (sync != null) {
      sync.stop();
    }
    if (repairTimer != null) {
      repairTimer.cancel();
    }
    if (migrationTimer != null) {
      migrationTimer.cancel();
      migrationTimer = null;
    }
    if (snapTimer != null) {
      snapTimer.cancel();
      snapTimer = null;
    }
    abortPendingSnapshot();
    if (follower != null) {
      io.jscluster.core.sync.FollowerCatchup f = follower;
      follower = null;
      f.stop(false);
    }
    deferred.clear();
  }

  /** What the leader's migration toward the desired peer set last did, or null when idle. */
  public String migrationStatus() {
    return migrationStatus;
  }

  /** Leader: while the assignment carries desired state, steps the migration every 500 ms. */
  private void scheduleMigration(long delayMillis) {
    if (closed || host == null || migrationTimer != null || !leader || assignment.group() == null
        || assignment.group().desired() == null) {
      return;
    }
    Scheduler s = ctx.scheduler();
    migrationTimer = s.schedule(s.nowMillis() + delayMillis, () -> {
      migrationTimer = null;
      if (closed || host.stopped() || !leader) {
        return;
      }
      migrationStatus = StreamMigration.step(migrationEnv);
      if (migrationStatus != null) {
        LOG.debug("[{}] stream {} migration: {}", ctx.selfId(), name, migrationStatus);
        scheduleMigration(MIGRATION_INTERVAL_MS);
      }
    });
  }

  /** nats-server's migrateFallbackCheckInterval. */
  static final long MIGRATION_INTERVAL_MS = 500;

  private final StreamMigration.Env migrationEnv = new StreamMigration.Env() {
    @Override
    public io.jscluster.raft.RaftNode node() {
      return host.node();
    }

    @Override
    public long term() {
      return term;
    }

    @Override
    public StreamAssignment assignment() {
      return assignment;
    }

    @Override
    public long now() {
      return ctx.scheduler().nowMillis();
    }

    @Override
    public io.jscluster.core.sync.CatchupPeers catchups() {
      return catchupPeers();
    }

    @Override
    public void reconcile(io.jscluster.core.meta.Reconcile r) {
      ctx.reconcile(r);
    }

    @Override
    public void stepDown(String preferred) {
      host.input(n -> {
        if (n.isLeader()) {
          if (preferred.isEmpty()) {
            n.stepDown(ctx.scheduler().nowMillis());
          } else {
            n.stepDown(ctx.scheduler().nowMillis(), preferred);
          }
        }
      });
    }

    @Override
    public void addPeer(String peer) {
      host.input(n -> n.proposeAddPeer(ctx.scheduler().nowMillis(), peer));
    }

    @Override
    public void removePeer(String peer) {
      host.input(n -> n.proposeRemovePeer(ctx.scheduler().nowMillis(), peer));
    }

    @Override
    public long storeLastSeq() {
      return store.lastSeq();
    }

    @Override
    public boolean installSnapshot() {
      return snapshotNow();
    }

    @Override
    public void flushForScaleDown() {
      store.sync();
    }
  };

  /** Damaged ranges repaired from the leader so far. */
  public long repairedRanges() {
    return sync == null ? 0 : sync.repairedRanges();
  }

  /** The leader's table of followers being caught up (empty on followers). */
  public io.jscluster.core.sync.CatchupPeers catchupPeers() {
    return sync == null ? new io.jscluster.core.sync.CatchupPeers() : sync.peers();
  }

  /** While the store reports damage, ask the leader for the ranges once one is known. */
  private void scheduleRepair() {
    if (closed || sync == null || repairTimer != null) {
      return;
    }
    Scheduler s = ctx.scheduler();
    repairTimer = s.schedule(s.nowMillis() + 1_000, () -> {
      repairTimer = null;
      if (closed || !store.hasDamage()) {
        return;
      }
      String lid = host.node().leaderId();
      if (host.node().isLeader()) {
        // A leader cannot repair from itself: hand leadership to a replica that has the data.
        handDamagedLeadershipOn();
      } else if (sync.activeRepairs() == 0 && lid != null && !lid.isEmpty() && !lid.equals(ctx.selfId())) {
        sync.repairDamage(assignment.sync(), this::restoreMsgIds);
      }
      scheduleRepair();
    });
  }

  private final io.jscluster.core.sync.LeaderCatchup.Node syncNode = new io.jscluster.core.sync.LeaderCatchup.Node() {
    @Override
    public long index() {
      return host.node().lastIndex();
    }

    @Override
    public long applied() {
      return host.node().appliedIndex();
    }

    @Override
    public void stepDown() {
      if (host.node().state() == io.jscluster.raft.RaftState.LEADER) {
        host.input(n -> n.stepDown(ctx.scheduler().nowMillis()));
      }
    }

    @Override
    public void reinstallSnapshot() {
      // A follower asked past the store's end: refresh the snapshot it will receive next.
      installSnapshot(true, false);
    }
  };

  /** Converts a stream config's limits to the store's form. */
  public static StreamLimits limitsOf(StreamConfig c) {
    return new StreamLimits(c.maxMsgs(), c.maxBytes(), c.maxAge(), c.maxMsgsPer(),
        c.discard() == io.jscluster.codec.meta.DiscardPolicy.NEW
            ? io.jscluster.core.store.DiscardPolicy.NEW : io.jscluster.core.store.DiscardPolicy.OLD,
        c.discardNewPer());
  }

  // ------------------------------------------------------------------ accessors

  /** The stream name. */
  public String name() {
    return name;
  }

  /** The current assignment. */
  public StreamAssignment assignment() {
    return assignment;
  }

  /** The current config. */
  public StreamConfig config() {
    return cfg;
  }

  /** The local store. */
  public StreamStore store() {
    return store;
  }

  /** The Raft host, or null for R1. */
  public RaftGroupHost host() {
    return host;
  }

  /** Whether this replica leads the stream (always true for R1). */
  public boolean isLeader() {
    return host == null || leader && host.node().isLeader();
  }

  /** The leader's node id ("" when unknown; this node for R1). */
  public String leaderId() {
    return host == null ? ctx.selfId() : host.node().leaderId();
  }

  /** When this replica was created, on the scheduler clock. */
  public long createdAtMillis() {
    return createdAtMillis;
  }

  /** When this replica last became leader (wall clock), or null while it is not leader. */
  public java.time.OffsetDateTime leaderSince() {
    return leader ? leaderSince : null;
  }

  /** The count of clustered proposals that stored nothing. */
  public long clfs() {
    return clfs;
  }

  /** The leader's next clustered sequence base (0 until the first proposal). */
  public long clseq() {
    return clseq;
  }

  /** Subjects with a per-subject sequence expectation still in flight on this leader. */
  public int expectedPerSubjectInProcess() {
    return expectedInProcess.size();
  }

  /** How often an apply found its expected sequence broken (the stream needs a reset). */
  public long desyncs() {
    return desyncs;
  }

  /** How often the leader logged the high-message-lag warning. */
  public long lagWarnings() {
    return lagWarnings;
  }

  /** Whether the Raft log replay after start is still running. */
  public boolean recovering() {
    return recovering;
  }

  /** The catch-up flag of this replica. */
  public CatchupState catchupState() {
    return catchup;
  }

  /** The store error that stopped applies, or null. */
  public StoreException writeError() {
    return writeError;
  }

  /** nats-server's {@code isCurrent}: no node, or the node is current and not catching up. */
  public boolean isCurrent() {
    if (store.hasDamage()) {
      return false;
    }
    return catchup.isCurrent(host != null, host != null && host.node().current(ctx.scheduler().nowMillis()));
  }

  /** Replaces the assignment after a meta update (limits and de-dup window take effect now). */
  public void update(StreamAssignment sa) {
    this.assignment = sa;
    this.cfg = sa.config();
    dedupe.window(cfg.duplicates());
    store.updateLimits(limitsOf(cfg));
    if (sa.group() == null || sa.group().desired() == null) {
      migrationStatus = null;
    }
    scheduleMigration(0);
  }

  /** Fails every waiting caller (the replica is going away). */
  public void failPending(Throwable cause) {
    forgetOwnProposals();
    pendingPubs.values().forEach(f -> f.completeExceptionally(cause));
    pendingPurges.values().forEach(f -> f.completeExceptionally(cause));
    pendingDeletes.values().forEach(f -> f.completeExceptionally(cause));
    clearPending();
  }

  /** Forgets every waiting caller and the publish deadlines (each was settled by the caller). */
  private void clearPending() {
    pendingPubs.clear();
    pendingPurges.clear();
    pendingDeletes.clear();
    deadlines.clear();
    if (deadlineTimer != null) {
      deadlineTimer.cancel();
      deadlineTimer = null;
    }
  }

  /**
   * Settles every waiting caller as this replica hands its stream over to a replica of the other
   * mode (an R1 switch or a group remap; the caller stopped the Raft group and synced the store,
   * {@code syncFailure} null when that sync succeeded). A publish whose entry was applied is in
   * the store, which the sync made durable: it is acknowledged (with a failed sync, it fails with
   * the store error instead). A publish whose entry was not applied never will be — the Raft group
   * and its log are gone — so it fails with the retryable {@link ApiError#CLUSTER_NOT_LEADER}, as
   * nats-server answers a publish that reaches a stream in the middle of a switch; a client
   * retrying with its {@code Nats-Msg-Id} stores it once. Waiting purges and deletes fail with the
   * same error.
   */
  public void handOver(StoreException syncFailure) {
    forgetOwnProposals();
    releaseSettled(syncFailure);
    ForceWait w;
    while ((w = forceWaits.poll()) != null) {
      for (int i = 0; i < w.futures().length; i++) {
        complete(w.futures()[i], w.values()[i], syncFailure);
      }
    }
    pendingPubs.values().forEach(f -> f.complete(PubAck.failed(name, ApiError.CLUSTER_NOT_LEADER)));
    io.jscluster.core.ClusterException notLeader = new io.jscluster.core.ClusterException(ApiError.CLUSTER_NOT_LEADER);
    pendingPurges.values().forEach(f -> f.completeExceptionally(notLeader));
    pendingDeletes.values().forEach(f -> f.completeExceptionally(notLeader));
    clearPending();
  }

  void setProposer(Proposer p) {
    this.proposer = p;
  }

  // ------------------------------------------------------------------ leader publish path

  /**
   * Publishes a message through the leader path. The future completes with the PubAck once this
   * node applied the committed entry, at once with an error PubAck for a rejection before
   * proposal, or exceptionally with {@link TimeoutException} when nothing happened in time.
   */
  public CompletableFuture<PubAck> publish(String subject, byte[] hdr, byte[] msg) {
    CompletableFuture<PubAck> f = new CompletableFuture<>();
    if (writeError != null) {
      f.complete(PubAck.failed(name, ApiError.storeFailed(writeError.getMessage())));
      return f;
    }
    if (host == null) {
      f.complete(publishLocal(subject, hdr, msg));
      return f;
    }
    PubAck rejected = preProposal(subject, hdr, msg);
    if (rejected != null) {
      f.complete(rejected);
      return f;
    }
    String reply = nextReply();
    long ts = ctx.scheduler().wallNanos();
    StreamMsg sm = new StreamMsg(subject, reply, hdr, msg, clseq, ts, false);
    byte[] data = StreamMsgCodec.encode(sm);
    try {
      proposer.propose(term, data);
    } catch (RaftException e) {
      // The staged diff is dropped and clseq stays where it was.
      f.complete(PubAck.failed(name, e.error() == RaftException.Error.NOT_LEADER
          ? ApiError.CLUSTER_NOT_LEADER : ApiError.storeFailed(e.getMessage())));
      return f;
    }
    // Only strings that decode back to themselves: ASCII below the codec's 64 KiB clip.
    if (isShortAscii(subject) && isShortAscii(reply)) {
      ownEntries.add(data);
      ownMsgs.add(sm);
    }
    String msgId = msgIdOf(hdr);
    if (msgId != null) {
      dedupe.put(msgId, 0, ts);
    }
    long size = recordSize(subject, hdr, msg);
    inflight.computeIfAbsent(subject, k -> new long[2])[0]++;
    inflight.get(subject)[1] += size;
    inflightMsgs++;
    inflightBytes += size;
    String expSubj = expectedSubjectOf(subject, hdr);
    if (expSubj != null) {
      expectedInProcess.add(expSubj);
    }
    staged.put(reply, new Staged(subject, size, msgId, expSubj));
    clseq++;
    long last = store.lastSeq();
    if (clseq - (last + clfs) > LAG_WARN_THRESHOLD) {
      if (lagWarnings++ % 10_000 == 0) {
        LOG.warn("JetStream stream '{}' has high message lag", name);
      }
    }
    await(pendingPubs, reply, f);
    return f;
  }

  /**
   * Leader (or R1): uses up sequences {@code start..end} without messages (nats-server's
   * {@code skipMsgs}, used when a mirror or source sees a gap). An R1 skips them in its store at
   * once; a replicated stream proposes them, as one delete range (op 15, applied in O(1) by every
   * replica) when {@code deleteRange} is set — nats-server's {@code js_raft_delete_range} feature
   * flag, to be set only when every peer applies op 15 from the log — else as one skip record per
   * sequence. The skips take effect when applied; a publish proposed before that does not see them.
   *
   * @throws IllegalArgumentException when {@code start} is 0 or after {@code end}
   * @throws io.jscluster.core.ClusterException not leader, or the proposal failed
   * @throws StoreException an R1 store refused the skip (e.g. {@code start} is not its next sequence)
   */
  public void skipMsgs(long start, long end, boolean deleteRange) {
    if (start == 0 || Long.compareUnsigned(start, end) > 0) {
      throw new IllegalArgumentException("bad skip range " + Long.toUnsignedString(start) + ".."
          + Long.toUnsignedString(end));
    }
    long num = end - start + 1;
    if (host == null) {
      store.skip(start, num);
      return;
    }
    if (!isLeader()) {
      throw new io.jscluster.core.ClusterException(ApiError.CLUSTER_NOT_LEADER);
    }
    try {
      if (deleteRange) {
        proposer.propose(term, DeleteRangeCodec.encode(new DeleteRange(start, num)));
        return;
      }
      // Each record names the sequence before it with the clfs offset, as a publish does, so the
      // apply path's last-sequence check places it (nats-server omits the offset: with failed
      // proposals counted its records would be taken as already applied).
      for (long seq = start; Long.compareUnsigned(seq, end) <= 0 && seq != 0; seq++) {
        proposer.propose(term, StreamMsgCodec.encode(new StreamMsg("", "", null, null, seq - 1 + clfs, 0, false)));
      }
    } catch (RaftException e) {
      throw new io.jscluster.core.ClusterException(e.error() == RaftException.Error.NOT_LEADER
          ? ApiError.CLUSTER_NOT_LEADER : ApiError.storeFailed(e.getMessage()));
    }
  }

  private PubAck preProposal(String subject, byte[] hdr, byte[] msg) {
    if (!isLeader() || store.hasDamage()) {
      // A damaged leader is about to hand leadership over: its de-duplication window and
      // per-subject checks cannot see the damaged range.
      return PubAck.failed(name, ApiError.CLUSTER_NOT_LEADER);
    }
    if (cfg.sealed()) {
      return PubAck.failed(name, ApiError.STREAM_SEALED);
    }
    int hl = hdr == null ? 0 : hdr.length;
    int ml = msg == null ? 0 : msg.length;
    long max = cfg.maxMsgSize();
    if (max >= 0 && (hl > max || ml > max - hl)) {
      return PubAck.failed(name, ApiError.MESSAGE_EXCEEDS_MAXIMUM);
    }
    long lseq = store.lastSeq();
    if (clseq == 0 || clseq < lseq + clfs) {
      clseq = lseq + clfs;
    }
    return checkHeaders(subject, hdr, msg, clseq - clfs);
  }

  /** The checks before proposal (or before a local store for R1); null when the message may go ahead. */
  private PubAck checkHeaders(String subject, byte[] hdr, byte[] msg, long expectedLast) {
    int hl = hdr == null ? 0 : hdr.length;
    if (hl > 0) {
      if (hl > Headers.MAX_HEADER_BYTES) {
        return PubAck.failed(name, ApiError.HEADER_EXCEEDS_MAXIMUM);
      }
      String es = Headers.get(hdr, Headers.EXPECTED_STREAM);
      if (es != null && !es.isEmpty() && !es.equals(name)) {
        return PubAck.failed(name, ApiError.STREAM_NOT_MATCH);
      }
      String id = msgIdOf(hdr);
      if (id != null) {
        DedupeTable.Entry d = dedupe.lookup(id, ctx.scheduler().wallNanos());
        if (d != null) {
          return d.seq() > 0 ? PubAck.duplicateOf(name, d.seq())
              : PubAck.failed(name, ApiError.DUPLICATE_MESSAGE_CONFLICT);
        }
      }
      String els = Headers.get(hdr, Headers.EXPECTED_LAST_SEQ);
      if (els != null) {
        long v;
        try {
          v = Long.parseUnsignedLong(els);
        } catch (NumberFormatException e) {
          v = -1;
        }
        if (v != -1 && v != expectedLast) {
          return PubAck.failed(name, ApiError.wrongLastSequence(expectedLast));
        }
      }
      PubAck perSubject = checkExpectedLastSubjectSeq(subject, hdr);
      if (perSubject != null) {
        return perSubject;
      }
    }
    if (cfg.discard() == io.jscluster.codec.meta.DiscardPolicy.NEW) {
      StreamState st = store.state();
      long size = recordSize(subject, hdr, msg);
      if (cfg.maxMsgs() > 0 && st.msgs() + inflightMsgs + 1 > cfg.maxMsgs()) {
        return PubAck.failed(name, ApiError.storeFailed("maximum messages exceeded"));
      }
      if (cfg.maxBytes() > 0 && st.bytes() + inflightBytes + size > cfg.maxBytes()) {
        return PubAck.failed(name, ApiError.storeFailed("maximum bytes exceeded"));
      }
      if (cfg.discardNewPer() && cfg.maxMsgsPer() > 0) {
        long[] in = inflight.get(subject);
        long total = store.subjectTotals(subject).getOrDefault(subject, 0L) + (in == null ? 0 : in[0]) + 1;
        if (total > cfg.maxMsgsPer()) {
          return PubAck.failed(name, ApiError.storeFailed("maximum messages per subject exceeded"));
        }
      }
    }
    return null;
  }

  /**
   * {@code Nats-Expected-Last-Subject-Sequence}: the last stored message on the subject (or on the
   * one the {@code -Subject} header names) must have that sequence, 0 meaning none. A subject with
   * any proposal in flight cannot be checked against the store, so it is refused outright.
   */
  private PubAck checkExpectedLastSubjectSeq(String subject, byte[] hdr) {
    String raw = Headers.get(hdr, Headers.EXPECTED_LAST_SUBJECT_SEQ);
    if (raw == null || raw.isEmpty()) {
      String only = Headers.get(hdr, Headers.EXPECTED_LAST_SUBJECT_SEQ_SUBJECT);
      return only == null || only.isEmpty() ? null
          : PubAck.failed(name, ApiError.EXPECTED_LAST_SEQ_PER_SUBJECT_INVALID);
    }
    long want;
    try {
      want = Long.parseLong(raw);
    } catch (NumberFormatException e) {
      // nats-server's parseInt64 yields -1, which as uint64 never matches a stored sequence.
      want = -1;
    }
    String seqSubj = expectedSubjectOf(subject, hdr);
    if (expectedInProcess.contains(seqSubj) || inflight.containsKey(seqSubj)) {
      return PubAck.failed(name, ApiError.WRONG_LAST_SEQUENCE_CONSTANT);
    }
    long found;
    try {
      StoredMessage last = store.loadLast(seqSubj);
      found = last == null ? 0 : last.seq();
    } catch (StoreException e) {
      // A damaged range hides the subject's last message: the expectation cannot be confirmed.
      return PubAck.failed(name, ApiError.wrongLastSequence(0));
    }
    if (found != want) {
      return PubAck.failed(name, ApiError.wrongLastSequence(found));
    }
    return null;
  }

  /** The subject a per-subject expectation is checked on, or null when the header is absent. */
  private static String expectedSubjectOf(String subject, byte[] hdr) {
    if (hdr == null || hdr.length == 0) {
      return null;
    }
    String raw = Headers.get(hdr, Headers.EXPECTED_LAST_SUBJECT_SEQ);
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    String over = Headers.get(hdr, Headers.EXPECTED_LAST_SUBJECT_SEQ_SUBJECT);
    return over == null || over.isEmpty() ? subject : over;
  }

  /** R1: nats-server's non-clustered processing, storing directly. */
  private PubAck publishLocal(String subject, byte[] hdr, byte[] msg) {
    if (cfg.sealed()) {
      return PubAck.failed(name, ApiError.STREAM_SEALED);
    }
    int hl = hdr == null ? 0 : hdr.length;
    int ml = msg == null ? 0 : msg.length;
    long max = cfg.maxMsgSize();
    if (max >= 0 && (hl > max || ml > max - hl)) {
      return PubAck.failed(name, ApiError.MESSAGE_EXCEEDS_MAXIMUM);
    }
    PubAck rejected = checkHeaders(subject, hdr, msg, store.lastSeq());
    if (rejected != null) {
      return rejected;
    }
    String elm = hl > 0 ? Headers.get(hdr, Headers.EXPECTED_LAST_MSG_ID) : null;
    if (elm != null && !elm.isEmpty() && !elm.equals(lmsgId)) {
      return PubAck.failed(name, ApiError.wrongLastMsgId(lmsgId));
    }
    long seq;
    try {
      seq = store.store(subject, hdr, msg);
    } catch (LimitExceededException e) {
      return PubAck.failed(name, ApiError.storeFailed(limitText(e.limit())));
    } catch (StoreException e) {
      return PubAck.failed(name, ApiError.storeFailed(e.getMessage()));
    }
    String id = msgIdOf(hdr);
    if (id != null) {
      dedupe.put(id, seq, store.state().lastTimeNanos());
      lmsgId = id;
    }
    return PubAck.ok(name, seq);
  }

  // ------------------------------------------------------------------ purge / delete

  /** Proposes a purge (or runs it locally for R1); completes with the number of messages purged. */
  public CompletableFuture<Long> purge(PurgeRequest request) {
    CompletableFuture<Long> f = new CompletableFuture<>();
    if (cfg.denyPurge()) {
      f.completeExceptionally(new io.jscluster.core.ClusterException(ApiError.purgeFailed("stream purge not permitted")));
      return f;
    }
    long last = store.lastSeq();
    if (host == null) {
      f.complete(runPurge(new StreamPurge(null, name, last, "", "", request)));
      return f;
    }
    if (!isLeader()) {
      f.completeExceptionally(new io.jscluster.core.ClusterException(ApiError.CLUSTER_NOT_LEADER));
      return f;
    }
    String reply = nextReply();
    try {
      proposer.propose(term, StreamPurgeCodec.encode(new StreamPurge(null, name, last, "", reply, request)));
    } catch (RaftException e) {
      f.completeExceptionally(new io.jscluster.core.ClusterException(ApiError.CLUSTER_NOT_LEADER));
      return f;
    }
    await(pendingPurges, reply, f);
    return f;
  }

  /** Proposes a message delete (or runs it locally for R1); completes with whether it existed. */
  public CompletableFuture<Boolean> deleteMessage(long seq, boolean noErase) {
    CompletableFuture<Boolean> f = new CompletableFuture<>();
    if (cfg.denyDelete()) {
      f.completeExceptionally(new io.jscluster.core.ClusterException(ApiError.deleteFailed("message delete not permitted")));
      return f;
    }
    if (host == null) {
      f.complete(noErase ? store.remove(seq) : store.erase(seq));
      return f;
    }
    if (!isLeader()) {
      f.completeExceptionally(new io.jscluster.core.ClusterException(ApiError.CLUSTER_NOT_LEADER));
      return f;
    }
    String reply = nextReply();
    try {
      proposer.propose(term, MsgDeleteCodec.encode(new MsgDelete(null, name, seq, noErase, "", reply)));
    } catch (RaftException e) {
      f.completeExceptionally(new io.jscluster.core.ClusterException(ApiError.CLUSTER_NOT_LEADER));
      return f;
    }
    await(pendingDeletes, reply, f);
    return f;
  }

  /**
   * Registers {@code f} as waiting for the entry proposed with {@code reply}; it fails with a
   * timeout unless it completes within the request timeout. Every wait has the same length, so
   * the deadlines are kept in arrival order behind one timer rather than one scheduler task per
   * request (at tens of thousands of publishes a second those tasks piled up in the scheduler's
   * heap for the whole timeout); waits already answered are dropped from the front as new ones
   * arrive, so the queue stays about as long as what is in flight.
   */
  private <T> void await(Map<String, CompletableFuture<T>> map, String reply, CompletableFuture<T> f) {
    map.put(reply, f);
    Deadline head;
    while ((head = deadlines.peek()) != null && !head.map().containsKey(head.reply())) {
      deadlines.poll();
    }
    long at = ctx.scheduler().nowMillis() + ctx.requestTimeoutMillis();
    deadlines.add(new Deadline(at, map, reply));
    if (deadlineTimer == null) {
      deadlineTimer = ctx.scheduler().schedule(deadlines.peek().at(), expireDeadlines);
    }
  }

  /** Fails every wait whose deadline passed, then re-arms the timer for the next one. */
  private void expireDeadlines() {
    deadlineTimer = null;
    long now = ctx.scheduler().nowMillis();
    Deadline d;
    while ((d = deadlines.peek()) != null && d.at() <= now) {
      deadlines.poll();
      timeOut(d.map(), d.reply());
    }
    if (d != null) {
      deadlineTimer = ctx.scheduler().schedule(d.at(), expireDeadlines);
    }
  }

  private void timeOut(Map<String, ? extends CompletableFuture<?>> map, String reply) {
    CompletableFuture<?> g = map.remove(reply);
    if (g == null) {
      return;
    }
    Staged st = staged.remove(reply);
    if (st != null) {
      // Nothing else would release this proposal's in-flight accounting once its caller is gone.
      unstage(st);
      if (st.msgId() != null) {
        dedupe.dropInFlight(st.msgId());
      }
    }
    g.completeExceptionally(new TimeoutException("no response for " + name + " within "
        + ctx.requestTimeoutMillis() + " ms"));
  }

  private String nextReply() {
    return "$JSC.RQ." + ctx.selfId() + "." + name + "." + (++replySeq) + "." + ctx.scheduler().nowMillis();
  }

  // ------------------------------------------------------------------ apply path

  /**
   * Applies a burst of committed entries inside one store batch, so one fsync covers all of them,
   * and completes the callers' futures only after the batch (and its sync) returned. If the sync
   * fails, nothing of the burst is acknowledged: the callers get a store error and applies stop.
   *
   * <p>With a {@linkplain Context#storeForcer() store forcer} the store does not force within the
   * batch: the batch's results wait, in order, for a force on the forcer that began after the
   * batch was written ({@link io.jscluster.core.store.FileStreamStore#syncConcurrently()}), while
   * this thread goes on applying. An acknowledgement still follows the fsync of this store.
   */
  @Override
  public void applyBatch(Runnable body) {
    if (batching || closed) {
      // A closed replica's store is gone; its host was stopped with it and delivers nothing more.
      body.run();
      return;
    }
    batching = true;
    batchApplied = false;
    StoreException before = writeError;
    StoreException failure = null;
    try {
      store.batch(body);
      if (writeError != before) {
        // A failed store skips the batch's sync: what the burst applied before the failure is not
        // known to be durable either.
        failure = writeError;
      }
    } catch (StoreException e) {
      failure = e;
      if (writeError == null) {
        writeError = e;
        LOG.error("[{}] stream {}: store sync failed, applies stop: {}", ctx.selfId(), name, e.getMessage());
      }
    } finally {
      batching = false;
      if (storeForcer != null && failure == null && (batchApplied || !settledFutures.isEmpty())) {
        awaitStoreForce();
      } else {
        releaseSettled(failure);
      }
    }
  }

  /** Parks the batch's results until a store force covering the batch completes; requests one. */
  private void awaitStoreForce() {
    long gen = requestStoreForce();
    if (!settledFutures.isEmpty()) {
      forceWaits.add(new ForceWait(gen, settledFutures.toArray(), settledValues.toArray()));
      settledFutures.clear();
      settledValues.clear();
    }
  }

  /**
   * Asks the forcer for a force that begins after everything written so far; returns its
   * generation, which {@link #storeForced} reports once such a force completed.
   */
  private long requestStoreForce() {
    long gen = ++storeForceGen;
    storeForceTarget = gen;
    if (storeForceQueued.compareAndSet(false, true)) {
      storeForcer.execute(storeForceTask);
    }
    return gen;
  }

  /** On the forcer: forces what every batch up to the current target wrote, then reports back. */
  private void forceStore() {
    storeForceQueued.set(false);
    long gen = storeForceTarget;
    StoreException err = null;
    try {
      ((io.jscluster.core.store.FileStreamStore) store).syncConcurrently();
    } catch (StoreException e) {
      err = e;
    } catch (RuntimeException e) {
      err = new StoreException("store force failed: " + e);
    }
    StoreException failure = err;
    // Due at time 0: ahead of queued publishes, since acknowledgements wait for it.
    ctx.scheduler().schedule(0, () -> storeForced(gen, failure));
  }

  private void storeForced(long gen, StoreException failure) {
    if (failure != null && writeError == null && !closed) {
      writeError = failure;
      LOG.error("[{}] stream {}: store sync failed, applies stop: {}", ctx.selfId(), name, failure.getMessage());
    }
    ForceWait w;
    while ((w = forceWaits.peek()) != null && w.gen() <= gen) {
      forceWaits.poll();
      for (int i = 0; i < w.futures().length; i++) {
        complete(w.futures()[i], w.values()[i], failure);
      }
    }
    PendingSnapshot ps = pendingSnapshot;
    if (ps != null && ps.gen() <= gen) {
      pendingSnapshot = null;
      finishSnapshot(ps, failure);
    }
  }

  /** Completes {@code f} with {@code v} now, or after the current batch is durable. */
  private <T> void settle(CompletableFuture<T> f, T v) {
    if (batching) {
      settledFutures.add(f);
      settledValues.add(v);
    } else {
      f.complete(v);
    }
  }

  private void releaseSettled(StoreException failure) {
    for (int i = 0, n = settledFutures.size(); i < n; i++) {
      complete(settledFutures.get(i), settledValues.get(i), failure);
    }
    settledFutures.clear();
    settledValues.clear();
  }

  @SuppressWarnings("unchecked")
  private void complete(Object future, Object v, StoreException failure) {
    CompletableFuture<Object> f = (CompletableFuture<Object>) future;
    if (failure == null) {
      f.complete(v);
    } else if (v instanceof PubAck) {
      f.complete(PubAck.failed(name, ApiError.storeFailed(failure.getMessage())));
    } else {
      f.completeExceptionally(new io.jscluster.core.ClusterException(ApiError.storeFailed(failure.getMessage())));
    }
  }

  @Override
  public void committed(CommittedEntry ce) {
    batchApplied = true;
    if (follower != null) {
      // nats-server's apply loop blocks in processSnapshot; these wait for the catch-up to end.
      deferred.add(copyOf(ce));
      return;
    }
    if (ce.isSnapshot()) {
      applySnapshot(ce.index(), ce.snapshotData());
      return;
    }
    applyEntries(ce);
    if (!recovering && host != null && !snapCheckQueued) {
      snapCheckQueued = true;
      // After the host confirmed this burst as applied, so a snapshot covers exactly the store.
      ctx.scheduler().execute(snapCheck);
    }
  }

  private void applyEntries(CommittedEntry ce) {
    for (Entry e : ce.entries()) {
      if (writeError != null) {
        return;
      }
      if (e.type() == EntryType.CATCHUP) {
        continue;
      }
      if (e.type() != EntryType.NORMAL) {
        if (!batchId.isEmpty()) {
          rejectBatch();
        }
        if (e.type() == EntryType.SNAPSHOT) {
          LOG.debug("[{}] stream {}: snapshot entry at {} (state held in the store)", ctx.selfId(), name,
              ce.index());
        }
        continue;
      }
      // The entry may be a view over the whole received batch: decode in place (every decoder
      // below copies what it keeps), never hold on to the array.
      byte[] d = e.array();
      int off = e.offset();
      int len = e.length();
      if (len == 0) {
        LOG.error("[{}] stream {}: empty entry at {} (bad entry op)", ctx.selfId(), name, ce.index());
        continue;
      }
      int op = d[off] & 0xff;
      try {
        if (op == EntryOp.BATCH_MSG.code() || op == EntryOp.BATCH_COMMIT_MSG.code()) {
          applyBatch(d, off, len);
          continue;
        }
        if (!batchId.isEmpty()) {
          rejectBatch();
        }
        if (op == EntryOp.STREAM_MSG.code() || op == EntryOp.COMPRESSED_STREAM_MSG.code()) {
          applyView(StreamMsgCodec.decodeView(d, off, len), ownProposal(d, off, len));
        } else if (op == EntryOp.PURGE_STREAM.code()) {
          applyPurge(StreamPurgeCodec.decode(d, off, len));
        } else if (op == EntryOp.DELETE_MSG.code()) {
          applyDelete(MsgDeleteCodec.decode(d, off, len));
        } else if (op == EntryOp.DELETE_RANGE.code()) {
          applyDeleteRange(DeleteRangeCodec.decode(d, off, len));
        } else {
          LOG.error("[{}] stream {}: unknown stream entry op type {}", ctx.selfId(), name, op);
        }
      } catch (CodecException ex) {
        LOG.error("[{}] stream {}: undecodable entry at {}: {}", ctx.selfId(), name, ce.index(), ex.getMessage());
      } catch (StoreException ex) {
        writeError = ex;
        LOG.error("[{}] stream {}: store failed, applies stop: {}", ctx.selfId(), name, ex.getMessage());
      }
    }
  }

  /**
   * The message this leader proposed as exactly {@code d[off, off + len)}, or null. Proposals
   * ahead of it in the queue were never committed (dropped with their term) and are forgotten.
   */
  private StreamMsg ownProposal(byte[] d, int off, int len) {
    if (ownEntries.isEmpty() || off != 0 || len != d.length) {
      return null;
    }
    int k = 0;
    for (byte[] e : ownEntries) {
      if (e == d) {
        break;
      }
      if (++k == OWN_SCAN) {
        return null;
      }
    }
    if (k == ownEntries.size()) {
      return null;
    }
    for (int i = 0; i < k; i++) {
      ownEntries.poll();
      ownMsgs.poll();
    }
    ownEntries.poll();
    return ownMsgs.poll();
  }

  private void forgetOwnProposals() {
    ownEntries.clear();
    ownMsgs.clear();
  }

  /**
   * Applies a stream message entry decoded in place: the payload goes from the entry's bytes
   * straight into the store, the header is copied only when present, and strings are made only
   * where needed — the proposal's own when this leader proposed the entry ({@code own}), else the
   * previous subject string when the bytes match (the store recognises it by identity), and the
   * reply only while a publish on this replica awaits one.
   */
  private void applyView(StreamMsgView v, StreamMsg own) {
    String subject;
    String reply;
    if (own != null) {
      subject = own.subject();
      reply = own.reply();
    } else {
      subject = subjectOf(v);
      reply = v.replyLen() == 0 ? "" : pendingPubs.isEmpty() && staged.isEmpty() ? UNAWAITED_REPLY : v.reply();
    }
    byte[] buf = v.buf();
    byte[] hdr = v.hdrLen() == 0 ? null : java.util.Arrays.copyOfRange(buf, v.hdrOff(), v.hdrOff() + v.hdrLen());
    applyMsg(subject, reply, hdr, null, buf, v.hdrOff(), v.hdrLen(), v.msgOff(), v.msgLen(), v.lseq(), v.ts());
  }

  private String subjectOf(StreamMsgView v) {
    byte[] buf = v.buf();
    int o = v.subjectOff();
    int n = v.subjectLen();
    if (lastSubject != null && java.util.Arrays.equals(buf, o, o + n, lastSubjectBytes, 0, lastSubjectBytes.length)) {
      return lastSubject;
    }
    lastSubjectBytes = java.util.Arrays.copyOfRange(buf, o, o + n);
    lastSubject = new String(lastSubjectBytes, StandardCharsets.UTF_8);
    return lastSubject;
  }

  /** Applies one stream message entry (nats-server {@code applyStreamMsgOp}). */
  void applyMsg(StreamMsg m) {
    applyMsg(m.subject(), m.reply(), m.hdr(), m.msg(), null, 0, 0, 0, m.msgLength(), m.lseq(), m.ts());
  }

  /**
   * Applies one stream message given either as arrays ({@code msg}, {@code buf} null) or as ranges
   * of {@code buf} (header at {@code hdrOff}/{@code hdrLen}, payload at {@code msgOff}/{@code
   * msgLen}); {@code hdr} is the header as an array in both cases (null when absent).
   */
  private void applyMsg(String subject, String reply, byte[] hdr, byte[] msg, byte[] buf, int hdrOff, int hdrLen,
      int msgOff, int msgLen, long lseq, long ts) {
    if (msgLen == 0 && !reply.isEmpty() && Headers.isFlowControl(hdr)) {
      return;
    }
    long last = store.lastSeq();
    // An entry proposed before clfs reached its current value lies wholly in the past; nats-server
    // never replays such entries (its snapshot compacts them), so the uint64 wrap of lseq - clfs
    // must not make them look new.
    if (Long.compareUnsigned(lseq, clfs) < 0 || Long.compareUnsigned(lseq - clfs, last) < 0) {
      return;
    }
    if (lseq == 0 && last != 0) {
      return;
    }
    if (lseq > 0 && lseq != last + clfs) {
      StreamState st = store.state();
      if (last == 0 && st.firstSeq() == 0) {
        store.compact(lseq + 1);
        last = store.lastSeq();
      } else {
        desyncs++;
        LOG.error("[{}] stream {}: last sequence mismatch (entry {}, stream {}, clfs {})", ctx.selfId(),
            name, Long.toUnsignedString(lseq), last, clfs);
        fail(reply, ApiError.STREAM_SEQUENCE_NOT_MATCH);
        return;
      }
    }
    long seq = last + 1;
    if (subject.isEmpty() && ts == 0) {
      store.skip(seq);
      return;
    }
    String msgId = msgIdOf(hdr);
    String elm = hdr == null ? null : Headers.get(hdr, Headers.EXPECTED_LAST_MSG_ID);
    if (elm != null && !elm.isEmpty() && !elm.equals(lmsgId)) {
      bumpClfs(1);
      fail(reply, ApiError.wrongLastMsgId(lmsgId));
      return;
    }
    String limit = applyLimitCheck(subject, hdr == null ? 0 : hdr.length, msgLen);
    if (limit != null) {
      bumpClfs(1);
      fail(reply, ApiError.storeFailed(limit));
      return;
    }
    try {
      if (buf != null) {
        store.storeAt(seq, ts, subject, buf, hdrOff, hdrLen, msgOff, msgLen);
      } else {
        store.storeAt(seq, ts, subject, hdr, msg);
      }
    } catch (LimitExceededException e) {
      bumpClfs(1);
      fail(reply, ApiError.storeFailed(limitText(e.limit())));
      return;
    } catch (SequenceMismatchException e) {
      desyncs++;
      LOG.error("[{}] stream {}: store refused seq {}: {}", ctx.selfId(), name, seq, e.getMessage());
      fail(reply, ApiError.STREAM_SEQUENCE_NOT_MATCH);
      return;
    }
    if (msgId != null) {
      lmsgId = msgId;
      dedupe.put(msgId, seq, ts);
    }
    Staged st = staged.remove(reply);
    if (st != null) {
      unstage(st);
    }
    CompletableFuture<PubAck> f = pendingPubs.remove(reply);
    if (f != null) {
      settle(f, PubAck.ok(name, seq));
    }
  }

  /** Discard-new limits on apply: the follower store path does not check them. */
  private String applyLimitCheck(String subject, int hdrLen, int msgLen) {
    if (cfg.discard() != io.jscluster.codec.meta.DiscardPolicy.NEW) {
      return null;
    }
    StreamState st = store.state();
    if (cfg.maxMsgs() > 0 && st.msgs() + 1 > cfg.maxMsgs()) {
      return "maximum messages exceeded";
    }
    if (cfg.maxBytes() > 0 && st.bytes() + recordSize(subject, hdrLen, msgLen) > cfg.maxBytes()) {
      return "maximum bytes exceeded";
    }
    if (cfg.discardNewPer() && cfg.maxMsgsPer() > 0
        && store.subjectTotals(subject).getOrDefault(subject, 0L) + 1 > cfg.maxMsgsPer()) {
      return "maximum messages per subject exceeded";
    }
    return null;
  }

  private void bumpClfs(long n) {
    clfs += n;
    ctx.saveFailed(this, clfs);
  }

  /**
   * Restores state that is not in the store: the failed-proposal count saved before a restart,
   * and the de-duplication window and last message id from the newest stored messages.
   */
  public void restore(long savedClfs, long nowNanos) {
    this.clfs = savedClfs;
    StreamState st = store.state();
    long window = cfg.duplicates();
    int budget = 100_000;
    List<StoredMessage> recent = new ArrayList<>();
    for (long seq = st.lastSeq(); seq >= st.firstSeq() && seq > 0 && budget-- > 0; seq--) {
      StoredMessage m;
      try {
        m = store.load(seq);
      } catch (io.jscluster.core.store.StoreCorruptionException e) {
        // A damaged sequence: its id comes back with the repair; older ones are still worth restoring.
        continue;
      } catch (StoreException e) {
        break;
      }
      if (m == null) {
        continue;
      }
      if (window > 0 && m.tsNanos() < nowNanos - window) {
        break;
      }
      recent.add(m);
    }
    for (int i = recent.size() - 1; i >= 0; i--) {
      StoredMessage m = recent.get(i);
      String id = msgIdOf(m.header());
      if (id != null) {
        dedupe.put(id, m.seq(), m.tsNanos());
        lmsgId = id;
      }
    }
  }

  /**
   * A repaired range's message ids go back into the de-duplication window (restore could not read
   * them), so a retried publish of one of them stays a duplicate once this replica leads.
   */
  private void restoreMsgIds(io.jscluster.core.store.Damage d) {
    long now = ctx.scheduler().wallNanos();
    long window = cfg.duplicates();
    for (long seq = d.firstSeq(); Long.compareUnsigned(seq, d.lastSeq()) <= 0 && seq != 0; seq++) {
      StoredMessage m;
      try {
        m = store.load(seq);
      } catch (StoreException e) {
        continue;
      }
      if (m == null || window > 0 && m.tsNanos() < now - window) {
        continue;
      }
      String id = msgIdOf(m.header());
      if (id != null && dedupe.lookup(id, now) == null) {
        dedupe.put(id, m.seq(), m.tsNanos());
      }
    }
  }

  private void fail(String reply, ApiError err) {
    Staged st = staged.remove(reply);
    if (st != null) {
      unstage(st);
      if (st.msgId() != null) {
        dedupe.dropInFlight(st.msgId());
      }
    }
    CompletableFuture<PubAck> f = pendingPubs.remove(reply);
    if (f != null) {
      settle(f, PubAck.failed(name, err));
    }
  }

  private void unstage(Staged st) {
    if (st.expectedSubject() != null) {
      expectedInProcess.remove(st.expectedSubject());
    }
    long[] in = inflight.get(st.subject());
    if (in != null) {
      in[0]--;
      in[1] -= st.size();
      if (in[0] <= 0) {
        inflight.remove(st.subject());
      }
    }
    inflightMsgs = Math.max(0, inflightMsgs - 1);
    inflightBytes = Math.max(0, inflightBytes - st.size());
  }

  private void applyPurge(StreamPurge p) {
    PurgeRequest r = p.request();
    if (r != null && r.sequence() == 0 && r.keep() > 0 && recovering) {
      return;
    }
    CompletableFuture<Long> f = pendingPurges.remove(p.reply());
    long n = runPurge(p);
    if (f != null) {
      settle(f, n);
    }
  }

  /** Runs a purge pinned to the proposer's last sequence + 1, so a replay cannot remove later messages. */
  private long runPurge(StreamPurge p) {
    long purgeSeq = p.lastSeq() + 1;
    PurgeRequest r = p.request();
    if (r == null) {
      return store.purge("", purgeSeq, 0);
    }
    long seq = r.sequence();
    if (seq == 0 && r.keep() == 0) {
      seq = purgeSeq;
    }
    return store.purge(r.filter(), seq, r.keep());
  }

  private void applyDelete(MsgDelete d) {
    boolean removed = d.noErase() ? store.remove(d.seq()) : store.erase(d.seq());
    CompletableFuture<Boolean> f = pendingDeletes.remove(d.reply());
    if (f != null) {
      settle(f, removed);
    }
  }

  /** Op 15 in the Raft log: idempotent on replay, trimmed when partly covered. */
  void applyDeleteRange(DeleteRange dr) {
    DeleteRangeApply.apply(store, store.lastSeq(), dr);
  }

  private void applyBatch(byte[] d, int off, int len) {
    BatchMsgCodec.Frame f = BatchMsgCodec.decodeFrame(d, off, len);
    if (!batchId.isEmpty() && !f.batchId().equals(batchId)) {
      rejectBatch();
    }
    if (f.batchSeq() == 1) {
      rejectBatch();
    }
    batchId = f.batchId();
    batchCount++;
    if (f.batchSeq() != batchCount) {
      rejectBatch();
      return;
    }
    byte[] inner = new byte[f.bodyLength() + 1];
    inner[0] = (byte) f.innerOp();
    System.arraycopy(d, f.bodyOffset(), inner, 1, f.bodyLength());
    batchMsgs.add(StreamMsgCodec.decode(inner));
    if (f.commit()) {
      List<StreamMsg> msgs = List.copyOf(batchMsgs);
      batchMsgs.clear();
      batchId = "";
      batchCount = 0;
      store.batch(() -> msgs.forEach(this::applyMsg));
    }
  }

  /** An abandoned or broken batch stores nothing; its clustered sequences count as failed. */
  private void rejectBatch() {
    if (batchCount > 0) {
      bumpClfs(batchCount);
      for (StreamMsg m : batchMsgs) {
        fail(m.reply(), ApiError.storeFailed("batch rejected"));
      }
    }
    batchMsgs.clear();
    batchId = "";
    batchCount = 0;
  }

  // ------------------------------------------------------------------ snapshots and catch-up

  private final java.util.List<CommittedEntry> deferred = new ArrayList<>();
  private io.jscluster.core.sync.FollowerCatchup follower;
  private io.jscluster.core.sync.FollowerCatchup lastFollower;
  /**
   * The snapshot index whose catch-up (or a failed one) holds back Raft's applied index, or 0: the
   * snapshot entry and the entries queued behind it count as applied only once the catch-up and
   * the queued entries completed (nats-server's apply loop blocks in processSnapshot and reports
   * nothing applied until then). A catch-up that failed for good keeps its hold.
   */
  private long heldFrom;
  private boolean snapCheckQueued;
  private long snapClfs;
  private int failedSnapshots;
  private long snapshotsTaken;
  /**
   * A snapshot whose checkpoint is open and whose state is encoded, waiting for the store force
   * (generation {@code gen}) that makes that state durable before Raft may compact the entries it
   * covers; see {@link #installSnapshot(boolean, boolean)}.
   */
  private record PendingSnapshot(long gen, io.jscluster.raft.SnapshotCheckpoint checkpoint, byte[] state,
      long clfs) {}
  private PendingSnapshot pendingSnapshot;
  /** A threshold snapshot past its store force whose file the snapshot writer is writing. */
  private record WritingSnapshot(io.jscluster.raft.SnapshotCheckpoint.Staged staged, long clfs) {}
  private WritingSnapshot writingSnapshot;
  private long catchupsStarted;
  private Scheduler.Timer snapTimer;
  private final Runnable snapCheck = () -> {
    snapCheckQueued = false;
    maybeSnapshot();
  };

  private static CommittedEntry copyOf(CommittedEntry ce) {
    List<Entry> copy = new ArrayList<>(ce.entries().size());
    for (Entry e : ce.entries()) {
      copy.add(new Entry(e.type(), e.data()));
    }
    return new CommittedEntry(ce.index(), copy);
  }

  /** Snapshots this replica installed into Raft. */
  public long snapshotsTaken() {
    return snapshotsTaken;
  }

  /**
   * Whether a snapshot is taken but not yet installed: its Raft checkpoint is open and it waits
   * for the store force that makes its state durable (replicated file stores forced off the
   * node's thread).
   */
  public boolean snapshotPending() {
    return pendingSnapshot != null || writingSnapshot != null;
  }

  /** Snapshot catch-ups this replica started (its store was behind a snapshot it applied). */
  public long catchupsStarted() {
    return catchupsStarted;
  }

  /** {@inheritDoc} */
  @Override
  public long heldFrom() {
    return heldFrom;
  }

  /** The running snapshot catch-up, or null. */
  public io.jscluster.core.sync.FollowerCatchup snapshotCatchup() {
    return follower;
  }

  /** The most recent snapshot catch-up this replica started (running or ended), or null. */
  public io.jscluster.core.sync.FollowerCatchup lastSnapshotCatchup() {
    return lastFollower;
  }

  /**
   * Installs a snapshot of this replica's state into Raft now, as the {@link SnapshotPolicy}
   * thresholds would: the store is synced, its encoded state (with CLFS) becomes the Raft snapshot
   * at the applied index, and the Raft log is compacted up to it. A follower that later needs
   * entries below that index receives the snapshot and catches up from the leader's store (the
   * sync protocol). Call on the node's thread.
   *
   * @return whether a snapshot was installed; false for an R1 stream, while the replica recovers,
   *     catches up, has damaged ranges or a store error, or when Raft refused (nothing applied yet, a checkpoint
   *     open or Raft catch-ups running)
   */
  public boolean snapshotNow() {
    long before = snapshotsTaken;
    installSnapshot(false, false);
    return snapshotsTaken > before;
  }

  /** After an apply burst: snapshot when the log passed the policy's thresholds or CLFS grew. */
  private void maybeSnapshot() {
    if (closed || host == null || host.stopped() || recovering || follower != null) {
      return;
    }
    SnapshotPolicy p = ctx.snapshotPolicy();
    io.jscluster.raft.RaftNode n = host.node();
    if (n.compactableEntries() >= p.entries() || n.compactableBytes() > p.bytes() || clfs > snapClfs) {
      // After a failure only the timer retries (forced), as nats-server does.
      if (failedSnapshots == 0) {
        installSnapshot(false, true);
      }
    }
  }

  /**
   * Installs the store's encoded state (with CLFS) as a Raft snapshot at the applied index, after
   * syncing the store. Repeated failures force it through (nats-server gives up waiting for
   * running catch-ups after five).
   *
   * <p>With {@code async} and a {@linkplain Context#storeForcer() store forcer} the node's thread
   * does not sync the store: it opens a Raft checkpoint at the applied index, encodes the state,
   * and asks the forcer for a force; the snapshot is installed when that force completed (a
   * failed force aborts it). Raft never compacts entries whose messages are not durable in the
   * store, and the node's thread goes on applying meanwhile (nats-server likewise installs its
   * stream snapshots from another goroutine through a checkpoint). No other asynchronous snapshot
   * starts while one waits; a synchronous one replaces it.
   */
  private void installSnapshot(boolean force, boolean async) {
    if (closed || host == null || host.stopped() || recovering || follower != null || !deferred.isEmpty()
        || writeError != null || heldFrom != 0 || async && (pendingSnapshot != null || writingSnapshot != null)) {
      return;
    }
    if (store.hasDamage()) {
      // Never snapshot a damaged store: the snapshot would tell peers its unknown range is deleted
      // (the store refuses to encode it anyway); snapshots resume once the repair is done.
      return;
    }
    boolean forceRaft = force || failedSnapshots > 4;
    if (async && storeForcer != null) {
      startSnapshot(forceRaft);
      return;
    }
    abortPendingSnapshot();
    try {
      store.sync();
      byte[] state = store.encodedState(clfs, false);
      host.input(n -> n.installSnapshot(ctx.scheduler().nowMillis(), state, forceRaft));
      snapClfs = clfs;
      snapshotSucceeded();
      snapshotsTaken++;
    } catch (RaftException e) {
      snapshotFailed(e);
    } catch (StoreException e) {
      snapshotFailure();
      LOG.warn("[{}] stream {}: snapshot failed, store: {}", ctx.selfId(), name, e.getMessage());
    }
  }

  /** The asynchronous form of {@link #installSnapshot(boolean, boolean)}: checkpoint, encode, request a force. */
  private void startSnapshot(boolean forceRaft) {
    io.jscluster.raft.SnapshotCheckpoint[] opened = new io.jscluster.raft.SnapshotCheckpoint[1];
    try {
      host.input(n -> opened[0] = n.createSnapshotCheckpoint(ctx.scheduler().nowMillis(), forceRaft));
    } catch (RaftException e) {
      snapshotFailed(e);
      return;
    }
    io.jscluster.raft.SnapshotCheckpoint cp = opened[0];
    if (cp == null) {
      // The host is stopped: it ran nothing.
      return;
    }
    byte[] state;
    try {
      state = store.encodedState(clfs, false);
    } catch (StoreException e) {
      host.input(n -> cp.abort());
      snapshotFailure();
      LOG.warn("[{}] stream {}: snapshot failed, store: {}", ctx.selfId(), name, e.getMessage());
      return;
    }
    pendingSnapshot = new PendingSnapshot(requestStoreForce(), cp, state, clfs);
  }

  /** After the store force a pending snapshot waited for: installs it, or aborts it if the force failed. */
  private void finishSnapshot(PendingSnapshot ps, StoreException failure) {
    if (closed || host.stopped()) {
      return;
    }
    if (failure != null || writeError != null) {
      host.input(n -> ps.checkpoint().abort());
      return;
    }
    if (snapshotWriter != null) {
      writeSnapshot(ps);
      return;
    }
    try {
      host.input(n -> ps.checkpoint().install(ctx.scheduler().nowMillis(), ps.state()));
      snapClfs = ps.clfs();
      snapshotSucceeded();
      snapshotsTaken++;
    } catch (RaftException e) {
      snapshotFailed(e);
    }
  }

  /**
   * The store force made the pending snapshot's state durable: Raft stages its file, the snapshot
   * writer writes and forces it, and the node's thread adopts it afterwards ({@link
   * #adoptSnapshot}), so the node goes on meanwhile. Raft compacts nothing and a restart sees no
   * new snapshot until the adoption; an abort meanwhile (a synchronous snapshot, a reset, a
   * snapshot from the leader, the node stopping) makes the adoption discard the file.
   */
  private void writeSnapshot(PendingSnapshot ps) {
    io.jscluster.raft.SnapshotCheckpoint.Staged[] staged = new io.jscluster.raft.SnapshotCheckpoint.Staged[1];
    try {
      host.input(n -> staged[0] = ps.checkpoint().stage(ctx.scheduler().nowMillis(), ps.state()));
    } catch (RaftException e) {
      snapshotFailed(e);
      return;
    }
    io.jscluster.raft.SnapshotCheckpoint.Staged st = staged[0];
    if (st == null) {
      // The host is stopped: it ran nothing.
      return;
    }
    WritingSnapshot w = new WritingSnapshot(st, ps.clfs());
    writingSnapshot = w;
    snapshotWriter.execute(() -> {
      st.write();
      // Due at time 0, like a store force's completion: the node adopts before queued work.
      ctx.scheduler().schedule(0, () -> adoptSnapshot(w));
    });
  }

  /** On the node's thread after the snapshot writer wrote {@code w}'s file: adopts it into Raft. */
  private void adoptSnapshot(WritingSnapshot w) {
    if (writingSnapshot == w) {
      writingSnapshot = null;
    }
    if (host.stopped()) {
      w.staged().abandon();
      return;
    }
    try {
      host.input(n -> w.staged().adopt(ctx.scheduler().nowMillis()));
      snapClfs = w.clfs();
      snapshotSucceeded();
      snapshotsTaken++;
    } catch (RaftException e) {
      snapshotFailed(e);
    }
  }

  /**
   * Closes a checkpoint still waiting for its store force or for its file's write, so Raft can take
   * other snapshots (a write still running is discarded when it ends).
   */
  private void abortPendingSnapshot() {
    PendingSnapshot ps = pendingSnapshot;
    pendingSnapshot = null;
    WritingSnapshot w = writingSnapshot;
    writingSnapshot = null;
    if (host != null && !host.stopped()) {
      if (ps != null) {
        host.input(n -> ps.checkpoint().abort());
      }
      if (w != null) {
        host.input(n -> w.staged().checkpoint().abort());
      }
    }
  }

  private void snapshotFailed(RaftException e) {
    RaftException.Error err = e.error();
    // Another snapshot replaced an open checkpoint (one received from the leader, or a forced one):
    // nothing failed, as in nats-server.
    if (err != RaftException.Error.NO_SNAPSHOT_AVAILABLE && err != RaftException.Error.CLOSED
        && err != RaftException.Error.SNAPSHOT_ABORTED) {
      snapshotFailure();
      LOG.warn("[{}] stream {}: snapshot failed ({}): {}", ctx.selfId(), name, failedSnapshots, e.getMessage());
    }
  }

  /**
   * nats-server's {@code compactMinInterval}: after a failed snapshot the timer retries this often
   * (forced) until one succeeds; policies with a shorter interval keep theirs.
   */
  static final long SNAPSHOT_RETRY_MILLIS = 15_000;

  /** Counts a failed snapshot; the first failure brings the timer forward to the retry interval. */
  private void snapshotFailure() {
    if (failedSnapshots++ == 0) {
      rearmSnapshotTimer();
    }
  }

  /** A snapshot was installed: after failures the timer goes back to the policy's interval. */
  private void snapshotSucceeded() {
    boolean failed = failedSnapshots > 0;
    failedSnapshots = 0;
    if (failed) {
      rearmSnapshotTimer();
    }
  }

  private long snapshotTimerDelay() {
    long interval = ctx.snapshotPolicy().intervalMillis();
    return failedSnapshots > 0 ? Math.min(SNAPSHOT_RETRY_MILLIS, interval) : interval;
  }

  /** Restarts an armed snapshot timer with the current delay (a timer firing now re-arms itself). */
  private void rearmSnapshotTimer() {
    if (snapTimer == null) {
      return;
    }
    snapTimer.cancel();
    snapTimer = null;
    scheduleSnapshotTimer(snapshotTimerDelay());
  }

  private void scheduleSnapshotTimer(long delay) {
    if (closed || host == null || snapTimer != null) {
      return;
    }
    Scheduler s = ctx.scheduler();
    snapTimer = s.schedule(s.nowMillis() + delay, () -> {
      snapTimer = null;
      if (closed || host.stopped()) {
        return;
      }
      if (store.hasDamage()) {
        // Damage a read found after open: repair it as damage found at open is.
        scheduleRepair();
      } else if (host.node().compactableEntries() > 0 || clfs > snapClfs) {
        installSnapshot(failedSnapshots > 0, true);
      }
      scheduleSnapshotTimer(snapshotTimerDelay());
    });
  }

  /**
   * nats-server's {@code processSnapshot}: a Raft snapshot element replaces what this replica
   * knows up to {@code index}; when the store is behind it, a {@link io.jscluster.core.sync.FollowerCatchup}
   * pulls the missing messages from the leader while applies wait.
   */
  private void applySnapshot(long index, byte[] data) {
    io.jscluster.codec.state.StreamReplicatedState snap;
    try {
      snap = io.jscluster.codec.state.StreamStateCodec.decodeSnapshot(data, 0, data.length);
    } catch (CodecException e) {
      LOG.error("[{}] stream {}: bad snapshot at {}: {}", ctx.selfId(), name, index, e.getMessage());
      return;
    }
    if (sync == null) {
      return;
    }
    io.jscluster.core.sync.FollowerCatchup m = sync.follow(snap, index, catchupReplica, catchupNode, catchup,
        ctx.syncLimiter(), err -> catchupDone(index, err));
    lastFollower = m;
    if (!m.isDone()) {
      follower = m;
      catchupsStarted++;
      if (heldFrom == 0) {
        heldFrom = index;
      }
    }
  }

  private void catchupDone(long index, io.jscluster.core.sync.CatchupException err) {
    follower = null;
    if (err == null && writeError == null) {
      replayDeferred(index);
      return;
    }
    if (heldFrom == 0) {
      // Ended at once, before applySnapshot could hold it.
      heldFrom = index;
    }
    if (err == null) {
      // Applies stopped on a store error meanwhile: nothing from the snapshot on gets applied.
      deferred.clear();
      return;
    }
    io.jscluster.core.sync.CatchupError ce = err.error();
    LOG.warn("[{}] stream {}: snapshot catch-up ended: {}", ctx.selfId(), name, ce.text());
    switch (ce) {
      case STREAM_STOPPED, SERVER_NOT_RUNNING -> deferred.clear();
      case TOO_MANY_RETRIES, ABORTED_NO_LEADER, ALREADY_LEADER -> {
        // Replaying the snapshot starts a fresh catch-up; entries queued behind it come again.
        deferred.clear();
        boolean replayed = false;
        if (!closed && !host.stopped()) {
          // The replay steps a leader down before pausing, so an ALREADY_LEADER refusal is
          // not met again by the catch-up it starts.
          replayed = host.node().drainAndReplaySnapshot(ctx.scheduler().nowMillis());
        }
        if (!replayed) {
          LOG.error("[{}] stream {}: no snapshot to replay after a failed catch-up", ctx.selfId(), name);
        }
      }
      default -> {
        deferred.clear();
        writeError = new StoreException("catch-up failed: " + ce.text());
        LOG.error("[{}] stream {}: catch-up failed, applies stop: {}", ctx.selfId(), name, ce.text());
      }
    }
  }

  /**
   * After the catch-up for the snapshot at {@code doneIndex} succeeded: applies the entries queued
   * behind it, then confirms to Raft everything up to the last one fully applied. A later snapshot
   * among them that starts another catch-up holds its own index onwards; a store error holds the
   * entry it hit onwards.
   */
  private void replayDeferred(long doneIndex) {
    heldFrom = 0;
    long[] upTo = {doneIndex};
    if (!deferred.isEmpty()) {
      List<CommittedEntry> todo = new ArrayList<>(deferred);
      deferred.clear();
      applyBatch(() -> {
        for (int i = 0; i < todo.size(); i++) {
          if (follower != null) {
            // Another snapshot started a catch-up: the rest waits again, in order.
            deferred.addAll(todo.subList(i, todo.size()));
            return;
          }
          if (heldFrom != 0) {
            // A later snapshot's catch-up failed at once: the rest was dropped or comes again.
            return;
          }
          CommittedEntry ce = todo.get(i);
          if (ce.isSnapshot()) {
            applySnapshot(ce.index(), ce.snapshotData());
          } else {
            applyEntries(ce);
          }
          if (writeError != null) {
            if (heldFrom == 0) {
              heldFrom = ce.index();
            }
            return;
          }
          if (follower == null && heldFrom == 0 && ce.index() > upTo[0]) {
            // Never lowered: Raft's catch-up signal is queued as an element at index 0, and
            // confirming 0 would leave the snapshot and every entry after it unconfirmed forever.
            upTo[0] = ce.index();
          }
        }
      });
    }
    if (writeError != null && heldFrom == 0) {
      // The batch's sync failed: nothing it applied is known to be durable.
      heldFrom = doneIndex + 1;
    }
    if (host != null && !closed) {
      host.confirmApplied(upTo[0]);
    }
  }

  private final io.jscluster.core.sync.FollowerCatchup.Replica catchupReplica =
      new io.jscluster.core.sync.FollowerCatchup.Replica() {
        @Override
        public StreamStore store() {
          return store;
        }

        @Override
        public long lastSeq() {
          return store.lastSeq();
        }

        @Override
        public void setLastSeq(long seq) {
          // The store's last sequence is the replica's.
        }

        @Override
        public void setFailed(long failed) {
          // A restarted replica whose store is ahead of its snapshot already counted later failures.
          if (failed > clfs) {
            bumpClfs(failed - clfs);
          }
        }

        @Override
        public boolean active() {
          return !closed && host != null && !host.stopped();
        }

        @Override
        public String syncSubject() {
          return assignment.sync();
        }

        @Override
        public boolean resourcesExceeded() {
          return false;
        }

        @Override
        public void recordMsgId(String msgId, long seq, long tsNanos) {
          dedupe.put(msgId, seq, tsNanos);
          lmsgId = msgId;
        }

        @Override
        public boolean startWriteBack() {
          if (storeForcer == null || closed || !writeBackRunning.compareAndSet(false, true)) {
            return false;
          }
          storeForcer.execute(writeBackTask);
          return true;
        }
      };

  /** Whether a catch-up's background force ({@code startWriteBack}) is queued or running. */
  private final java.util.concurrent.atomic.AtomicBoolean writeBackRunning =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final Runnable writeBackTask = this::writeBack;

  /**
   * On the store forcer: forces what a catch-up stored so far, without holding the store's lock
   * while forcing. Nothing waits for it; a failure marks the store failed, so the catch-up's next
   * store call or its end flush fails and says why.
   */
  private void writeBack() {
    try {
      ((io.jscluster.core.store.FileStreamStore) store).syncConcurrently();
    } catch (RuntimeException e) {
      LOG.debug("[{}] stream {}: catch-up write-back: {}", ctx.selfId(), name, e.toString());
    } finally {
      writeBackRunning.set(false);
    }
  }

  private final io.jscluster.core.sync.FollowerCatchup.Node catchupNode =
      new io.jscluster.core.sync.FollowerCatchup.Node() {
        @Override
        public String id() {
          return ctx.selfId();
        }

        @Override
        public boolean leaderless() {
          return host.node().leaderless();
        }

        @Override
        public boolean isLeader() {
          return host.node().isLeader();
        }

        @Override
        public boolean pauseApply() {
          try {
            host.input(n -> n.pauseApply(ctx.scheduler().nowMillis()));
            return true;
          } catch (RaftException e) {
            return false;
          }
        }

        @Override
        public void resumeApply() {
          host.input(n -> n.resumeApply(ctx.scheduler().nowMillis()));
        }

        @Override
        public void stepDown() {
          syncNode.stepDown();
        }
      };

  @Override
  public void marker() {
    recovering = false;
    scheduleSnapshotTimer(ctx.snapshotPolicy().intervalMillis()
        + (ctx.snapshotPolicy().spreadMillis() == 0 ? 0 : ctx.random().nextLong(ctx.snapshotPolicy().spreadMillis())));
    if (store.hasDamage()) {
      scheduleRepair();
    }
  }

  @Override
  public void leaderChanged(boolean isLeader, long term) {
    this.leader = isLeader;
    this.term = term;
    if (isLeader) {
      long ns = ctx.scheduler().wallNanos();
      leaderSince = java.time.OffsetDateTime.ofInstant(java.time.Instant.ofEpochSecond(
          Math.floorDiv(ns, 1_000_000_000L), Math.floorMod(ns, 1_000_000_000L)), java.time.ZoneOffset.UTC);
    }
    // A new leader recomputes clseq from the store and forgets the previous reign's in-flight state,
    // staged proposals included: one of them applied or timing out later must not release what
    // the new reign has in flight under the same subject or message id.
    clseq = 0;
    forgetOwnProposals();
    staged.clear();
    inflight.clear();
    expectedInProcess.clear();
    inflightMsgs = 0;
    inflightBytes = 0;
    dedupe.dropAllInFlight();
    if (sync != null) {
      sync.leader(isLeader, assignment.sync(), syncNode);
    }
    if (isLeader) {
      scheduleMigration(MIGRATION_INTERVAL_MS);
      if (store.hasDamage()) {
        // A damaged replica must not lead: it cannot serve its damaged range to followers nor
        // repair it from itself. Hand leadership on (the handover first brings the target's log
        // up to date), then repair from the new leader. Leadership that comes straight back means
        // no healthy peer can take it (two damaged replicas, the healthy one down): each hand-off
        // costs a term, so the holds double up to a cap instead of bouncing every few ms.
        long now = ctx.scheduler().nowMillis();
        damagedHoldMillis = now - damagedHandOffAt < 2 * DAMAGED_HOLD_MAX_MS
            ? Math.min(DAMAGED_HOLD_MAX_MS, Math.max(DAMAGED_HOLD_MIN_MS, 2 * damagedHoldMillis)) : 0;
        long reign = term;
        Runnable handOn = () -> {
          if (!closed && host != null && !host.stopped() && leader && this.term == reign && store.hasDamage()) {
            handDamagedLeadershipOn();
          }
        };
        if (damagedHoldMillis == 0) {
          ctx.scheduler().execute(handOn);
        } else {
          ctx.scheduler().schedule(now + damagedHoldMillis, handOn);
        }
        scheduleRepair();
      }
    }
    ctx.leaderChanged(this, isLeader, term);
  }

  /**
   * A damaged leader steps down in favour of the recently heard peer it handed leadership to least
   * recently (ties drawn at random). Raft's own choice (the first recently heard peer) is the same
   * every time, so two damaged replicas would hand leadership to each other while the one healthy
   * replica, back from a restart, never gets it; a peer never handed to is tried first.
   */
  private void handDamagedLeadershipOn() {
    io.jscluster.raft.RaftNode node = host.node();
    if (node.state() != io.jscluster.raft.RaftState.LEADER) {
      return;
    }
    long now = ctx.scheduler().nowMillis();
    List<String> heard = new ArrayList<>();
    for (io.jscluster.raft.PeerInfo pi : node.peerInfos(now)) {
      if (!pi.id().equals(ctx.selfId()) && pi.lastHeardMillis() >= 0
          && now - pi.lastHeardMillis() <= DAMAGED_TARGET_HEARD_MS) {
        heard.add(pi.id());
      }
    }
    java.util.Collections.sort(heard);
    long oldest = Long.MAX_VALUE;
    List<String> least = new ArrayList<>();
    for (String p : heard) {
      long at = handedTo.getOrDefault(p, Long.MIN_VALUE);
      if (at < oldest) {
        oldest = at;
        least.clear();
      }
      if (at == oldest) {
        least.add(p);
      }
    }
    // With no peer heard of lately Raft picks (or steps down without a target).
    String preferred = least.isEmpty() ? "" : least.get(ctx.random().nextInt(least.size()));
    if (!preferred.isEmpty()) {
      handedTo.put(preferred, now);
    }
    damagedHandOffAt = now;
    host.input(n -> n.stepDown(ctx.scheduler().nowMillis(), preferred));
  }

  /** The first hold of a damaged leader whose leadership came straight back. */
  static final long DAMAGED_HOLD_MIN_MS = 250;
  /** The longest hold: nats-server's shortest election timeout. */
  static final long DAMAGED_HOLD_MAX_MS = 4_000;
  /** A hand-off target must have been heard within this (two NRG heartbeats). */
  static final long DAMAGED_TARGET_HEARD_MS = 2_000;
  /** When this replica last handed damaged leadership on (scheduler millis). */
  private long damagedHandOffAt = Long.MIN_VALUE / 2;
  /** How long this damaged leader holds before handing on (0: at once). */
  private long damagedHoldMillis;
  /** When this replica last handed damaged leadership to each peer. */
  private final Map<String, Long> handedTo = new HashMap<>();

  // ------------------------------------------------------------------ helpers

  private long recordSize(String subject, byte[] hdr, byte[] msg) {
    return recordSize(subject, hdr == null ? 0 : hdr.length, msg == null ? 0 : msg.length);
  }

  private long recordSize(String subject, int hl, int ml) {
    int sl = isShortAscii(subject) ? subject.length() : subject.getBytes(StandardCharsets.UTF_8).length;
    return cfg.storage() == StorageType.MEMORY ? MessageSize.memoryStore(sl, hl, ml)
        : MessageSize.fileStore(sl, hl, ml);
  }

  /** Whether every char of {@code s} is ASCII and it is short enough for the codec's 16-bit lengths. */
  private static boolean isShortAscii(String s) {
    int n = s.length();
    if (n > 0xffff) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  private static String msgIdOf(byte[] hdr) {
    if (hdr == null || hdr.length == 0) {
      return null;
    }
    String id = Headers.get(hdr, Headers.MSG_ID);
    return id == null || id.isEmpty() ? null : id;
  }

  private static String limitText(LimitExceededException.Limit l) {
    return switch (l) {
      case MAX_MSGS -> "maximum messages exceeded";
      case MAX_BYTES -> "maximum bytes exceeded";
      case MAX_MSGS_PER_SUBJECT -> "maximum messages per subject exceeded";
    };
  }
}
