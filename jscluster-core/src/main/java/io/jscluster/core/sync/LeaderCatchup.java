package io.jscluster.core.sync;

import io.jscluster.codec.CodecException;
import io.jscluster.codec.msg.StreamMsg;
import io.jscluster.codec.msg.StreamMsgCodec;
import io.jscluster.codec.ops.DeleteRange;
import io.jscluster.codec.ops.DeleteRangeCodec;
import io.jscluster.codec.ops.StreamSyncRequest;
import io.jscluster.codec.ops.StreamSyncRequestCodec;
import io.jscluster.core.store.StoreException;
import io.jscluster.core.store.MessageView;
import io.jscluster.core.store.StreamState;
import io.jscluster.core.store.StreamStore;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader side of one catch-up (nats-server's {@code runCatchup}), as a deterministic,
 * single-threaded state machine serving one {@link StreamSyncRequest} to one follower inbox.
 *
 * <h2>Driving it</h2>
 * A stream leader subscribes its sync subject; for each request that
 * {@link #parseRequest parses}, it creates a machine and calls {@link #start}. Then:
 * <ul>
 *   <li>{@link #onAck} for every message on the run's ack subscription ({@link #ackSubject()});
 *   <li>{@link #onWake} when the machine's {@code waker} runs (the global budget's kick): the
 *       waker must only schedule this call;
 *   <li>{@link #tick} whenever the clock reaches {@link #deadline()};
 *   <li>{@link #stop} when the stream stops, the server quits or the leader steps down.
 * </ul>
 *
 * <h2>Flow control</h2>
 * Every data message carries the reply {@code $JSC.ACK.<8>.<length>} and counts against two
 * budgets until acknowledged: this run's ({@link CatchupConfig#maxOutBytes()},
 * {@link CatchupConfig#maxOutMsgs()}) and the server's {@link CatchupBudget}. The leader sends
 * while every budget has room, and each ack refills the window at once, so data streams
 * continuously without fixed sleeps; after sending, it waits for more than
 * {@link CatchupConfig#minBatchMsgs()} free message slots (at most
 * {@link CatchupConfig#minBatchWaitNanos()}) before sending again. Gaps become delete ranges
 * (op 15, unacknowledged and free of budget) when the follower accepts them; a one-sequence gap
 * is a tracked skip record. With many interior deletes the leader jumps from message to message
 * ("load next") instead of walking every sequence. The end is an empty message without reply.
 *
 * <h2>Ending</h2>
 * Completion, a load error or a non-empty ack (the follower aborted) removes the follower from
 * {@link CatchupPeers}; a stall (no ack for the activity interval) or a stop leaves its entry, so
 * cluster info keeps reporting it as catching up. The run's budget share is always returned.
 *
 * <p>Not thread-safe: call it from one thread.
 */
public final class LeaderCatchup {

  private static final Logger LOG = LoggerFactory.getLogger(LeaderCatchup.class);
  private static final byte[] EMPTY = new byte[0];
  private static final String ALL_SUBJECTS = ">";
  /**
   * Most tracked messages one call sends before handing the rest of the batch to the waker: the
   * run shares its node's thread with Raft (nats-server runs it on a goroutine of its own), and
   * a whole 64 MiB window sent in one task kept heartbeats from going out for 0.4 s or more on a
   * loaded machine, long enough for another replica to start an election.
   */
  static final int SLICE_MSGS = 4096;
  /** Most bytes one call sends before handing the rest of the batch to the waker. */
  static final long SLICE_BYTES = 4L << 20;

  /** What the run needs from the leader's stream. */
  public interface Stream {
    /** The stream's store. */
    StreamStore store();

    /** The stream's table of peers being caught up. */
    CatchupPeers catchupPeers();

    /** True once the stream is stopping (nats-server's nil quit channel). */
    boolean stopped();
  }

  /** What the run needs from the stream's Raft node. */
  public interface Node {
    /** Last log index. */
    long index();

    /** Last applied index. */
    long applied();

    /** Steps down (this leader cannot serve the request). */
    void stepDown();

    /**
     * Flushes the store and installs a fresh snapshot of it: the request asked beyond the
     * store's end, so the snapshot that promised those sequences is stale.
     */
    void reinstallSnapshot();
  }

  /** How a run ended. */
  public enum Outcome {
    /** Still running. */
    RUNNING,
    /** Everything sent, end marker included. */
    COMPLETED,
    /** The follower sent an error as an ack. */
    REMOTE_ABORTED,
    /** No ack within the activity interval; the peer stays tracked. */
    STALLED,
    /** The request waits for entries this leader has logged but not applied; nothing sent. */
    BEHIND_ON_APPLIES,
    /** The store ends before the requested last sequence; the leader stepped down. */
    NOT_ENOUGH_DATA,
    /** A load failed; ended without the end marker (the follower will retry). */
    LOAD_ERROR,
    /** Stopped from outside. */
    STOPPED
  }

  private final CatchupConfig cfg;
  private final CatchupBudget budget;
  private final CatchupTransport transport;
  private final Stream stream;
  private final Node node;
  private final String inbox;
  private final StreamSyncRequest sreq;
  private final Runnable waker;
  private final String ackSubject;
  private final String ackPrefix;
  private final CatchupPeers peers;

  private CatchupBudget.Outstanding out;
  private Outcome outcome = Outcome.RUNNING;
  private long seq;
  private long last;
  private boolean useLoadNext;
  private long knownLast;
  private long knownFirst;
  private int sentSinceGate;
  private long gateDeadline;
  private long activityDeadline = Long.MAX_VALUE;
  private long retryDeadline = Long.MAX_VALUE;
  private boolean ackSubscribed;
  private long drFirst;
  private long drNum;
  private int cachedLen = -1;
  private String cachedReply;
  private long msgsSent;
  private final CatchupEncoder encoder = new CatchupEncoder();
  private final MessageView view = new MessageView();
  private String lastAckSubject;
  private long lastAckSize;
  private long rangesSent;
  /** Whether the budgets had room after the last tracked send (see {@link #sendNextBatch}). */
  private boolean room;
  /** A batch was cut at a slice boundary: the next call continues it, past the min-batch gate. */
  private boolean sliceOpen;
  private long sliceBytes;

  /**
   * Creates a run.
   *
   * @param cfg protocol tunables
   * @param subjects subject maker (the ack subscription)
   * @param budget the server's catch-up budget
   * @param transport where to publish and subscribe
   * @param stream the leader's stream
   * @param node the stream's Raft node, or null (R1)
   * @param inbox the follower's inbox (the request's reply subject)
   * @param sreq the request
   * @param waker run when the global budget kicks, or to continue a batch cut into slices (at
   *     most {@link #SLICE_MSGS} messages or {@link #SLICE_BYTES} per call): must schedule
   *     {@link #onWake}, behind the node's other queued work
   */
  public LeaderCatchup(
      CatchupConfig cfg,
      SyncSubjects subjects,
      CatchupBudget budget,
      CatchupTransport transport,
      Stream stream,
      Node node,
      String inbox,
      StreamSyncRequest sreq,
      Runnable waker) {
    this.cfg = Objects.requireNonNull(cfg);
    this.budget = Objects.requireNonNull(budget);
    this.transport = Objects.requireNonNull(transport);
    this.stream = Objects.requireNonNull(stream);
    this.node = node;
    this.inbox = Objects.requireNonNull(inbox);
    this.sreq = Objects.requireNonNull(sreq);
    this.waker = Objects.requireNonNull(waker);
    this.peers = stream.catchupPeers();
    this.ackSubject = subjects.syncAckSubject();
    this.ackPrefix = ackSubject.substring(0, ackSubject.length() - 1);
  }

  /** The request in a sync message, or null when it does not parse (such requests are dropped). */
  public static StreamSyncRequest parseRequest(byte[] json) {
    try {
      return StreamSyncRequestCodec.decode(json);
    } catch (CodecException e) {
      LOG.debug("Dropping invalid sync request: {}", e.getMessage());
      return null;
    }
  }

  /** The peer id the request named ("" when it named none). */
  public String peer() {
    return sreq.peer();
  }

  /** The ack subscription of this run ({@code $JSC.ACK.<8>.*}). */
  public String ackSubject() {
    return ackSubject;
  }

  /** How the run ended, or {@link Outcome#RUNNING}. */
  public Outcome outcome() {
    return outcome;
  }

  /** Whether the run has ended. */
  public boolean isDone() {
    return outcome != Outcome.RUNNING;
  }

  /** Tracked messages (data and skip records) sent so far. */
  public long messagesSent() {
    return msgsSent;
  }

  /** Untracked delete ranges sent so far. */
  public long rangesSent() {
    return rangesSent;
  }

  /** When {@link #tick} must next be called (Long.MAX_VALUE when done). */
  public long deadline() {
    if (isDone()) {
      return Long.MAX_VALUE;
    }
    long d = Math.min(activityDeadline, retryDeadline);
    return gateDeadline != 0 ? Math.min(d, gateDeadline) : d;
  }

  /** Starts serving: pre-checks, then sends the first batch. */
  public void start(long nowNanos) {
    if (out != null) {
      throw new IllegalStateException("already started");
    }
    out = budget.open();
    transport.subscribe(ackSubject);
    ackSubscribed = true;
    StreamStore store = stream.store();
    StreamState st = store.state();
    seq = sreq.firstSeq();
    last = sreq.lastSeq();
    if (node != null) {
      long index = node.index();
      long applied = node.applied();
      // We hold the log the follower's snapshot came from but have not applied it yet: the
      // follower retries after its time-out, by when we may have.
      if (Long.compareUnsigned(index, sreq.minApplied()) >= 0
          && Long.compareUnsigned(applied, sreq.minApplied()) < 0) {
        finish(Outcome.BEHIND_ON_APPLIES);
        return;
      }
      if (Long.compareUnsigned(st.lastSeq(), last) < 0) {
        LOG.warn(
            "Catchup skipped, requested sequence {} was larger than current state {}",
            Long.toUnsignedString(last), st);
        node.stepDown();
        finish(Outcome.NOT_ENOUGH_DATA);
        return;
      }
    }
    // Quirk kept: the lag is seeded without the +1.
    peers.set(sreq.peer(), last - seq);
    if (stream.stopped()) {
      finish(Outcome.STOPPED);
      return;
    }
    useLoadNext =
        sreq.deleteRangesOk()
            && (Long.compareUnsigned(st.numDeleted(), 2 * st.msgs()) > 0
                || Long.compareUnsigned(st.numDeleted(), cfg.loadNextDeletesThreshold()) > 0);
    knownLast = st.lastSeq();
    knownFirst = st.firstSeq();
    activityDeadline = nowNanos + cfg.activityIntervalNanos();
    event(nowNanos);
  }

  /** A message arrived on the ack subscription. */
  public void onAck(String subject, byte[] payload, long nowNanos) {
    if (countAck(subject, payload, nowNanos)) {
      event(nowNanos);
    }
  }

  /**
   * Several messages that arrived together on the ack subscription: each counts as for
   * {@link #onAck}, but their budget shares are returned in one step and the run sends once for
   * all of them (one refill of the window instead of one per ack).
   */
  public void onAcks(java.util.List<FollowerCatchup.Delivery> acks, long nowNanos) {
    if (isDone()) {
      return;
    }
    long bytes = 0;
    int count = 0;
    for (int i = 0, n = acks.size(); i < n; i++) {
      FollowerCatchup.Delivery d = acks.get(i);
      String subject = d.subject();
      // The acks of a run repeat one reply instance per message length: check its prefix once.
      if (subject != lastAckSubject && !subject.startsWith(ackPrefix)) {
        continue;
      }
      byte[] payload = d.payload();
      if (payload != null && payload.length > 0) {
        // The abort returns the whole share anyway: the acks before it need no accounting.
        countAck(subject, payload, nowNanos);
        return;
      }
      bytes += ackSize(subject);
      count++;
    }
    if (count == 0) {
      return;
    }
    if (!out.subAll(bytes, count)) {
      for (int i = 0, n = acks.size(); i < n; i++) {
        String subject = acks.get(i).subject();
        if (subject.startsWith(ackPrefix)) {
          out.sub(ackSize(subject));
        }
      }
    }
    peers.decrement(sreq.peer(), count);
    activityDeadline = nowNanos + cfg.activityIntervalNanos();
    event(nowNanos);
  }

  /** The byte length an ack subject carries; the same reply instance repeats, so it is cached. */
  private long ackSize(String subject) {
    if (subject != lastAckSubject) {
      lastAckSize = SyncSubjects.ackReplySize(subject);
      lastAckSubject = subject;
    }
    return lastAckSize;
  }

  /** Returns the ack's budget share; true when it was a valid ack of a running run. */
  private boolean countAck(String subject, byte[] payload, long nowNanos) {
    if (isDone() || !subject.startsWith(ackPrefix)) {
      return false;
    }
    if (payload != null && payload.length > 0) {
      LOG.warn(
          "Catchup was aborted on the remote due to: \"{}\"",
          new String(payload, java.nio.charset.StandardCharsets.UTF_8));
      peers.clear(sreq.peer());
      finish(Outcome.REMOTE_ABORTED);
      return false;
    }
    out.sub(ackSize(subject));
    peers.update(sreq.peer());
    activityDeadline = nowNanos + cfg.activityIntervalNanos();
    return true;
  }

  /** The global budget kicked (room again). */
  public void onWake(long nowNanos) {
    if (!isDone()) {
      event(nowNanos);
    }
  }

  /** Time passed; handles whichever timer expired. */
  public void tick(long nowNanos) {
    if (isDone()) {
      return;
    }
    if (nowNanos >= activityDeadline) {
      // The entry in CatchupPeers stays: the follower is still behind and will ask again.
      LOG.warn("Catchup stalled");
      finish(Outcome.STALLED);
      return;
    }
    if (nowNanos >= retryDeadline || (gateDeadline != 0 && nowNanos >= gateDeadline)) {
      event(nowNanos);
    }
  }

  /** Ends the run from outside (stream stopped, server quit, leadership lost). */
  public void stop() {
    if (!isDone()) {
      finish(Outcome.STOPPED);
    }
  }

  @Override
  public String toString() {
    return "LeaderCatchup[" + outcome + ", peer=" + sreq.peer() + ", next=" + Long.toUnsignedString(seq)
        + ", last=" + Long.toUnsignedString(last) + ", outBytes=" + (out == null ? 0 : out.bytes())
        + ", outMsgs=" + (out == null ? 0 : out.msgs()) + ", activityDeadline=" + activityDeadline
        + ", retryDeadline=" + retryDeadline + ", gateDeadline=" + gateDeadline + "]";
  }

  // ------------------------------------------------------------------------------- sending

  private void event(long now) {
    if (!sendNextBatch(now)) {
      // Over, whether complete or on a load error (nats-server clears the entry for both).
      peers.clear(sreq.peer());
      if (!isDone()) {
        finish(Outcome.COMPLETED);
      }
      return;
    }
    if (isDone()) {
      return;
    }
    retryDeadline = now + cfg.retryTickNanos();
    if (!budget.belowMax()) {
      budget.awaitKick(waker);
    }
  }

  /** One round of sending; false when the run is over. */
  private boolean sendNextBatch(long now) {
    if (Long.compareUnsigned(seq, last) > 0) {
      sendEof();
      return false;
    }
    if (sliceOpen) {
      // The rest of a batch cut at a slice boundary: not a new batch, so no gate.
      sliceOpen = false;
    } else if (sentSinceGate > 0) {
      if (cfg.maxOutMsgs() - out.msgs() > cfg.minBatchMsgs()) {
        gateDeadline = 0;
      } else if (gateDeadline == 0) {
        gateDeadline = now + cfg.minBatchWaitNanos();
        return true;
      } else if (now < gateDeadline) {
        return true;
      } else {
        gateDeadline = 0;
      }
      sentSinceGate = 0;
    }
    StreamStore store = stream.store();
    boolean drOk = sreq.deleteRangesOk();
    // Re-checked by every tracked send (it adds and checks under one lock); a sequence that only
    // extends a delete range adds nothing, and acks are handled on this thread between rounds.
    room = out.hasRoom(cfg.maxOutBytes(), cfg.maxOutMsgs());
    int sliceEnd = sentSinceGate + SLICE_MSGS;
    sliceBytes = 0;
    while (Long.compareUnsigned(seq, last) <= 0 && room) {
      if (sentSinceGate >= sliceEnd || sliceBytes >= SLICE_BYTES) {
        sliceOpen = true;
        if (drOk && drFirst != 0) {
          sendDeleteRange();
        }
        waker.run();
        return true;
      }
      // The view points into the store's memory until the next store call: encode before that.
      boolean found;
      boolean pastEnd = false;
      try {
        if (useLoadNext) {
          found = store.loadNextInto(ALL_SUBJECTS, seq, view);
          if (!found) {
            // Nothing more in the store: the rest of the request is one gap.
            drFirst = seq;
            drNum = last - seq;
            seq = last;
          } else if (Long.compareUnsigned(view.seq(), seq) > 0) {
            long nseq = view.seq();
            if (Long.compareUnsigned(nseq, last) > 0) {
              nseq = last;
              found = false;
            }
            drFirst = seq;
            drNum = nseq - seq;
            seq = nseq;
          }
        } else {
          found = store.loadInto(seq, view);
          if (!found && Long.compareUnsigned(seq, knownLast) > 0) {
            knownLast = store.state().lastSeq();
            pastEnd = Long.compareUnsigned(seq, knownLast) > 0;
          }
        }
      } catch (StoreException e) {
        LOG.warn("Error loading message for catchup: {}", e.toString());
        finish(Outcome.LOAD_ERROR);
        return false;
      }
      if (pastEnd) {
        LOG.warn(
            "Catchup completed, but requested sequence {} was larger than current state",
            Long.toUnsignedString(seq));
        if (node != null) {
          node.reinstallSnapshot();
        }
        if (drOk && drFirst != 0) {
          sendDeleteRange();
        }
        sendEof();
        return false;
      }
      if (found) {
        // Encode first: a delete range before it does not touch the store, the view stays valid.
        byte[] em = encoder.encode(view);
        if (drOk && drFirst != 0) {
          sendDeleteRange();
        }
        sendTracked(em);
      } else if (drOk) {
        if (drFirst == 0) {
          drFirst = seq;
          drNum = 1;
        } else {
          drNum++;
        }
        // Below the store's first sequence everything is missing: extend the gap in one step
        // (the messages sent are the same as walking it).
        if (!useLoadNext && Long.compareUnsigned(seq, knownFirst) < 0) {
          knownFirst = store.state().firstSeq();
          long gapEnd = knownFirst - 1;
          if (knownFirst != 0 && Long.compareUnsigned(gapEnd, seq) > 0) {
            long to = Long.compareUnsigned(gapEnd, last) < 0 ? gapEnd : last;
            drNum += to - seq;
            seq = to;
          }
        }
      } else {
        sendTracked(skipRecord(seq));
      }
      if (seq == last) {
        if (drOk && drFirst != 0) {
          sendDeleteRange();
        }
        sendEof();
        return false;
      }
      seq++;
    }
    if (drOk && drFirst != 0) {
      sendDeleteRange();
    }
    return true;
  }

  private static byte[] skipRecord(long seq) {
    return StreamMsgCodec.encode(new StreamMsg("", "", null, null, seq, 0, false));
  }

  private void sendTracked(byte[] em) {
    int len = em.length;
    if (len != cachedLen) {
      cachedLen = len;
      cachedReply = ackPrefix + len;
    }
    room = out.addAndHasRoom(len, cfg.maxOutBytes(), cfg.maxOutMsgs());
    transport.publish(inbox, cachedReply, em);
    sentSinceGate++;
    sliceBytes += len;
    msgsSent++;
  }

  private void sendDeleteRange() {
    if (drNum == 1) {
      sendTracked(skipRecord(drFirst));
    } else {
      transport.publish(inbox, "", DeleteRangeCodec.encode(new DeleteRange(drFirst, drNum)));
      rangesSent++;
      peers.decrement(sreq.peer(), drNum);
    }
    drFirst = 0;
    drNum = 0;
  }

  private void sendEof() {
    transport.publish(inbox, "", EMPTY);
  }

  private void finish(Outcome o) {
    outcome = o;
    if (out != null) {
      out.close();
    }
    budget.cancelKick(waker);
    if (ackSubscribed) {
      transport.unsubscribe(ackSubject);
      ackSubscribed = false;
    }
  }
}
