package io.jscluster.codec.state;

import java.util.function.LongPredicate;

/**
 * A run of {@code num} deleted sequences starting at {@code first} (run-length delete block,
 * magic 33 in a stream snapshot). Both values are unsigned.
 *
 * @param first the first deleted sequence
 * @param num how many consecutive sequences are deleted
 */
public record DeleteRange(long first, long num) implements DeleteBlock {

  /** First byte of an encoded run-length block. */
  public static final byte MAGIC = 33;

  /** {@code first + max(num, 1) - 1}, wrapping like the Go uint64 arithmetic. */
  @Override
  public long last() {
    return first + (num == 0 ? 0 : num - 1);
  }

  @Override
  public boolean forEach(LongPredicate f) {
    long end = first + num;
    for (long seq = first; Long.compareUnsigned(seq, end) < 0; seq++) {
      if (!f.test(seq)) {
        return false;
      }
    }
    return true;
  }
}
