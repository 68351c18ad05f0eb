package io.jscluster.bench.cluster;

import io.jscluster.core.Scheduler;
import io.jscluster.raft.transport.MessageHandler;
import io.jscluster.raft.transport.Subscription;
import io.jscluster.raft.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread-safe in-JVM network for real-time benchmarks and the demo: each node incarnation has its own
 * {@link Scheduler} thread, and a message is handed to every other live incarnation subscribed to
 * its subject by queueing the handler call for that node's scheduler thread. No copies, no delays,
 * no loss: it measures the cluster code, not a network.
 *
 * <p>Like a connection's read loop handing over everything one socket read returned, deliveries to
 * a node are coalesced: each is appended to the node's inbox, and only the first of a run
 * schedules a task, which then calls the handlers of everything queued by then in arrival order.
 * A burst of messages thus costs one scheduler hop, not one per message.
 */
public final class LoopbackNetwork {

  private static final Logger LOG = LoggerFactory.getLogger(LoopbackNetwork.class);

  private final Map<String, Endpoint> live = new ConcurrentHashMap<>();
  /**
   * The live endpoints as an array, replaced on every connect and disconnect: a send reads it
   * without walking the map (one message per catch-up ack makes that walk a hot path).
   */
  private volatile Endpoint[] liveArray = new Endpoint[0];
  /**
   * Bumped after every connect, disconnect, subscribe and unsubscribe: a sender's cached route
   * (the subscriptions its last subject reached) is valid while this has not moved since the route
   * was built.
   */
  private final java.util.concurrent.atomic.AtomicLong routesVersion = new java.util.concurrent.atomic.AtomicLong();

  /** Creates a network with no node connected. */
  public LoopbackNetwork() {}

  /** Connects a new incarnation of {@code node}, replacing (and disconnecting) any earlier one. */
  public Transport connect(String node, Scheduler scheduler) {
    Endpoint e = new Endpoint(node, scheduler);
    Endpoint old;
    synchronized (live) {
      old = live.put(node, e);
      liveArray = live.values().toArray(new Endpoint[0]);
    }
    if (old != null) {
      old.dead = true;
    }
    routesVersion.incrementAndGet();
    return e;
  }

  /** Disconnects the current incarnation of {@code node}: it neither sends nor receives again. */
  public void disconnect(String node) {
    Endpoint e;
    synchronized (live) {
      e = live.remove(node);
      liveArray = live.values().toArray(new Endpoint[0]);
    }
    if (e != null) {
      e.dead = true;
      e.peerUp = null;
    }
    routesVersion.incrementAndGet();
  }

  /**
   * The current incarnation of {@code node} is ready (its node started, its subscriptions made):
   * like a route that finished connecting, every other live incarnation that called this before
   * hears of it through its own {@code onPeerUp} (run on its scheduler thread, with {@code node}'s
   * name), and {@code onPeerUp} hears of each of them, on {@code node}'s scheduler thread. A
   * cluster node passes its {@code ClusterNode#peerConnected}.
   */
  public void up(String node, java.util.function.Consumer<String> onPeerUp) {
    Endpoint self = live.get(node);
    if (self == null) {
      throw new IllegalStateException(node + " is not connected");
    }
    self.peerUp = onPeerUp;
    for (Endpoint other : live.values()) {
      java.util.function.Consumer<String> theirs = other.peerUp;
      if (other == self || other.dead || theirs == null) {
        continue;
      }
      other.scheduler.execute(() -> theirs.accept(node));
      String otherName = other.node;
      self.scheduler.execute(() -> onPeerUp.accept(otherName));
    }
  }

  private record Delivery(Sub sub, String subject, String reply, byte[] payload) {}

  /**
   * The subscriptions of other live endpoints that {@code subject} (this very instance) reached
   * when {@link LoopbackNetwork#routesVersion} was {@code version}.
   */
  private record Route(String subject, long version, Sub[] subs) {}

  private final class Endpoint implements Transport {
    final String node;
    final Scheduler scheduler;
    final Map<String, List<Sub>> subs = new ConcurrentHashMap<>();
    volatile boolean dead;
    /** Hears of other nodes coming up; null until {@link LoopbackNetwork#up}. */
    volatile java.util.function.Consumer<String> peerUp;
    private final Object inboxLock = new Object();
    /** Deliveries waiting for the drain task; guarded by {@code inboxLock}. */
    private ArrayList<Delivery> inbox = new ArrayList<>();
    /** Whether a drain task is scheduled; guarded by {@code inboxLock}. */
    private boolean drainScheduled;
    /** The list being delivered (scheduler thread only), swapped with {@code inbox}. */
    private ArrayList<Delivery> delivering = new ArrayList<>();
    private final Runnable drain = this::drain;
    /** The network this endpoint belongs to. */
    LoopbackNetwork network() {
      return LoopbackNetwork.this;
    }

    /** The route of the last subject sent (immutable; a racy read only costs a rebuild). */
    private Route route;

    Endpoint(String node, Scheduler scheduler) {
      this.node = node;
      this.scheduler = scheduler;
    }

    void deliver(Delivery d) {
      boolean schedule;
      synchronized (inboxLock) {
        inbox.add(d);
        schedule = !drainScheduled;
        drainScheduled = true;
      }
      if (schedule) {
        scheduler.execute(drain);
      }
    }

    private void drain() {
      ArrayList<Delivery> batch;
      synchronized (inboxLock) {
        batch = inbox;
        inbox = delivering;
        delivering = batch;
        drainScheduled = false;
      }
      for (int i = 0, n = batch.size(); i < n; i++) {
        Delivery d = batch.get(i);
        if (d.sub().active && !dead) {
          try {
            d.sub().handler.onMessage(d.subject(), d.reply(), d.payload());
          } catch (RuntimeException e) {
            // As the scheduler does for a failing task: log it and go on with the others.
            LOG.error("delivery on {} failed", d.subject(), e);
          }
        }
      }
      batch.clear();
    }

    @Override
    public void send(String subject, String reply, byte[] payload) {
      if (dead) {
        return;
      }
      // A node mostly sends runs of one subject (a catch-up's data, its acks): look the
      // subscribers up once per run instead of once per message and endpoint.
      Route r = route;
      long version = routesVersion.get();
      if (r == null || r.subject() != subject || r.version() != version) {
        r = route(subject, version);
        route = r;
      }
      Sub[] targets = r.subs();
      for (int i = 0; i < targets.length; i++) {
        Sub s = targets[i];
        s.owner.deliver(new Delivery(s, subject, reply, payload));
      }
    }

    /** The current subscribers of {@code subject} on the other live endpoints, stamped {@code version}. */
    private Route route(String subject, long version) {
      List<Sub> out = new ArrayList<>(2);
      for (Endpoint other : liveArray) {
        if (other == this) {
          continue;
        }
        List<Sub> l = other.subs.get(subject);
        if (l != null) {
          out.addAll(l);
        }
      }
      return new Route(subject, version, out.toArray(new Sub[0]));
    }

    @Override
    public Subscription subscribe(String subject, MessageHandler handler) {
      Sub s = new Sub(this, subject, handler);
      subs.computeIfAbsent(subject, k -> new CopyOnWriteArrayList<>()).add(s);
      routesVersion.incrementAndGet();
      return s;
    }
  }

  private static final class Sub implements Subscription {
    final Endpoint owner;
    final String subject;
    final MessageHandler handler;
    volatile boolean active = true;

    Sub(Endpoint owner, String subject, MessageHandler handler) {
      this.owner = owner;
      this.subject = subject;
      this.handler = handler;
    }

    @Override
    public String subject() {
      return subject;
    }

    @Override
    public void unsubscribe() {
      active = false;
      List<Sub> l = owner.subs.get(subject);
      if (l != null) {
        l.remove(this);
      }
      owner.network().routesVersion.incrementAndGet();
    }
  }
}
