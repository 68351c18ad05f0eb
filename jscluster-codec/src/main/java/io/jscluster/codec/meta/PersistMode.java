package io.jscluster.codec.meta;

import io.jscluster.codec.CodecException;

/** Stream persistence mode (Go {@code PersistModeType}); {@code ""} decodes as {@link #DEFAULT}. */
public enum PersistMode {
  /** Go value 0, JSON {@code "default"}. */
  DEFAULT(0, "default"),
  /** Go value 1, JSON {@code "async"}. */
  ASYNC(1, "async");

  private final int value;
  private final String json;

  PersistMode(int value, String json) {
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
  public static PersistMode ofValue(int value) {
    for (PersistMode e : values()) {
      if (e.value == value) {
        return e;
      }
    }
    throw new CodecException("PersistMode", -1, "unknown value " + value);
  }
}
