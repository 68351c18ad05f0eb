package io.jscluster.codec.ops;

/**
 * A run of deleted sequences {@code first .. first+num-1} (Go {@code DeleteRange}, op 15). Both
 * values are uint64 bits.
 *
 * @param first first deleted sequence
 * @param num number of deleted sequences
 */
public record DeleteRange(long first, long num) {

  /** Go's {@code DeleteRange.State()}: first, last and count of the range. */
  public State state() {
    long afterFirst = num == 0 ? 0 : num - 1;
    // uint64 arithmetic: wraps exactly as Go's does.
    return new State(first, first + afterFirst, num);
  }

  /**
   * What {@link #state()} returns.
   *
   * @param first first sequence
   * @param last {@code first + max(num, 1) - 1}, wrapping at 2^64
   * @param num number of sequences
   */
  public record State(long first, long last, long num) {}
}
