package io.jscluster.bench.demo;

import io.jscluster.core.Scheduler;
import io.jscluster.raft.transport.MessageHandler;
import io.jscluster.raft.transport.Subscription;
import io.jscluster.raft.transport.Transport;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The demo's in-memory network, in real time and thread-safe: every node incarnation has its own
 * scheduler thread, and a message reaches each other live incarnation subscribed to its subject as
 * a task on that node's scheduler. Nothing is copied, delayed or lost, so what the demo shows is
 * the cluster code. A stopped node is disconnected: it neither sends nor receives.
 */
final class DemoNetwork {

  private final Map<String, Endpoint> live = new ConcurrentHashMap<>();

  /** Connects a new incarnation of {@code node}; an earlier incarnation is cut off. */
  Transport connect(String node, Scheduler scheduler) {
    Endpoint e = new Endpoint(scheduler);
    Endpoint old = live.put(node, e);
    if (old != null) {
      old.dead = true;
    }
    return e;
  }

  /** Cuts off the current incarnation of {@code node}. */
  void disconnect(String node) {
    Endpoint e = live.remove(node);
    if (e != null) {
      e.dead = true;
    }
  }

  private final class Endpoint implements Transport {
    final Scheduler scheduler;
    final Map<String, List<Sub>> subs = new ConcurrentHashMap<>();
    volatile boolean dead;

    Endpoint(Scheduler scheduler) {
      this.scheduler = scheduler;
    }

    @Override
    public void send(String subject, String reply, byte[] payload) {
      if (dead) {
        return;
      }
      for (Endpoint to : live.values()) {
        if (to == this) {
          continue;
        }
        List<Sub> l = to.subs.get(subject);
        if (l == null) {
          continue;
        }
        for (Sub s : l) {
          to.scheduler.execute(() -> {
            if (s.active && !to.dead) {
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
