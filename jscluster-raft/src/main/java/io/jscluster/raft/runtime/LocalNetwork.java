package io.jscluster.raft.runtime;

import io.jscluster.raft.transport.MessageHandler;
import io.jscluster.raft.transport.Subscription;
import io.jscluster.raft.transport.Transport;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A thread-safe in-JVM message bus for the event-loop runtime: the production-shaped counterpart of
 * the single-threaded {@link io.jscluster.raft.transport.InMemoryNetwork}. Payloads are the NRG
 * bytes the core encoded; they are handed over by reference (a real transport would copy them onto
 * a socket).
 *
 * <p>Delivery calls the subscribers' handlers on the sending thread, inside {@link Transport#send}.
 * That is only correct for handlers that merely enqueue, which is what {@link EventLoopRuntime}
 * registers; it is what makes this bus cheap enough to host thousands of groups. A node never
 * receives its own messages.
 */
public final class LocalNetwork {

  private static final Sub[] NONE = new Sub[0];

  /** Copy-on-write subscriber arrays: sends vastly outnumber (un)subscriptions. */
  private final ConcurrentHashMap<String, Sub[]> subjects = new ConcurrentHashMap<>();

  /**
   * Bumped after every change of {@link #subjects}; an endpoint's cached routes stamped with an
   * older value are looked up again. A send that starts after a (un)subscription returned reads
   * the new value, so it sees the change.
   */
  private final AtomicLong version = new AtomicLong();

  /** A subject's subscribers as seen at {@code version}. Immutable, so safely shared racily. */
  private record Route(String subject, Sub[] subs, long version) {}

  /** A new endpoint; {@code name} is for diagnostics only. */
  public Transport endpoint(String name) {
    return new Endpoint(name);
  }

  /** Number of subjects with at least one subscriber. */
  public int subjectCount() {
    return subjects.size();
  }

  private final class Endpoint implements Transport {
    final String name;
    /**
     * The last two subjects sent to: a member sends to the same one or two subjects (its group's
     * AE subject, its leader's response inbox) over and over, and with thousands of groups the
     * shared map is the cold, expensive part of a send.
     */
    private Route recent0;
    private Route recent1;

    Endpoint(String name) {
      this.name = name;
    }

    private Sub[] route(String subject) {
      long v = version.get();
      Route r = recent0;
      if (r != null && r.version == v && (r.subject == subject || r.subject.equals(subject))) {
        return r.subs;
      }
      r = recent1;
      if (r != null && r.version == v && (r.subject == subject || r.subject.equals(subject))) {
        recent1 = recent0;
        recent0 = r;
        return r.subs;
      }
      r = new Route(subject, subjects.getOrDefault(subject, NONE), v);
      recent1 = recent0;
      recent0 = r;
      return r.subs;
    }

    @Override
    public void send(String subject, String reply, byte[] payload) {
      Sub[] subs = route(subject);
      for (Sub s : subs) {
        if (s.owner != this && s.active) {
          s.handler.onMessage(subject, reply, payload);
        }
      }
    }

    @Override
    public Subscription subscribe(String subject, MessageHandler handler) {
      Sub s = new Sub(this, subject, handler);
      subjects.compute(subject, (k, old) -> {
        if (old == null) {
          return new Sub[] {s};
        }
        Sub[] n = Arrays.copyOf(old, old.length + 1);
        n[old.length] = s;
        return n;
      });
      version.incrementAndGet();
      return s;
    }

    @Override
    public String toString() {
      return "LocalNetwork.Endpoint[" + name + "]";
    }
  }

  private final class Sub implements Subscription {
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
      if (!active) {
        return;
      }
      active = false;
      subjects.computeIfPresent(subject, (k, old) -> {
        int n = 0;
        for (Sub x : old) {
          if (x != this) {
            n++;
          }
        }
        if (n == 0) {
          return null;
        }
        Sub[] out = new Sub[n];
        int i = 0;
        for (Sub x : old) {
          if (x != this) {
            out[i++] = x;
          }
        }
        return out;
      });
      version.incrementAndGet();
    }
  }
}
