package io.jscluster.raft.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of an append-entry batch. The data array is shared, not copied; nobody may modify it
 * after construction. Equality compares the data by content.
 *
 * @param type the entry type
 * @param data the entry payload (never null; empty for none)
 */
public record Entry(EntryType type, byte[] data) {

  private static final byte[] EMPTY = new byte[0];

  /** Replaces a null payload by an empty one. */
  public Entry {
    Objects.requireNonNull(type, "type");
    data = data == null ? EMPTY : data;
  }

  /** A {@link EntryType#NORMAL} entry. */
  public static Entry normal(byte[] data) {
    return new Entry(EntryType.NORMAL, data);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Entry e && e.type == type && Arrays.equals(e.data, data);
  }

  @Override
  public int hashCode() {
    return type.hashCode() * 31 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "Entry[" + type + ", " + data.length + " bytes]";
  }
}
