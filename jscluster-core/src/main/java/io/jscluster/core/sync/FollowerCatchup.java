package io.jscluster.core.sync;

import io.jscluster.codec.CodecException;
import io.jscluster.codec.EntryOp;
import io.jscluster.codec.msg.StreamMsgCodec;
import io.jscluster.codec.msg.StreamMsgView;
import io.jscluster.codec.ops.DeleteRange;
import io.jscluster.codec.ops.DeleteRangeCodec;
import io.jscluster.codec.ops.StreamSyncRequest;
import io.jscluster.codec.ops.StreamSyncRequestCodec;
import io.jscluster.codec.state.StreamReplicatedState;
import io.jscluster.codec.state.StreamSourceState;
import io.jscluster.core.store.SourceState;
import io.jscluster.core.store.StoreClosedException;
import io.jscluster.core.store.StoreException;
import io.jscluster.core.store.StreamState;
import io.jscluster.core.store.StreamStore;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The follower side of one snapshot catch-up (nats-server's {@code processSnapshot} with its
 * helpers {@code processSnapshotDeletes} and {@code processCatchupMsg}), as a deterministic,
 * single-threaded state machine.
 *
 * <h2>Driving it</h2>
 * When the stream's apply loop applies a Raft snapshot entry, it creates a machine and calls
 * {@link #start}. If {@link #isDone()} is then true the result is already known; otherwise the
 * node's applies are paused (through {@link Node#pauseApply()}) until the machine finishes. The
 * driver then feeds it:
 * <ul>
 *   <li>{@link #onMessage} for every message arriving on a subject it subscribed to, or
 *       {@link #onMessages} for several at once (one store batch, acks after it is durable);
 *   <li>{@link #tick} whenever the clock reaches {@link #deadline()};
 *   <li>{@link #onPermit} when the {@link SyncRequestLimiter} wakes it (the waker it registers is
 *       the {@code permitWaker} given at construction, which must only schedule that call);
 *   <li>{@link #stop} when the stream, its node or the server shuts down.
 * </ul>
 * On finishing it releases what it holds, clears the catching-up flag, resumes applies (unless
 * the stream or server stopped) and reports to the completion listener exactly once: null for
 * success, else the {@link CatchupException}.
 *
 * <h2>Protocol</h2>
 * At most {@link CatchupConfig#maxRetries()} attempts. Each attempt takes a sync-request permit,
 * subscribes a fresh {@code $JSC.R.<8>} inbox and sends a {@link StreamSyncRequest} (recomputed
 * from the store, so progress is kept) to the stream's sync subject. Every data message is
 * stored and acknowledged with an empty message to its reply; an empty message is the end
 * marker. A failure tells the leader why (the error text to the message's reply) and either
 * ends the catch-up (bad message, resources, disk space) or retries no sooner than
 * {@link CatchupConfig#minRetryWaitNanos()} after the request. Silence for the start interval
 * (first message) or the activity interval retries too.
 *
 * <p>Not thread-safe: call it from one thread (the stream's).
 */
public final class FollowerCatchup {

  private static final Logger LOG = LoggerFactory.getLogger(FollowerCatchup.class);
  private static final byte[] EMPTY = new byte[0];
  private static final long MIN_WRITE_BACK = 64L << 10;
  private static final long MAX_WRITE_BACK = 8L << 20;

  /** What the catch-up needs from the local stream replica. */
  public interface Replica {
    /** The replica's store. */
    StreamStore store();

    /** The stream's last applied sequence (nats-server {@code mset.lseq}). */
    long lastSeq();

    /** Records the last applied sequence. */
    void setLastSeq(long seq);

    /** Adopts the snapshot's count of failed proposals (CLFS). */
    void setFailed(long failed);

    /** False once the stream lost its assignment or Raft node (it is being removed). */
    boolean active();

    /** The stream's sync subject from its assignment ("" if missing). */
    String syncSubject();

    /** Whether the server's storage limits for this stream's storage type are exceeded. */
    boolean resourcesExceeded();

    /** Whether every consumer pre-acknowledged {@code (seq, subject)} (interest streams). */
    default boolean allPreAcked(long seq, String subject) {
      return false;
    }

    /** Drops the pre-acks of {@code seq}. */
    default void clearPreAcks(long seq) {}

    /** Drops the pre-acks of {@code first..last}. */
    default void clearPreAcksInRange(long first, long last) {}

    /** Drops the pre-acks below {@code floor}. */
    default void clearPreAcksBelow(long floor) {}

    /** Records a {@code Nats-Msg-Id} seen in a caught-up message in the dedupe table. */
    default void recordMsgId(String msgId, long seq, long tsNanos) {}

    /** Runs when the catch-up ends, however it ends (recompute consumers' pending counts). */
    default void catchupEnded() {}

    /**
     * Asks for what the store holds so far to be forced to disk in the background, off the
     * caller's thread, and returns at once: true if such a force was started, false if none
     * could be (one still running, or a store forced inline). An early start of the disk's
     * writeback, so the end marker's flush only has the tail left; never a durability promise —
     * nothing waits for it, and the end marker still flushes everything before the catch-up
     * completes.
     */
    default boolean startWriteBack() {
      return false;
    }
  }

  /** What the catch-up needs from the stream's Raft node. */
  public interface Node {
    /** The node id, sent as the request's {@code peer}. */
    String id();

    /** Whether the group has no known leader. */
    boolean leaderless();

    /** Whether this node is the leader. */
    boolean isLeader();

    /** Pauses applying committed entries; false when refused because this node leads. */
    boolean pauseApply();

    /** Resumes applying. */
    void resumeApply();

    /** Steps down if leading. */
    void stepDown();
  }

  private enum State {
    NEW,
    WAIT_LEADER,
    WAIT_PERMIT,
    RECEIVING,
    BACKOFF,
    DONE
  }

  private final CatchupConfig cfg;
  private final SyncSubjects subjects;
  private final SyncRequestLimiter limiter;
  private final CatchupTransport transport;
  private final Replica replica;
  private final Node node;
  private final CatchupState catchupState;
  private final Runnable permitWaker;
  private final Consumer<CatchupException> onDone;
  private final java.util.function.BooleanSupplier serverRunning;

  private State state = State.NEW;
  private StreamReplicatedState snap;
  private long index;
  private StreamSyncRequest sreq;
  private String syncSubject;
  private String inbox;
  private boolean havePermit;
  private boolean cleanupArmed;
  private boolean flagSet;
  private int attempts;
  private long deadline = Long.MAX_VALUE;
  private long reqSendTime;
  private long requestsSent;
  private long firstRequestNanos = -1;
  private long finishedNanos = -1;
  private long endFlushNanos;
  private long writeBackFloor;
  private long sinceWriteBack;
  private long writeBacks;
  private long messagesStored;
  private long payloadBytesStored;
  private CatchupException result;
  private final java.util.ArrayList<String> batchAcks = new java.util.ArrayList<>();
  private Runnable batchAfter;
  private String lastSubject;
  private byte[] lastSubjectUtf8 = EMPTY;

  /**
   * Creates a machine for one snapshot.
   *
   * @param cfg protocol tunables
   * @param subjects subject maker (inbox names)
   * @param limiter the server's sync-request permits
   * @param transport where to publish and subscribe
   * @param replica the local stream
   * @param node the stream's Raft node
   * @param catchupState the stream's catching-up flag
   * @param serverRunning false once the server is shutting down
   * @param permitWaker run by the limiter when a permit frees: must schedule {@link #onPermit}
   * @param onDone called once with null (success) or the failure
   */
  public FollowerCatchup(
      CatchupConfig cfg,
      SyncSubjects subjects,
      SyncRequestLimiter limiter,
      CatchupTransport transport,
      Replica replica,
      Node node,
      CatchupState catchupState,
      java.util.function.BooleanSupplier serverRunning,
      Runnable permitWaker,
      Consumer<CatchupException> onDone) {
    this.cfg = Objects.requireNonNull(cfg);
    this.subjects = Objects.requireNonNull(subjects);
    this.limiter = Objects.requireNonNull(limiter);
    this.transport = Objects.requireNonNull(transport);
    this.replica = Objects.requireNonNull(replica);
    this.node = node;
    this.catchupState = Objects.requireNonNull(catchupState);
    this.serverRunning = Objects.requireNonNull(serverRunning);
    this.permitWaker = Objects.requireNonNull(permitWaker);
    this.onDone = Objects.requireNonNull(onDone);
  }

  /** Whether the catch-up has ended. */
  public boolean isDone() {
    return state == State.DONE;
  }

  /** The failure it ended with, or null (success, or not done yet). */
  public CatchupException error() {
    return result;
  }

  /** When {@link #tick} must next be called (Long.MAX_VALUE: no timer armed). */
  public long deadline() {
    return state == State.DONE ? Long.MAX_VALUE : deadline;
  }

  /** The current inbox, or null between attempts. */
  public String inbox() {
    return inbox;
  }

  /** Sync requests sent so far. */
  public long requestsSent() {
    return requestsSent;
  }

  /** Clock time of the first sync request, or -1 when none was sent. */
  public long firstRequestNanos() {
    return firstRequestNanos;
  }

  /** Clock time the end marker completed the catch-up, or -1 (running, or ended otherwise). */
  public long finishedNanos() {
    return finishedNanos;
  }

  /**
   * Wall-clock nanoseconds ({@link System#nanoTime()}) the end marker's store flush took: a
   * diagnostic for benchmarks (the protocol's clock is the caller's), 0 until it ran.
   */
  public long endFlushNanos() {
    return endFlushNanos;
  }

  /** Background forces started through {@link Replica#startWriteBack()} during this catch-up. */
  public long writeBacks() {
    return writeBacks;
  }

  /** Messages stored from the leader's catch-up so far (skips and delete ranges excluded). */
  public long messagesStored() {
    return messagesStored;
  }

  /** Payload bytes (message data, headers excluded) of {@link #messagesStored()}. */
  public long payloadBytesStored() {
    return payloadBytesStored;
  }

  /**
   * Applies snapshot {@code snap} taken at Raft index {@code index} and, when the store is
   * behind it, starts catching up.
   */
  public void start(StreamReplicatedState snap, long index, long nowNanos) {
    if (state != State.NEW) {
      throw new IllegalStateException("already started");
    }
    this.snap = Objects.requireNonNull(snap);
    this.index = index;
    writeBackFloor = writeBackFloor(snap.bytes());
    StreamStore store = replica.store();
    try {
      store.applySources(toStoreSources(snap.sources()));
      processSnapshotDeletes(snap);
    } catch (StoreException e) {
      finish(storeFailure(e));
      return;
    }
    replica.setFailed(snap.failed());
    if (!replica.active() || node == null) {
      finish(new CatchupException(CatchupError.STREAM_STOPPED));
      return;
    }
    sreq = SyncRequests.calculate(store.state().lastSeq(), snap, index, node.id());
    cleanupArmed = true;
    syncSubject = replica.syncSubject();
    if (syncSubject == null || syncSubject.isEmpty()) {
      finish(new CatchupException(CatchupError.CORRUPT_SNAPSHOT));
      return;
    }
    if (sreq == null) {
      finish(flush());
      return;
    }
    if (replica.resourcesExceeded()) {
      finish(new CatchupException(CatchupError.INSUFFICIENT_RESOURCES));
      return;
    }
    if (!node.pauseApply()) {
      // Only a leader is refused: hand leadership to a peer that can catch us up.
      node.stepDown();
      if (!node.pauseApply()) {
        finish(new CatchupException(CatchupError.ALREADY_LEADER));
        return;
      }
    }
    catchupState.setCatchingUp();
    flagSet = true;
    retry(nowNanos);
  }

  /**
   * nats-server's {@code processSnapshotDeletes}: moves the first sequence up to the
   * snapshot's (compacting) and removes the snapshot's deletes at or below the local last.
   */
  void processSnapshotDeletes(StreamReplicatedState s) {
    StreamStore store = replica.store();
    StreamState st = store.state();
    if (Long.compareUnsigned(s.firstSeq(), st.firstSeq()) > 0) {
      store.compact(s.firstSeq());
      st = store.state();
      replica.setLastSeq(st.lastSeq());
      replica.clearPreAcksBelow(st.firstSeq());
      LOG.warn(
          "Catchup resetting first sequence: {} on catchup request",
          Long.toUnsignedString(s.firstSeq()));
    }
    if (!s.deleted().isEmpty()) {
      store.syncDeleted(s.deleted());
    }
  }

  /** A message arrived on {@code subject} with {@code reply}. Stale inboxes are ignored. */
  public void onMessage(String subject, String reply, byte[] payload, long nowNanos) {
    if (state != State.RECEIVING || !subject.equals(inbox)) {
      return;
    }
    deadline = nowNanos + cfg.activityIntervalNanos();
    if (payload == null || payload.length == 0) {
      // End marker: done if we hold everything the snapshot promised.
      onEof(nowNanos);
      return;
    }
    try {
      processCatchupMsg(payload);
      if (reply != null && !reply.isEmpty()) {
        transport.publish(reply, "", EMPTY);
      }
      maybeWriteBack();
    } catch (CatchupException e) {
      onFailure(reply, e, nowNanos);
    }
  }

  /** Smallest background force worth asking for: an eighth of the snapshot's bytes, 64 KiB..8 MiB. */
  static long writeBackFloor(long snapshotBytes) {
    return Math.max(MIN_WRITE_BACK, Math.min(MAX_WRITE_BACK, snapshotBytes / 8));
  }

  /**
   * Starts the store's writeback in the background once enough was stored since the last one
   * began (and none is running): the disk writes while the catch-up continues instead of all
   * at once in the end marker's flush. Acks and the applied index do not depend on it.
   */
  private void maybeWriteBack() {
    if (sinceWriteBack >= writeBackFloor && replica.startWriteBack()) {
      sinceWriteBack = 0;
      writeBacks++;
    }
  }

  /**
   * One message as the transport delivered it.
   *
   * @param subject the subject it arrived on
   * @param reply its reply subject ("" for none)
   * @param payload its bytes
   */
  public record Delivery(String subject, String reply, byte[] payload) {}

  /**
   * Several messages that arrived together (nats-server pops its whole queue at once): they are
   * stored inside one {@link StreamStore#batch} and their acks are sent after the batch returns.
   * A store that forces every batch ({@code SyncPolicy.ALWAYS}) forces once here; a store forced
   * in the background ({@code SyncPolicy.INTERVAL}, a replicated file stream with background
   * forces) is not forced per batch. Either way the acks are flow control, as in nats-server:
   * what makes the caught-up messages durable is the store sync when the end marker completes
   * the catch-up, which comes before the replica resumes applying (so before Raft's applied
   * index passes the snapshot) and before it reports itself current. A crash before that sync
   * loses only messages nothing claims yet: the restarted replica replays its snapshot and asks
   * again from what its store holds. Processing stops at an end marker or an error, as for
   * {@link #onMessage}; the rest of the batch is dropped.
   */
  public void onMessages(java.util.List<Delivery> batch, long nowNanos) {
    if (state != State.RECEIVING || batch.isEmpty()) {
      return;
    }
    batchAcks.clear();
    batchAfter = null;
    try {
      replica.store().batch(() -> storeBatch(batch, nowNanos));
    } catch (StoreException e) {
      // The batch's sync failed: nothing of it is known to be durable, so nothing is acked.
      batchAcks.clear();
      onFailure(null, storeFailure(e), nowNanos);
      return;
    }
    for (int i = 0, n = batchAcks.size(); i < n; i++) {
      transport.publish(batchAcks.get(i), "", EMPTY);
    }
    batchAcks.clear();
    Runnable after = batchAfter;
    batchAfter = null;
    if (after != null) {
      after.run();
    }
  }

  /** The inside of {@link #onMessages}'s store batch: stops at an end marker or a failure. */
  private void storeBatch(java.util.List<Delivery> batch, long nowNanos) {
    for (int i = 0, n = batch.size(); i < n; i++) {
      Delivery d = batch.get(i);
      if (!d.subject().equals(inbox)) {
        continue;
      }
      deadline = nowNanos + cfg.activityIntervalNanos();
      byte[] payload = d.payload();
      if (payload == null || payload.length == 0) {
        batchAfter = () -> onEof(nowNanos);
        return;
      }
      try {
        processCatchupMsg(payload);
        if (d.reply() != null && !d.reply().isEmpty()) {
          batchAcks.add(d.reply());
        }
        // Inside the batch: a batch may hold the whole catch-up (a store forcer waits for the
        // store's lock until the batch is written, then forces what it holds).
        maybeWriteBack();
      } catch (CatchupException e) {
        batchAfter = () -> onFailure(d.reply(), e, nowNanos);
        return;
      }
    }
  }

  private void onEof(long nowNanos) {
    if (Long.compareUnsigned(replica.lastSeq(), snap.lastSeq()) >= 0) {
      finishedNanos = nowNanos;
      long t0 = System.nanoTime();
      CatchupException flushed = flush();
      endFlushNanos = System.nanoTime() - t0;
      finish(flushed);
    } else {
      backoff(nowNanos);
    }
  }

  private void onFailure(String reply, CatchupException e, long nowNanos) {
    notifyLeader(reply, e);
    switch (e.error()) {
      case OUT_OF_SPACE, INSUFFICIENT_RESOURCES, BAD_MSG, STREAM_STOPPED -> {
        LOG.warn("Catchup errored: {}", e.getMessage());
        finish(e);
      }
      default -> {
        LOG.warn("Catchup errored, will retry: {}", e.getMessage());
        backoff(nowNanos);
      }
    }
  }

  /** The sync-request limiter has a permit again. */
  public void onPermit(long nowNanos) {
    if (state == State.WAIT_PERMIT) {
      acquirePermit(nowNanos);
    }
  }

  /** Time passed; handles whichever timer expired. */
  public void tick(long nowNanos) {
    if (nowNanos < deadline) {
      return;
    }
    switch (state) {
      case WAIT_LEADER -> {
        if (node.leaderless()) {
          finish(new CatchupException(CatchupError.ABORTED_NO_LEADER));
        } else {
          nextAttempt(nowNanos);
        }
      }
      case BACKOFF -> retry(nowNanos);
      case RECEIVING -> {
        LOG.warn("Catchup stalled");
        // Cannot normally happen: we have not applied the snapshot yet.
        if (node.isLeader()) {
          node.stepDown();
        }
        retry(nowNanos);
      }
      default -> {}
    }
  }

  /** The stream or node stopped ({@code serverQuit} false) or the server is shutting down. */
  public void stop(boolean serverQuit) {
    if (state != State.DONE) {
      finish(
          new CatchupException(
              serverQuit ? CatchupError.SERVER_NOT_RUNNING : CatchupError.STREAM_STOPPED));
    }
  }

  // ------------------------------------------------------------------------------- attempts

  private void retry(long now) {
    releasePermit();
    if (node.leaderless()) {
      if (attempts == 0 && state != State.WAIT_LEADER) {
        state = State.WAIT_LEADER;
        deadline = now + cfg.startIntervalNanos();
        return;
      }
      finish(new CatchupException(CatchupError.ABORTED_NO_LEADER));
      return;
    }
    nextAttempt(now);
  }

  private void nextAttempt(long now) {
    dropInbox();
    if (!serverRunning.getAsBoolean()) {
      finish(new CatchupException(CatchupError.SERVER_NOT_RUNNING));
      return;
    }
    attempts++;
    if (attempts > cfg.maxRetries()) {
      finish(new CatchupException(CatchupError.TOO_MANY_RETRIES));
      return;
    }
    acquirePermit(now);
  }

  private void acquirePermit(long now) {
    if (!limiter.tryAcquire(permitWaker)) {
      state = State.WAIT_PERMIT;
      deadline = Long.MAX_VALUE;
      return;
    }
    havePermit = true;
    deadline = now + cfg.startIntervalNanos();
    if (sreq == null) {
      sreq = SyncRequests.calculate(replica.store().state().lastSeq(), snap, index, node.id());
      if (sreq == null) {
        finish(flush());
        return;
      }
    }
    inbox = subjects.syncReplySubject();
    transport.subscribe(inbox);
    transport.publish(syncSubject, inbox, StreamSyncRequestCodec.encode(sreq));
    requestsSent++;
    if (firstRequestNanos < 0) {
      firstRequestNanos = now;
    }
    reqSendTime = now;
    sreq = null;
    state = State.RECEIVING;
  }

  private void backoff(long now) {
    long elapsed = now - reqSendTime;
    if (elapsed < cfg.minRetryWaitNanos()) {
      state = State.BACKOFF;
      deadline = reqSendTime + cfg.minRetryWaitNanos();
      return;
    }
    retry(now);
  }

  // ------------------------------------------------------------------------------ messages

  /**
   * nats-server's {@code processCatchupMsg}: stores one catch-up message (op 4, 14 or 15).
   *
   * @return the stream sequence it ends at
   * @throws CatchupException classified failure
   */
  long processCatchupMsg(byte[] msg) {
    if (msg.length == 0) {
      throw new CatchupException(CatchupError.BAD_MSG);
    }
    int op = msg[0] & 0xff;
    StreamStore store = replica.store();
    if (op == EntryOp.DELETE_RANGE.code()) {
      DeleteRange dr;
      try {
        dr = DeleteRangeCodec.decode(msg);
      } catch (CodecException e) {
        throw new CatchupException(CatchupError.BAD_MSG, "bad catchup msg: " + e.getMessage(), e);
      }
      long last = dr.first() + dr.num() - 1;
      try {
        store.skip(dr.first(), dr.num());
      } catch (StoreClosedException e) {
        throw new CatchupException(CatchupError.STREAM_STOPPED, e.getMessage(), e);
      } catch (StoreException | IllegalArgumentException e) {
        throw new CatchupException(
            CatchupError.WRONG_SEQ_FOR_SKIP, CatchupError.WRONG_SEQ_FOR_SKIP.text(), e);
      }
      replica.clearPreAcksInRange(dr.first(), last);
      replica.setLastSeq(last);
      return last;
    }
    if (op != EntryOp.STREAM_MSG.code() && op != EntryOp.COMPRESSED_STREAM_MSG.code()) {
      throw new CatchupException(CatchupError.BAD_MSG);
    }
    StreamMsgView m;
    try {
      m = StreamMsgCodec.decodeView(msg, 0, msg.length);
    } catch (CodecException e) {
      throw new CatchupException(CatchupError.BAD_MSG, "bad catchup msg: " + e.getMessage(), e);
    }
    String subj = subjectOf(m);
    long seq = m.lseq();
    long ts = m.ts();
    if (replica.allPreAcked(seq, subj)) {
      replica.clearPreAcks(seq);
      subj = "";
      ts = 0;
    }
    if (replica.resourcesExceeded()) {
      throw new CatchupException(CatchupError.INSUFFICIENT_RESOURCES);
    }
    try {
      if (subj.isEmpty() && ts == 0) {
        try {
          store.skip(seq);
        } catch (StoreClosedException e) {
          throw e;
        } catch (StoreException e) {
          throw new CatchupException(
              CatchupError.WRONG_SEQ_FOR_SKIP, CatchupError.WRONG_SEQ_FOR_SKIP.text(), e);
        }
      } else {
        // Straight from the received bytes: the store copies the ranges into its own memory.
        store.storeAt(seq, ts, subj, m.buf(), m.hdrOff(), m.hdrLen(), m.msgOff(), m.msgLen());
        messagesStored++;
        payloadBytesStored += m.msgLen();
        sinceWriteBack += m.msgLen() + m.hdrLen() + m.subjectLen();
      }
    } catch (StoreException e) {
      throw storeFailure(e);
    }
    replica.setLastSeq(seq);
    if (m.hdrLen() > 0) {
      String id = NatsHeaders.value(m.hdr(), "Nats-Msg-Id");
      if (id != null && !id.isEmpty()) {
        replica.recordMsgId(id, seq, ts);
      }
    }
    return seq;
  }

  // ------------------------------------------------------------------------------- helpers

  /**
   * The message's subject: the previous message's string instance when the bytes are the same.
   * A catch-up is mostly runs of one subject, and the store recognises a repeated instance
   * without hashing it.
   */
  private String subjectOf(StreamMsgView m) {
    byte[] b = m.buf();
    int off = m.subjectOff();
    int len = m.subjectLen();
    byte[] last = lastSubjectUtf8;
    if (lastSubject != null && Arrays.equals(last, 0, last.length, b, off, off + len)) {
      return lastSubject;
    }
    String s = m.subject();
    lastSubject = s;
    lastSubjectUtf8 = Arrays.copyOfRange(b, off, off + len);
    return s;
  }

  private void notifyLeader(String reply, CatchupException e) {
    if (reply != null && !reply.isEmpty()) {
      transport.publish(reply, "", e.getMessage().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  private CatchupException flush() {
    try {
      replica.store().sync();
      return null;
    } catch (StoreException e) {
      return storeFailure(e);
    }
  }

  static CatchupException storeFailure(StoreException e) {
    if (e instanceof StoreClosedException) {
      return new CatchupException(CatchupError.STREAM_STOPPED, e.getMessage(), e);
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && m.toLowerCase(java.util.Locale.ROOT).contains("no space left")) {
        return new CatchupException(CatchupError.OUT_OF_SPACE, m, e);
      }
    }
    return new CatchupException(CatchupError.STORE_FAILURE, String.valueOf(e.getMessage()), e);
  }

  private static Map<String, SourceState> toStoreSources(Map<String, StreamSourceState> in) {
    if (in.isEmpty()) {
      return Map.of();
    }
    Map<String, SourceState> out = new LinkedHashMap<>();
    in.forEach((k, v) -> out.put(k, new SourceState(v.seq(), v.ident())));
    return out;
  }

  private void dropInbox() {
    if (inbox != null) {
      transport.unsubscribe(inbox);
      inbox = null;
    }
  }

  private void releasePermit() {
    if (havePermit) {
      havePermit = false;
      limiter.release();
    }
  }

  private void finish(CatchupException error) {
    state = State.DONE;
    deadline = Long.MAX_VALUE;
    result = error;
    dropInbox();
    releasePermit();
    limiter.cancel(permitWaker);
    if (flagSet) {
      catchupState.clearCatchingUp();
      replica.catchupEnded();
    }
    if (cleanupArmed) {
      CatchupError e = error == null ? null : error.error();
      try {
        // Adopt the leader's source positions after the messages they refer to.
        replica.store().applySources(toStoreSources(snap.sources()));
      } catch (StoreException ignored) {
        // The store is gone; the stream is being stopped and the outcome already says why.
      }
      if (e != CatchupError.STREAM_STOPPED && e != CatchupError.SERVER_NOT_RUNNING) {
        node.resumeApply();
      }
    }
    onDone.accept(error);
  }
}
