package io.jscluster.core.sync;

import io.jscluster.codec.CodecException;
import io.jscluster.codec.EntryOp;
import io.jscluster.codec.msg.StreamMsgCodec;
import io.jscluster.codec.msg.StreamMsgView;
import io.jscluster.codec.ops.DeleteRange;
import io.jscluster.codec.ops.DeleteRangeCodec;
import io.jscluster.codec.ops.StreamSyncRequest;
import io.jscluster.codec.ops.StreamSyncRequestCodec;
import io.jscluster.core.store.Damage;
import io.jscluster.core.store.StoreException;
import io.jscluster.core.store.StoredMessage;
import io.jscluster.core.store.StreamStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-fetches one range that the local store reports {@linkplain StreamStore#damage() damaged}
 * from the stream leader and {@linkplain StreamStore#repair repairs} it, so a damaged block is
 * restored from a peer instead of being dropped. This is a jscluster addition with no
 * nats-server counterpart; it reuses the catch-up wire protocol unchanged: the request asks for
 * exactly the damaged range ({@code min_applied} 0), the leader serves it with an ordinary
 * {@link LeaderCatchup}, and the messages are collected (acknowledged as usual) and written in
 * one {@code repair} call when the end marker arrives. Sequences the leader no longer holds
 * arrive as skips or delete ranges and are recorded as deleted.
 *
 * <p>Retries as the follower catch-up does (start / activity intervals, at most
 * {@link CatchupConfig#maxRetries()} attempts, each starting over). Drive it like
 * {@link FollowerCatchup}: {@link #onMessage}, {@link #tick} at {@link #deadline()}, {@link #stop}.
 * Not thread-safe.
 */
public final class RepairFetch {

  private static final Logger LOG = LoggerFactory.getLogger(RepairFetch.class);
  private static final byte[] EMPTY = new byte[0];

  private final CatchupConfig cfg;
  private final SyncSubjects subjects;
  private final CatchupTransport transport;
  private final StreamStore store;
  private final String syncSubject;
  private final String nodeId;
  private final Damage range;
  private final Consumer<CatchupException> onDone;

  private final List<StoredMessage> collected = new ArrayList<>();
  private String inbox;
  private long next;
  private int attempts;
  private long deadline = Long.MAX_VALUE;
  private boolean done;
  private CatchupException result;

  /**
   * Creates a fetch of {@code range}.
   *
   * @param onDone called once with null (repaired) or the failure
   */
  public RepairFetch(
      CatchupConfig cfg,
      SyncSubjects subjects,
      CatchupTransport transport,
      StreamStore store,
      String syncSubject,
      String nodeId,
      Damage range,
      Consumer<CatchupException> onDone) {
    this.cfg = Objects.requireNonNull(cfg);
    this.subjects = Objects.requireNonNull(subjects);
    this.transport = Objects.requireNonNull(transport);
    this.store = Objects.requireNonNull(store);
    this.syncSubject = Objects.requireNonNull(syncSubject);
    this.nodeId = Objects.requireNonNull(nodeId);
    this.range = Objects.requireNonNull(range);
    this.onDone = Objects.requireNonNull(onDone);
  }

  /** Whether it has ended. */
  public boolean isDone() {
    return done;
  }

  /** The failure it ended with, or null. */
  public CatchupException error() {
    return result;
  }

  /** When {@link #tick} must next be called. */
  public long deadline() {
    return done ? Long.MAX_VALUE : deadline;
  }

  /** Sends the first request. */
  public void start(long nowNanos) {
    attempt(nowNanos);
  }

  /** A message on a subscribed subject. */
  public void onMessage(String subject, String reply, byte[] payload, long nowNanos) {
    if (done || !subject.equals(inbox)) {
      return;
    }
    deadline = nowNanos + cfg.activityIntervalNanos();
    if (payload == null || payload.length == 0) {
      if (Long.compareUnsigned(next, range.lastSeq()) > 0) {
        try {
          store.repair(range.firstSeq(), range.lastSeq(), collected);
          finish(null);
        } catch (StoreException e) {
          finish(FollowerCatchup.storeFailure(e));
        }
      } else {
        attempt(nowNanos);
      }
      return;
    }
    try {
      accept(payload);
      if (reply != null && !reply.isEmpty()) {
        transport.publish(reply, "", EMPTY);
      }
    } catch (CatchupException e) {
      if (reply != null && !reply.isEmpty()) {
        transport.publish(reply, "", e.getMessage().getBytes(StandardCharsets.UTF_8));
      }
      if (e.error() == CatchupError.BAD_MSG) {
        finish(e);
      } else {
        LOG.warn("Repair fetch errored, will retry: {}", e.getMessage());
        attempt(nowNanos);
      }
    }
  }

  /** Time passed: an attempt without messages for too long starts over. */
  public void tick(long nowNanos) {
    if (!done && nowNanos >= deadline) {
      attempt(nowNanos);
    }
  }

  /** Abandons the fetch (stream or server stopping). */
  public void stop() {
    if (!done) {
      finish(new CatchupException(CatchupError.STREAM_STOPPED));
    }
  }

  private void accept(byte[] msg) {
    int op = msg[0] & 0xff;
    if (op == EntryOp.DELETE_RANGE.code()) {
      DeleteRange dr;
      try {
        dr = DeleteRangeCodec.decode(msg);
      } catch (CodecException e) {
        throw new CatchupException(CatchupError.BAD_MSG, "bad catchup msg: " + e.getMessage(), e);
      }
      if (dr.first() != next) {
        throw new CatchupException(CatchupError.WRONG_SEQ_FOR_SKIP);
      }
      next = dr.first() + dr.num();
      return;
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
    if (m.lseq() != next || Long.compareUnsigned(m.lseq(), range.lastSeq()) > 0) {
      throw new CatchupException(CatchupError.WRONG_SEQ_FOR_SKIP);
    }
    if (!(m.subject().isEmpty() && m.ts() == 0)) {
      collected.add(new StoredMessage(m.lseq(), m.ts(), m.subject(), m.hdr(), m.msg()));
    }
    next = m.lseq() + 1;
  }

  private void attempt(long now) {
    if (inbox != null) {
      transport.unsubscribe(inbox);
      inbox = null;
    }
    attempts++;
    if (attempts > cfg.maxRetries()) {
      finish(new CatchupException(CatchupError.TOO_MANY_RETRIES));
      return;
    }
    collected.clear();
    next = range.firstSeq();
    deadline = now + cfg.startIntervalNanos();
    inbox = subjects.syncReplySubject();
    transport.subscribe(inbox);
    transport.publish(
        syncSubject,
        inbox,
        StreamSyncRequestCodec.encode(
            new StreamSyncRequest(nodeId, range.firstSeq(), range.lastSeq(), true, 0)));
  }

  private void finish(CatchupException e) {
    done = true;
    result = e;
    deadline = Long.MAX_VALUE;
    if (inbox != null) {
      transport.unsubscribe(inbox);
      inbox = null;
    }
    onDone.accept(e);
  }
}
