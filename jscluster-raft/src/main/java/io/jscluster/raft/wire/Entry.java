package io.jscluster.raft.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of an append-entry batch: a type and a payload that is the range {@code [offset,
 * offset + length)} of {@code array}. Equality compares type and payload content.
 *
 * <p><b>Views.</b> {@link RaftCodec#decodeAppendEntry(byte[], int, int)} returns entries that are
 * views over the received message array, not copies: a follower stores that same array in its
 * log, so each payload byte is held once. The contract that makes this safe:
 *
 * <ul>
 *   <li>Nobody modifies an array once an entry refers to it: not the entry's creator, not its
 *       readers. Message payloads, log records and proposal arrays are all immutable by their own
 *       contracts (see {@link io.jscluster.raft.transport.MessageHandler}, {@link
 *       io.jscluster.raft.log.RaftLog#append}).
 *   <li>Decoding a pooled or otherwise reusable buffer ({@link
 *       RaftCodec#decodeAppendEntry(io.netty.buffer.ByteBuf)}) first copies its bytes into a fresh
 *       array, so an entry never refers to memory that can be recycled.
 *   <li>A view keeps its whole backing array reachable (for a decoded batch: every entry of the
 *       batch). Code that keeps an entry's payload beyond the call that handed it out, for
 *       example in a cache or a store, should keep {@link #copy()} (or {@link #data()}) instead,
 *       so it pins only its own bytes.
 * </ul>
 *
 * <p>Hot paths read the payload in place with {@link #array()}, {@link #offset()} and {@link
 * #length()}; {@link #data()} returns an exact-length array and copies when the entry is a view.
 *
 * @param type the entry type
 * @param array the array holding the payload (never null)
 * @param offset where the payload starts in {@code array}
 * @param length the payload length in bytes
 */
public record Entry(EntryType type, byte[] array, int offset, int length) {

  private static final byte[] EMPTY = new byte[0];

  /** Checks the range; a null array stands for an empty payload. */
  public Entry {
    Objects.requireNonNull(type, "type");
    if (array == null) {
      array = EMPTY;
    }
    Objects.checkFromIndexSize(offset, length, array.length);
  }

  /** An entry owning all of {@code data} (null for an empty payload). The array is not copied. */
  public Entry(EntryType type, byte[] data) {
    this(type, data, 0, data == null ? 0 : data.length);
  }

  /** A {@link EntryType#NORMAL} entry owning all of {@code data}. */
  public static Entry normal(byte[] data) {
    return new Entry(EntryType.NORMAL, data);
  }

  /**
   * The payload as an exact-length array: the backing array itself when this entry spans all of
   * it, otherwise a new copy on every call. Must not be modified.
   */
  public byte[] data() {
    if (offset == 0 && length == array.length) {
      return array;
    }
    return Arrays.copyOfRange(array, offset, offset + length);
  }

  /** True when the payload is a part of a larger array (as decoded entries are). */
  public boolean isView() {
    return offset != 0 || length != array.length;
  }

  /** This entry with a payload of its own: itself if it is not a view, else a copy. */
  public Entry copy() {
    return isView() ? new Entry(type, data()) : this;
  }

  /** The same payload under another type (no copy). */
  public Entry withType(EntryType newType) {
    return newType == type ? this : new Entry(newType, array, offset, length);
  }

  /** Payload byte {@code i} ({@code 0 <= i < length()}). */
  public byte byteAt(int i) {
    Objects.checkIndex(i, length);
    return array[offset + i];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Entry e && e.type == type
        && Arrays.equals(e.array, e.offset, e.offset + e.length, array, offset, offset + length);
  }

  @Override
  public int hashCode() {
    int h = 1;
    for (int i = offset, end = offset + length; i < end; i++) {
      h = 31 * h + array[i];
    }
    return type.hashCode() * 31 + h;
  }

  @Override
  public String toString() {
    return "Entry[" + type + ", " + length + " bytes]";
  }
}
