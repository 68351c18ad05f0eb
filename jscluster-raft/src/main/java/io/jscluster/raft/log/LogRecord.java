package io.jscluster.raft.log;

import java.util.Objects;

/**
 * One stored log record: the term of the append-entry batch at {@code index} and its encoded
 * bytes.
 *
 * <p>The array is shared, not copied: neither the log nor the reader may modify it. Equality is by
 * identity of the array, as for every record holding an array; compare contents with {@link
 * java.util.Arrays#equals(byte[], byte[])}.
 *
 * @param index the log index (1-based)
 * @param term the term of the batch stored at this index
 * @param data the opaque encoded batch
 */
public record LogRecord(long index, long term, byte[] data) {

  /** Checks that the index is positive and the data present. */
  public LogRecord {
    if (index <= 0) {
      throw new IllegalArgumentException("index must be positive: " + index);
    }
    Objects.requireNonNull(data, "data");
  }
}
