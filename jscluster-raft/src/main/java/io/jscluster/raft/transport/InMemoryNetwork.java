package io.jscluster.raft.transport;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Connects {@link Transport} endpoints inside one JVM. A published message is routed, per
 * destination node subscribed to its subject at publish time, to the {@link Dispatcher}, which
 * later calls {@link #deliver(Envelope)} (possibly never, possibly twice). Delivery re-checks the
 * subscription, so messages to an unsubscribed subject vanish. A node never receives its own
 * messages.
 *
 * <p>The default dispatcher queues envelopes FIFO until {@link #deliverAll()}. Not thread-safe: one
 * thread drives the network (the simulation thread, or a test).
 */
public final class InMemoryNetwork {

  /** One copy of a message on its way to one node. */
  public record Envelope(String from, String to, String subject, String reply, byte[] payload) {}

  /** Decides when (or whether) an envelope reaches its destination. */
  @FunctionalInterface
  public interface Dispatcher {
    /** Takes responsibility for {@code e}; eventually calls {@link #deliver(Envelope)} or drops it. */
    void dispatch(Envelope e);
  }

  private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
  private final ArrayDeque<Envelope> queue = new ArrayDeque<>();
  private Dispatcher dispatcher = queue::add;

  /** Replaces the dispatcher (for example with a simulated network). */
  public void setDispatcher(Dispatcher d) {
    this.dispatcher = Objects.requireNonNull(d, "dispatcher");
  }

  /** The endpoint of node {@code node}, created on first use. */
  public Transport endpoint(String node) {
    return endpoints.computeIfAbsent(node, Endpoint::new);
  }

  /** Drops every subscription of {@code node} (a crash). */
  public void disconnect(String node) {
    Endpoint ep = endpoints.get(node);
    if (ep != null) {
      ep.subs.clear();
    }
  }

  /** Delivers queued envelopes of the default dispatcher until none is left; returns how many. */
  public int deliverAll() {
    int n = 0;
    Envelope e;
    while ((e = queue.poll()) != null) {
      deliver(e);
      n++;
    }
    return n;
  }

  /** Hands {@code e} to the destination's handlers subscribed to its subject right now. */
  public void deliver(Envelope e) {
    Endpoint ep = endpoints.get(e.to());
    if (ep == null) {
      return;
    }
    List<Sub> subs = ep.subs.get(e.subject());
    if (subs == null) {
      return;
    }
    for (Sub s : new ArrayList<>(subs)) {
      if (s.active) {
        s.handler.onMessage(e.subject(), e.reply(), e.payload());
      }
    }
  }

  private final class Endpoint implements Transport {
    final String node;
    final Map<String, List<Sub>> subs = new LinkedHashMap<>();

    Endpoint(String node) {
      this.node = node;
    }

    @Override
    public void send(String subject, String reply, byte[] payload) {
      for (Endpoint other : endpoints.values()) {
        if (other != this && other.subs.containsKey(subject)) {
          dispatcher.dispatch(new Envelope(node, other.node, subject, reply, payload));
        }
      }
    }

    @Override
    public Subscription subscribe(String subject, MessageHandler handler) {
      Sub s = new Sub(this, subject, handler);
      subs.computeIfAbsent(subject, k -> new ArrayList<>()).add(s);
      return s;
    }
  }

  private static final class Sub implements Subscription {
    final Endpoint owner;
    final String subject;
    final MessageHandler handler;
    boolean active = true;

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
      if (!active) {
        return;
      }
      active = false;
      List<Sub> l = owner.subs.get(subject);
      if (l != null) {
        l.remove(this);
        if (l.isEmpty()) {
          owner.subs.remove(subject);
        }
      }
    }
  }
}
