package io.jscluster.bench.cluster;

import io.jscluster.core.ClusterNode;
import io.jscluster.core.PubAck;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Keeps at most {@code window} publishes in flight to one stream leader; acks release their slot
 * on the leader's thread. One thread publishes. Any failed or negative ack is remembered and
 * rethrown by {@link #drain()}.
 *
 * <p>Publishes reach the leader's thread the way a server's client read loop hands over everything
 * one socket read returned: queued, and handed over by one scheduler task per burst rather than
 * one task (lock, heap insert, wake-up) per message. The publishing thread collects up to 32 publishes
 * (at most a quarter of the window) before handing them over, as a client's write buffer does,
 * and hands over whatever it holds before it waits or drains.
 *
 * <p>A publisher that finds the window full waits until a quarter of it is free again (a client
 * library's "stall until pending drops" with hysteresis): acks arrive in bursts of thousands after
 * each store force, and waking the publisher for every freed slot costs a futex wake-up and a
 * context switch per message on both sides. At most {@code window} publishes are ever in flight.
 */
final class Pipeline {

  private final RealTimeCluster cluster;
  private final String leader;
  private final String stream;
  private final String subject;
  private final int window;
  /** A full window resumes publishing once in-flight publishes dropped to this. */
  private final int resumeAt;
  private final AtomicInteger inFlight = new AtomicInteger();
  /** The publisher parked until {@link #inFlight} drops to {@link #waitLimit}, or null. */
  private volatile Thread waiter;
  private volatile int waitLimit = -1;
  private final AtomicLong acked = new AtomicLong();
  private final AtomicReference<String> failure = new AtomicReference<>();
  private final ConcurrentLinkedQueue<byte[][]> queue = new ConcurrentLinkedQueue<>();
  /** Publishes collected before a hand-over (the client's write buffer); see the class comment. */
  private final int chunkSize;
  private byte[][] chunk;
  private int chunked;
  private final AtomicBoolean handOverScheduled = new AtomicBoolean();
  private final Consumer<ClusterNode> handOver = this::handOver;
  private final BiConsumer<PubAck, Throwable> onAck = this::onAck;

  Pipeline(RealTimeCluster cluster, String leader, String stream, String subject, int window) {
    this.cluster = cluster;
    this.leader = leader;
    this.stream = stream;
    this.subject = subject;
    this.window = window;
    this.resumeAt = window - Math.max(1, window / 4);
    this.chunkSize = Math.max(1, Math.min(CHUNK, window / 4));
  }

  /** Publishes per hand-over: nats.go's 32 KiB write buffer holds 32 publishes of 1 KiB. */
  private static final int CHUNK = 32;

  /** Publishes {@code data}; with the window full, first waits until a quarter of it is free. */
  void publish(byte[] data) {
    if (inFlight.get() >= window) {
      flushChunk();
      awaitAtMost(resumeAt);
    }
    inFlight.incrementAndGet();
    if (chunk == null) {
      chunk = new byte[chunkSize][];
    }
    chunk[chunked++] = data;
    if (chunked == chunkSize) {
      flushChunk();
    }
  }

  /** Hands the collected publishes to the leader's thread. */
  private void flushChunk() {
    if (chunked == 0) {
      return;
    }
    byte[][] c = chunked == chunk.length ? chunk : java.util.Arrays.copyOf(chunk, chunked);
    chunk = null;
    chunked = 0;
    queue.add(c);
    if (handOverScheduled.compareAndSet(false, true)) {
      cluster.execute(leader, handOver);
    }
  }

  /** On the leader's thread: publishes everything queued, in order. */
  private void handOver(ClusterNode node) {
    // Cleared first: a publish queued after the last poll below schedules the next hand-over.
    handOverScheduled.set(false);
    byte[][] c;
    while ((c = queue.poll()) != null) {
      for (byte[] d : c) {
        node.publish(stream, subject, null, d).whenComplete(onAck);
      }
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
    int left = inFlight.decrementAndGet();
    if (left <= waitLimit) {
      Thread w = waiter;
      if (w != null) {
        LockSupport.unpark(w);
      }
    }
  }

  /** Parks the (single) publishing thread until at most {@code limit} publishes are in flight. */
  private void awaitAtMost(int limit) {
    waitLimit = limit;
    waiter = Thread.currentThread();
    // Both fields are published before the re-check, so an ack that brings the count down either
    // is seen here or sees the waiter and unparks it.
    while (inFlight.get() > limit) {
      LockSupport.park(this);
    }
    waiter = null;
    waitLimit = -1;
  }

  /** Waits until nothing is in flight; fails if any publish failed. Returns the acked count. */
  long drain() {
    flushChunk();
    if (inFlight.get() > 0) {
      awaitAtMost(0);
    }
    String f = failure.get();
    if (f != null) {
      throw new IllegalStateException("publish failed: " + f);
    }
    return acked.get();
  }
}
