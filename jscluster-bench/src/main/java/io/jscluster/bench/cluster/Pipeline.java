package io.jscluster.bench.cluster;

import io.jscluster.core.PubAck;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps at most {@code window} publishes in flight to one stream leader; acks release their slot
 * on the leader's thread. Any failed or negative ack is remembered and rethrown by {@link #drain()}.
 */
final class Pipeline {

  private final RealTimeCluster cluster;
  private final String leader;
  private final String stream;
  private final String subject;
  private final int window;
  private final Semaphore slots;
  private final AtomicLong acked = new AtomicLong();
  private final AtomicReference<String> failure = new AtomicReference<>();

  Pipeline(RealTimeCluster cluster, String leader, String stream, String subject, int window) {
    this.cluster = cluster;
    this.leader = leader;
    this.stream = stream;
    this.subject = subject;
    this.window = window;
    this.slots = new Semaphore(window);
  }

  /** Publishes {@code data}, first waiting for a free slot. */
  void publish(byte[] data) {
    slots.acquireUninterruptibly();
    cluster.publishAsync(leader, stream, subject, data, this::onAck);
  }

  private void onAck(PubAck ack, Throwable t) {
    if (t != null) {
      failure.compareAndSet(null, t.toString());
    } else if (ack.error() != null) {
      failure.compareAndSet(null, ack.error().toString());
    } else {
      acked.incrementAndGet();
    }
    slots.release();
  }

  /** Waits until nothing is in flight; fails if any publish failed. Returns the acked count. */
  long drain() {
    slots.acquireUninterruptibly(window);
    slots.release(window);
    String f = failure.get();
    if (f != null) {
      throw new IllegalStateException("publish failed: " + f);
    }
    return acked.get();
  }
}
