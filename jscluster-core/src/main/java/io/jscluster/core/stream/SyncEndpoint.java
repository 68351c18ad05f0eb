package io.jscluster.core.stream;

import io.jscluster.core.Scheduler;
import io.jscluster.core.sync.CatchupTransport;
import io.jscluster.raft.transport.Subscription;
import io.jscluster.raft.transport.Transport;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A {@link CatchupTransport} over the node's exact-match {@link Transport} for one catch-up
 * machine. A subscription ending in {@code .*} (the leader's ack subscription) is realised by
 * subscribing, on first use, each concrete reply subject the machine puts on its own messages
 * under that prefix: acks only ever arrive on such subjects. Deliveries re-enter on the node's
 * logical thread and go to {@code sink} until {@link #close()}.
 */
final class SyncEndpoint implements CatchupTransport {

  /** Receives the machine's messages. */
  interface Sink {
    void onMessage(String subject, String reply, byte[] payload);
  }

  private final Transport transport;
  private final Scheduler scheduler;
  private final Sink sink;
  private final Map<String, Subscription> exact = new HashMap<>();
  private final Set<String> prefixes = new HashSet<>();
  private boolean closed;

  SyncEndpoint(Transport transport, Scheduler scheduler, Sink sink) {
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
    if (hasReply) {
      int dot = reply.lastIndexOf('.');
      if (dot > 0 && prefixes.contains(reply.substring(0, dot + 1))) {
        subscribeExact(reply);
      }
    }
    transport.send(subject, hasReply ? reply : null, payload);
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
    exact.put(subject, transport.subscribe(subject, (s, r, p) -> scheduler.execute(() -> {
      if (!closed && exact.containsKey(s)) {
        sink.onMessage(s, r, p);
      }
    })));
  }

  @Override
  public void unsubscribe(String subject) {
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
  }
}
