package io.jscluster.testing;

/**
 * The seeds a randomised campaign runs, from {@code -Djscluster.sim.seedStart} and
 * {@code -Djscluster.sim.seeds}. A count of zero (the build's default) means "use the test's own
 * default", so each campaign sizes itself for CI while any other range can be replayed from the
 * command line.
 *
 * @param start first seed
 * @param count number of consecutive seeds
 */
public record SeedRange(long start, int count) {

  /** Reads the range, falling back to {@code defaultCount} seeds from 1 when none is set. */
  public static SeedRange fromSystemProperties(int defaultCount) {
    long start = Long.getLong("jscluster.sim.seedStart", 1L);
    int count = Integer.getInteger("jscluster.sim.seeds", 0);
    return new SeedRange(start, count > 0 ? count : defaultCount);
  }

  /** The seed at position {@code i} of the range. */
  public long seed(int i) {
    return start + i;
  }
}
