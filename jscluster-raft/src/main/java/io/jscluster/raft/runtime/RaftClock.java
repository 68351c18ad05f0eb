package io.jscluster.raft.runtime;

/**
 * The time source of an event loop, in the core's unit (milliseconds, monotonic). Tests inject a
 * manual clock; production uses {@link #system()}.
 */
@FunctionalInterface
public interface RaftClock {

  /** The current time in milliseconds; never decreases. */
  long millis();

  /**
   * A clock on {@link System#nanoTime()}, reading 1 at creation. Starting near zero keeps the core's
   * "never heard" sentinels (negative values) unambiguous whatever the JVM's nanoTime origin is.
   */
  static RaftClock system() {
    final long origin = System.nanoTime();
    return () -> (System.nanoTime() - origin) / 1_000_000L + 1;
  }
}
