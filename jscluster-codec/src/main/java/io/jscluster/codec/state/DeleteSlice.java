package io.jscluster.codec.state;

import java.util.Arrays;
import java.util.function.LongPredicate;

/**
 * An explicit ascending list of deleted sequences. Only the legacy JSON snapshot produces it; the
 * binary snapshot never carries one.
 *
 * @param seqs the deleted sequences; the record keeps the array as given, so callers must not
 *     modify it afterwards
 */
public record DeleteSlice(long[] seqs) implements DeleteBlock {

  /** Creates a slice; {@code seqs} must not be null. */
  public DeleteSlice {
    if (seqs == null) {
      throw new NullPointerException("seqs");
    }
  }

  @Override
  public long first() {
    return seqs.length == 0 ? 0 : seqs[0];
  }

  @Override
  public long last() {
    return seqs.length == 0 ? 0 : seqs[seqs.length - 1];
  }

  @Override
  public long num() {
    return seqs.length;
  }

  @Override
  public boolean forEach(LongPredicate f) {
    for (long s : seqs) {
      if (!f.test(s)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeleteSlice other && Arrays.equals(seqs, other.seqs);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(seqs);
  }

  @Override
  public String toString() {
    return "DeleteSlice" + Arrays.toString(seqs);
  }
}
