package io.jscluster.codec.meta;

import io.jscluster.codec.CodecException;

/** Where a stream or group stores data (Go {@code StorageType}). {@link #UNSPECIFIED} is Go's zero value, which Go refuses to marshal. */
public enum StorageType {
  /** Go value 0, not encodable. */
  UNSPECIFIED(0, null),
  /** Go value 22, JSON {@code "file"}. */
  FILE(22, "file"),
  /** Go value 33, JSON {@code "memory"}. */
  MEMORY(33, "memory");

  private final int value;
  private final String json;

  StorageType(int value, String json) {
    this.value = value;
    this.json = json;
  }

  /** The Go integer value. */
  public int value() {
    return value;
  }

  /** The JSON string Go writes, without quotes, or null if Go cannot marshal this value. */
  public String json() {
    return json;
  }

  /**
   * The constant with Go value {@code value}.
   *
   * @throws CodecException if no constant has that value
   */
  public static StorageType ofValue(int value) {
    for (StorageType e : values()) {
      if (e.value == value) {
        return e;
      }
    }
    throw new CodecException("StorageType", -1, "unknown value " + value);
  }
}
