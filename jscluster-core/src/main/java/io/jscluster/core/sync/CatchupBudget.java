package io.jscluster.core.sync;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The per-server budget of catch-up data sent but not yet acknowledged, shared by every catch-up
 * this server serves as a stream leader (nats-server's {@code gcbOut}/{@code gcbOutMax}).
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li>Each catch-up run holds an {@link Outstanding} counter ({@link #open()}); every message
 *       it sends {@linkplain Outstanding#add adds} its byte length (and one message) to both its
 *       counter and the server total; every ack {@linkplain Outstanding#sub subtracts} it again.
 *   <li>{@link #belowMax()} is the gate a run checks before each message: total bytes
 *       {@code <= maxBytes} <em>and</em> total messages {@code <= maxMsgs} (both inclusive).
 *   <li>The <em>kick</em>: when an add makes the total reach a maximum ({@code >=}), a kick is
 *       armed. Runs that stopped on the budget {@linkplain #awaitKick register} to be woken. The
 *       first subtraction that takes the totals strictly below both maxima fires the kick: every
 *       registered waker runs once, and the kick is disarmed.
 *   <li>{@link Outstanding#close()} (nats-server {@code gcbSubLast}) returns whatever the run
 *       still holds and zeroes its counter; later subtractions on it (late acks) change nothing.
 *       A subtraction on a counter that is zero is likewise ignored.
 * </ul>
 * nats-server budgets bytes only; the message maximum is a jscluster addition and defaults to
 * unlimited ({@link Long#MAX_VALUE}), which reproduces nats-server exactly.
 *
 * <h2>Threads</h2>
 * Thread-safe: one lock guards the totals and the kick. Wakers run on the thread whose
 * subtraction fired the kick, after the lock is released; a waker must only schedule work (for
 * example hand {@code onKick} to the run's executor), never run a catch-up step inline.
 */
public final class CatchupBudget {

  /** nats-server's default {@code max_outstanding_catchup}: 64 MiB. */
  public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;

  private final long maxBytes;
  private final long maxMsgs;
  private long totalBytes;
  private long totalMsgs;
  /** Non-null while a kick is armed; the wakers waiting for it, in registration order. */
  private Set<Runnable> kick;

  /** A budget of {@code maxBytes} (0 means {@link #DEFAULT_MAX_BYTES}) and unlimited messages. */
  public CatchupBudget(long maxBytes) {
    this(maxBytes, 0);
  }

  /**
   * A budget of {@code maxBytes} and {@code maxMsgs} outstanding; 0 selects the default
   * ({@link #DEFAULT_MAX_BYTES}, unlimited messages).
   *
   * @throws IllegalArgumentException for a negative maximum ("jetstream max catchup cannot be
   *     negative", as nats-server's option check says)
   */
  public CatchupBudget(long maxBytes, long maxMsgs) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("jetstream max catchup cannot be negative");
    }
    if (maxMsgs < 0) {
      throw new IllegalArgumentException("jetstream max catchup messages cannot be negative");
    }
    this.maxBytes = maxBytes == 0 ? DEFAULT_MAX_BYTES : maxBytes;
    this.maxMsgs = maxMsgs == 0 ? Long.MAX_VALUE : maxMsgs;
  }

  /**
   * The check nats-server makes on a configuration reload: the maximum cannot change while the
   * server runs.
   *
   * @throws IllegalStateException "config reload not supported for JetStreamMaxCatchup:
   *     old=&lt;a&gt;, new=&lt;b&gt;" when the configured values differ
   */
  public static void checkReload(long oldConfigured, long newConfigured) {
    if (oldConfigured != newConfigured) {
      throw new IllegalStateException(
          "config reload not supported for JetStreamMaxCatchup: old="
              + oldConfigured
              + ", new="
              + newConfigured);
    }
  }

  /** The byte maximum in force. */
  public long maxBytes() {
    return maxBytes;
  }

  /** The message maximum in force ({@link Long#MAX_VALUE} when unlimited). */
  public long maxMsgs() {
    return maxMsgs;
  }

  /** Total outstanding bytes over every run (nats-server {@code gcbTotal}). */
  public synchronized long totalBytes() {
    return totalBytes;
  }

  /** Total outstanding messages over every run. */
  public synchronized long totalMsgs() {
    return totalMsgs;
  }

  /** Whether a run may send: totals at or below both maxima (nats-server {@code gcbBelowMax}). */
  public synchronized boolean belowMax() {
    return totalBytes <= maxBytes && totalMsgs <= maxMsgs;
  }

  /** Whether a kick is armed (the totals reached a maximum and have not dropped below since). */
  public synchronized boolean kickArmed() {
    return kick != null;
  }

  /**
   * Registers {@code waker} to run once when the armed kick fires.
   *
   * @return false, registering nothing, when no kick is armed (the totals are already below the
   *     maxima, so there is nothing to wait for)
   */
  public synchronized boolean awaitKick(Runnable waker) {
    if (kick == null) {
      return false;
    }
    kick.add(waker);
    return true;
  }

  /** Forgets a waker registered with {@link #awaitKick} (a run that ends while waiting). */
  public synchronized void cancelKick(Runnable waker) {
    if (kick != null) {
      kick.remove(waker);
    }
  }

  /** Opens the counter of one catch-up run. */
  public Outstanding open() {
    return new Outstanding();
  }

  private synchronized void addLocked(Outstanding o, long bytes, long msgs) {
    o.bytes += bytes;
    o.msgs += msgs;
    totalBytes += bytes;
    totalMsgs += msgs;
    if ((totalBytes >= maxBytes || totalMsgs >= maxMsgs) && kick == null) {
      kick = new LinkedHashSet<>();
    }
  }

  /** Subtracts under the lock; returns the wakers to run once the lock is released, or null. */
  private synchronized List<Runnable> subLocked(Outstanding o, long bytes, long msgs) {
    if (o.bytes == 0 && o.msgs == 0) {
      return null;
    }
    o.bytes -= bytes;
    o.msgs -= msgs;
    totalBytes -= bytes;
    totalMsgs -= msgs;
    if (kick != null && totalBytes < maxBytes && totalMsgs < maxMsgs) {
      List<Runnable> wake = new ArrayList<>(kick);
      kick = null;
      return wake;
    }
    return null;
  }

  /** Subtracts several acks at once when the counter covers them all; null wakers and false if not. */
  private synchronized Object subAllLocked(Outstanding o, long bytes, long msgs) {
    if (o.msgs < msgs) {
      return Boolean.FALSE;
    }
    List<Runnable> w = subLocked(o, bytes, msgs);
    return w == null ? Boolean.TRUE : w;
  }

  private static void wake(List<Runnable> wakers) {
    if (wakers != null) {
      for (Runnable r : wakers) {
        r.run();
      }
    }
  }

  /**
   * One catch-up run's share of the budget (nats-server's per-run {@code outb} pointer). Its
   * methods take the budget's lock; the run itself is single-threaded, acks may arrive on other
   * threads.
   */
  public final class Outstanding implements AutoCloseable {
    private long bytes;
    private long msgs;

    private Outstanding() {}

    /** Adds one sent message of {@code size} bytes (nats-server {@code gcbAdd}). */
    public void add(long size) {
      addLocked(this, size, 1);
    }

    /**
     * {@link #add} of one sent message of {@code size} bytes, then {@link #hasRoom} for the next,
     * under one acquisition of the lock (a run sending a stream of messages checks and adds once
     * per message).
     */
    public boolean addAndHasRoom(long size, long runMaxBytes, long runMaxMsgs) {
      synchronized (CatchupBudget.this) {
        addLocked(this, size, 1);
        return bytes <= runMaxBytes && msgs <= runMaxMsgs && totalBytes <= maxBytes
            && totalMsgs <= maxMsgs;
      }
    }

    /**
     * Subtracts one acknowledged message of {@code size} bytes (nats-server {@code gcbSub});
     * ignored once this counter is zero or closed. May fire the kick (see the class comment).
     */
    public void sub(long size) {
      wake(subLocked(this, size, 1));
    }

    /**
     * Whether the run may send another message: its own outstanding bytes and messages at or below
     * {@code runMaxBytes} and {@code runMaxMsgs}, and the server totals at or below the budget's
     * maxima ({@link #belowMax()}); all four checked under one lock.
     */
    public boolean hasRoom(long runMaxBytes, long runMaxMsgs) {
      synchronized (CatchupBudget.this) {
        return bytes <= runMaxBytes && msgs <= runMaxMsgs && totalBytes <= maxBytes
            && totalMsgs <= maxMsgs;
      }
    }

    /**
     * Subtracts {@code msgs} acknowledged messages totalling {@code size} bytes in one step, the
     * same as {@code msgs} calls of {@link #sub} when this counter holds at least {@code msgs}
     * messages (then true; the kick may fire). Otherwise (late or duplicated acks) it changes
     * nothing and returns false, so the caller subtracts them one at a time.
     */
    @SuppressWarnings("unchecked")
    public boolean subAll(long size, long msgs) {
      Object r = subAllLocked(this, size, msgs);
      if (r instanceof Boolean b) {
        return b;
      }
      wake((List<Runnable>) r);
      return true;
    }

    /** Bytes this run has outstanding. */
    public long bytes() {
      synchronized (CatchupBudget.this) {
        return bytes;
      }
    }

    /** Messages this run has outstanding. */
    public long msgs() {
      synchronized (CatchupBudget.this) {
        return msgs;
      }
    }

    /**
     * Returns everything still outstanding to the budget and zeroes this counter, so later acks
     * are no-ops (nats-server {@code gcbSubLast}). Idempotent.
     */
    @Override
    public void close() {
      List<Runnable> wakers;
      synchronized (CatchupBudget.this) {
        wakers = subLocked(this, bytes, msgs);
        bytes = 0;
        msgs = 0;
      }
      wake(wakers);
    }
  }
}
