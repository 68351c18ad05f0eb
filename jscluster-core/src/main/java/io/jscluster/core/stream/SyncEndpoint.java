package io.jscluster.core.stream;

import io.jscluster.core.Scheduler;
import io.jscluster.core.sync.CatchupTransport;
import io.jscluster.core.sync.FollowerCatchup;
import io.jscluster.raft.transport.Subscription;
import io.jscluster.raft.transport.Transport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link CatchupTransport} over the node's exact-match {@link Transport} for one catch-up
 * machine. A subscription ending in {@code .*} (the leader's ack subscription) is realised by
 * subscribing, on first use, each concrete reply subject the machine puts on its own messages
 * under that prefix: acks only ever arrive on such subjects.
 *
 * <p>Deliveries re-enter on the node's logical thread and go to the sink until {@link #close()}.
 * They are coalesced: a delivery is queued, and only the first of a run schedules a task, which
 * hands everything queued by then (at most {@link #MAX_BATCH} messages, the rest in a following
 * task) to the sink in arrival order. A catch-up of many messages thus costs one scheduler hop
 * per batch, and a batch sink stores a batch with one store sync.
 */
final class SyncEndpoint implements CatchupTransport {

  /** Most deliveries handed to the sink in one task; the rest follow in the next. */
  static final int MAX_BATCH = 8192;

  /** Receives the machine's messages one at a time. */
  interface Sink {
    void onMessage(String subject, String reply, byte[] payload);
  }

  /** Receives the machine's messages a batch at a time (the list is reused after the call). */
  interface BatchSink {
    void onMessages(List<FollowerCatchup.Delivery> batch);
  }

  private final Transport transport;
  private final Scheduler scheduler;
  private final BatchSink sink;
  private final Map<String, Subscription> exact = new HashMap<>();
  private final Set<String> prefixes = new HashSet<>();
  private final Runnable drain = this::drain;
  private final Object lock = new Object();
  /** Deliveries queued by transport threads; guarded by {@code lock}. */
  private ArrayList<FollowerCatchup.Delivery> queued = new ArrayList<>();
  /** Whether a drain task is scheduled; guarded by {@code lock}. */
  private boolean drainScheduled;
  /**
   * The batch being handed to the sink, swapped with {@code queued} once handed over up to its
   * end; guarded by {@code lock} for the swap, otherwise node thread only.
   */
  private ArrayList<FollowerCatchup.Delivery> draining = new ArrayList<>();
  /** How far {@code draining} has been handed to the sink. */
  private int drainPos;
  private final ArrayList<FollowerCatchup.Delivery> live = new ArrayList<>();
  private String lastAckReply;
  private volatile boolean closed;

  SyncEndpoint(Transport transport, Scheduler scheduler, Sink sink) {
    this(transport, scheduler, batch -> {
      for (FollowerCatchup.Delivery d : batch) {
        sink.onMessage(d.subject(), d.reply(), d.payload());
      }
    });
  }

  SyncEndpoint(Transport transport, Scheduler scheduler, BatchSink sink) {
    this.transport = transport;
    this.scheduler = scheduler;
    this.sink = sink;
  }

  @Override
  public void publish(String subject, String reply, byte[] payload) {
    if (closed) {
      return;
    }
    boolean hasReply = reply != null && !reply.isEmpty();
    // A leader run puts the same reply instance on every message of a length: check it once.
    if (hasReply && reply != lastAckReply && !prefixes.isEmpty()) {
      int dot = reply.lastIndexOf('.');
      if (dot > 0 && prefixes.contains(reply.substring(0, dot + 1))) {
        subscribeExact(reply);
        lastAckReply = reply;
      }
    }
    transport.send(subject, hasReply ? reply : null, payload);
  }

  private void enqueue(String subject, String reply, byte[] payload) {
    if (closed) {
      return;
    }
    boolean schedule;
    synchronized (lock) {
      queued.add(new FollowerCatchup.Delivery(subject, reply, payload));
      schedule = !drainScheduled;
      drainScheduled = true;
    }
    if (schedule) {
      scheduler.execute(drain);
    }
  }

  private void drain() {
    synchronized (lock) {
      drainScheduled = false;
      if (drainPos >= draining.size()) {
        // Everything handed over before: take what has been queued since.
        draining.clear();
        drainPos = 0;
        ArrayList<FollowerCatchup.Delivery> batch = queued;
        queued = draining;
        draining = batch;
      }
    }
    ArrayList<FollowerCatchup.Delivery> batch = draining;
    int n = batch.size();
    int from = drainPos;
    int to = Math.min(n, from + MAX_BATCH);
    drainPos = to;
    if (closed) {
      return;
    }
    live.clear();
    // Subscriptions change only on this thread, and not during this loop: one lookup per subject.
    String known = null;
    for (int i = from; i < to; i++) {
      FollowerCatchup.Delivery d = batch.get(i);
      String s = d.subject();
      // Unsubscribed while queued: drop, as the per-message check did before.
      if (s == known || exact.containsKey(s)) {
        known = s;
        live.add(d);
      }
    }
    if (!live.isEmpty()) {
      sink.onMessages(live);
    }
    live.clear();
    if (to == n) {
      // Drop the references to the payloads now rather than at the next drain.
      batch.clear();
      drainPos = 0;
    }
    if (closed) {
      return;
    }
    // Let other tasks of the node (Raft heartbeats, acks) run between large batches: the rest
    // stays where it is and goes first in the next drain, before anything queued meanwhile
    // (whose enqueue saw a drain already scheduled, so this one must schedule it).
    boolean schedule;
    synchronized (lock) {
      schedule = (to < n || !queued.isEmpty()) && !drainScheduled;
      if (schedule) {
        drainScheduled = true;
      }
    }
    if (schedule) {
      scheduler.execute(drain);
    }
  }

  @Override
  public void subscribe(String subject) {
    if (closed) {
      return;
    }
    if (subject.endsWith(".*")) {
      prefixes.add(subject.substring(0, subject.length() - 1));
    } else {
      subscribeExact(subject);
    }
  }

  private void subscribeExact(String subject) {
    if (exact.containsKey(subject)) {
      return;
    }
    exact.put(subject, transport.subscribe(subject, this::enqueue));
  }

  @Override
  public void unsubscribe(String subject) {
    lastAckReply = null;
    if (subject.endsWith(".*")) {
      String prefix = subject.substring(0, subject.length() - 1);
      prefixes.remove(prefix);
      exact.entrySet().removeIf(e -> {
        if (e.getKey().startsWith(prefix)) {
          e.getValue().unsubscribe();
          return true;
        }
        return false;
      });
    } else {
      Subscription s = exact.remove(subject);
      if (s != null) {
        s.unsubscribe();
      }
    }
  }

  /** Drops every subscription; later calls do nothing. */
  void close() {
    closed = true;
    exact.values().forEach(Subscription::unsubscribe);
    exact.clear();
    prefixes.clear();
    lastAckReply = null;
    synchronized (lock) {
      queued.clear();
      draining.clear();
      drainPos = 0;
    }
  }
}
