package io.jscluster.bench.cluster;

import io.jscluster.core.ClusterNode;
import io.jscluster.core.PubAck;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Keeps at most {@code window} publishes in flight to one stream leader; acks release their slot
 * on the leader's thread. Any failed or negative ack is remembered and rethrown by {@link #drain()}.
 *
 * <p>Publishes reach the leader's thread the way a server's client read loop hands over everything
 * one socket read returned: queued, and handed over by one scheduler task per burst rather than
 * one task (lock, heap insert, wake-up) per message.
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
  private final ConcurrentLinkedQueue<byte[]> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean handOverScheduled = new AtomicBoolean();
  private final Consumer<ClusterNode> handOver = this::handOver;
  private final BiConsumer<PubAck, Throwable> onAck = this::onAck;

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
    queue.add(data);
    if (handOverScheduled.compareAndSet(false, true)) {
      cluster.execute(leader, handOver);
    }
  }

  /** On the leader's thread: publishes everything queued, in order. */
  private void handOver(ClusterNode node) {
    // Cleared first: a publish queued after the last poll below schedules the next hand-over.
    handOverScheduled.set(false);
    byte[] d;
    while ((d = queue.poll()) != null) {
      node.publish(stream, subject, null, d).whenComplete(onAck);
    }
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
