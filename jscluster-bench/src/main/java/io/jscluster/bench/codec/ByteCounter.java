package io.jscluster.bench.codec;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Counts the bytes each benchmark operation processed, so JMH reports them as a rate next to the
 * operation rate: the {@code bytes} row of a throughput run is bytes per second.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class ByteCounter {

  /** Bytes processed in the current iteration (JMH turns this into bytes/s). */
  public long bytes;

  /** Starts every iteration from zero. */
  @Setup(Level.Iteration)
  public void reset() {
    bytes = 0;
  }
}
