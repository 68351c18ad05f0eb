package io.jscluster.bench.cluster;

import io.jscluster.core.Scheduler;
import io.jscluster.raft.transport.MessageHandler;
import io.jscluster.raft.transport.Subscription;
import io.jscluster.raft.transport.Transport;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A thread-safe in-JVM network for real-time benchmarks and the demo: each node incarnation has its own
 * {@link Scheduler} thread, and a message is handed to every other live incarnation subscribed to
 * its subject by queueing the handler call on that node's scheduler thread. No copies, no delays,
 * no loss: it measures the cluster code, not a network.
 */
public final class LoopbackNetwork {

  private final Map<String, Endpoint> live = new ConcurrentHashMap<>();

  /** Creates a network with no node connected. */
  public LoopbackNetwork() {}

  /** Connects a new incarnation of {@code node}, replacing (and disconnecting) any earlier one. */
  public Transport connect(String node, Scheduler scheduler) {
    Endpoint e = new Endpoint(node, scheduler);
    Endpoint old = live.put(node, e);
    if (old != null) {
      old.dead = true;
    }
    return e;
  }

  /** Disconnects the current incarnation of {@code node}: it neither sends nor receives again. */
  public void disconnect(String node) {
    Endpoint e = live.remove(node);
    if (e != null) {
      e.dead = true;
    }
  }

  private final class Endpoint implements Transport {
    final String node;
    final Scheduler scheduler;
    final Map<String, List<Sub>> subs = new ConcurrentHashMap<>();
    volatile boolean dead;

    Endpoint(String node, Scheduler scheduler) {
      this.node = node;
      this.scheduler = scheduler;
    }

    @Override
    public void send(String subject, String reply, byte[] payload) {
      if (dead) {
        return;
      }
      for (Endpoint other : live.values()) {
        if (other == this) {
          continue;
        }
        List<Sub> l = other.subs.get(subject);
        if (l == null) {
          continue;
        }
        for (Sub s : l) {
          other.scheduler.execute(() -> {
            if (s.active && !other.dead) {
              s.handler.onMessage(subject, reply, payload);
            }
          });
        }
      }
    }

    @Override
    public Subscription subscribe(String subject, MessageHandler handler) {
      Sub s = new Sub(this, subject, handler);
      subs.computeIfAbsent(subject, k -> new CopyOnWriteArrayList<>()).add(s);
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
    }
  }
}
