package io.jscluster.bench.demo;

import io.jscluster.core.PubAck;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Pipelined publishing to one stream leader: up to {@code window} publishes in flight, handed to
 * the leader's scheduler thread in batches (one task per batch of free slots rather than one per
 * message), each slot freed by its PubAck. Message {@code i} carries {@code i} in its first eight
 * bytes (big-endian), the rest being fixed pseudo-random bytes, so a replica can be checked
 * message by message: the message at stream sequence {@code s} must carry {@code s - 1}.
 */
final class Publisher {

  private final DemoCluster cluster;
  private final String leader;
  private final String stream;
  private final String subject;
  private final int size;
  private final int window;
  private final byte[] filler;
  private final Semaphore slots;
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicReference<String> firstFailure = new AtomicReference<>();

  /** Publishes {@code size}-byte messages on {@code subject} of {@code stream} through {@code leader}. */
  Publisher(DemoCluster cluster, String leader, String stream, String subject, int size, int window) {
    this.cluster = cluster;
    this.leader = leader;
    this.stream = stream;
    this.subject = subject;
    this.size = size;
    this.window = window;
    this.filler = new byte[size];
    new SplittableRandom(size).nextBytes(filler);
    this.slots = new Semaphore(window);
  }

  /** The payload of message {@code index}. */
  byte[] payload(long index) {
    byte[] b = filler.clone();
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (index >>> (56 - 8 * i));
    }
    return b;
  }

  /** The message index a payload carries. */
  static long indexOf(byte[] data) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (data[i] & 0xff);
    }
    return v;
  }

  /**
   * Publishes messages {@code from} to {@code from + count - 1} and waits for every ack, showing a
   * progress bar with the live rate on {@code progress}. Returns the elapsed nanoseconds.
   */
  long publish(long from, long count, String label, Progress progress) {
    long start = System.nanoTime();
    long ackedBefore = acked.get() + failed.get();
    long next = from;
    long end = from + count;
    while (next < end) {
      acquire(1, progress, label, start, ackedBefore, count);
      int held = 1 + slots.drainPermits();
      int k = (int) Math.min(held, end - next);
      slots.release(held - k);
      long first = next;
      next += k;
      byte[][] batch = new byte[k][];
      for (int i = 0; i < k; i++) {
        batch[i] = payload(first + i);
      }
      cluster.submit(leader, n -> {
        for (byte[] data : batch) {
          n.publish(stream, subject, null, data).whenComplete(this::onAck);
        }
      });
      show(progress, label, start, ackedBefore, count);
    }
    while (!tryAcquire(window)) {
      show(progress, label, start, ackedBefore, count);
    }
    slots.release(window);
    long elapsed = System.nanoTime() - start;
    progress.done(line(label, acked.get() + failed.get() - ackedBefore, count, elapsed));
    return elapsed;
  }

  private void acquire(int n, Progress progress, String label, long start, long before, long count) {
    while (!tryAcquire(n)) {
      show(progress, label, start, before, count);
    }
  }

  private boolean tryAcquire(int n) {
    try {
      return slots.tryAcquire(n, 50, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private void show(Progress progress, String label, long start, long before, long count) {
    progress.update(line(label, acked.get() + failed.get() - before, count, System.nanoTime() - start));
  }

  private String line(String label, long done, long total, long nanos) {
    double secs = Math.max(nanos, 1) / 1e9;
    return String.format("  %s %s %,9d msgs %,9.0f msgs/s %7.2f MB/s", label, Progress.bar(done, total), done,
        done / secs, done * (double) size / 1e6 / secs);
  }

  private void onAck(PubAck ack, Throwable t) {
    if (t == null && ack.isOk()) {
      acked.incrementAndGet();
    } else {
      failed.incrementAndGet();
      firstFailure.compareAndSet(null, t != null ? t.toString() : String.valueOf(ack.error()));
    }
    slots.release();
  }

  /** Publishes acknowledged so far. */
  long acked() {
    return acked.get();
  }

  /** Publishes that failed so far. */
  long failed() {
    return failed.get();
  }

  /** The first failure, or null. */
  String firstFailure() {
    return firstFailure.get();
  }
}
