package io.jscluster.raft.sim;

import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * A single-threaded discrete-event loop in virtual time with one seeded random generator. Events
 * at the same virtual time run in scheduling order, so a run is a pure function of its seed and
 * its inputs. Every event can contribute to a running trace hash that two runs can be compared by.
 */
public final class Simulation {

  private record Event(long at, long seq, Runnable action) implements Comparable<Event> {
    @Override
    public int compareTo(Event o) {
      int c = Long.compare(at, o.at);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private final long seed;
  private final Random random;
  private final PriorityQueue<Event> events = new PriorityQueue<>();
  private long now;
  private long seq;
  private long executed;
  private long trace = 0xcbf29ce484222325L;

  /** A simulation whose every random choice derives from {@code seed}. */
  public Simulation(long seed) {
    this.seed = seed;
    this.random = new Random(seed);
  }

  /** The seed. */
  public long seed() {
    return seed;
  }

  /** Current virtual time in milliseconds. */
  public long now() {
    return now;
  }

  /** The simulation's random generator (the only randomness a simulated run may use). */
  public Random random() {
    return random;
  }

  /** Number of events executed so far. */
  public long executedEvents() {
    return executed;
  }

  /** Schedules {@code action} at virtual time {@code at} (clamped to now). */
  public void schedule(long at, Runnable action) {
    events.add(new Event(Math.max(at, now), seq++, action));
  }

  /** Schedules {@code action} {@code delay} ms from now. */
  public void after(long delay, Runnable action) {
    schedule(now + delay, action);
  }

  /** Runs events until the queue is empty or the next is after {@code time}; then sets now = time. */
  public void runUntil(long time) {
    while (!events.isEmpty() && events.peek().at() <= time) {
      step();
    }
    now = Math.max(now, time);
  }

  /** Runs for {@code duration} ms of virtual time. */
  public void runFor(long duration) {
    runUntil(now + duration);
  }

  /**
   * Runs until {@code condition} holds (checked after every event) or {@code maxDuration} of virtual
   * time passed; returns whether it holds.
   */
  public boolean runUntil(BooleanSupplier condition, long maxDuration) {
    long deadline = now + maxDuration;
    if (condition.getAsBoolean()) {
      return true;
    }
    while (!events.isEmpty() && events.peek().at() <= deadline) {
      step();
      if (condition.getAsBoolean()) {
        return true;
      }
    }
    now = Math.max(now, deadline);
    return condition.getAsBoolean();
  }

  private void step() {
    Event e = events.poll();
    now = e.at();
    executed++;
    e.action().run();
  }

  /** Mixes {@code value} into the trace hash (FNV-1a over the value's bytes). */
  public void trace(long value) {
    long h = trace;
    for (int i = 0; i < 8; i++) {
      h ^= (value >>> (8 * i)) & 0xFF;
      h *= 0x100000001b3L;
    }
    trace = h;
  }

  /** Mixes a string into the trace hash. */
  public void trace(String s) {
    trace(s.hashCode());
    trace(s.length());
  }

  /** Mixes a byte array into the trace hash. */
  public void trace(byte[] b) {
    trace(java.util.Arrays.hashCode(b));
    trace(b.length);
  }

  /** The trace hash of everything traced so far. */
  public long traceHash() {
    return trace;
  }
}
