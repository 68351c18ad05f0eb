package io.jscluster.codec.meta;

import io.jscluster.codec.CodecException;

/** Stream store compression (Go {@code StoreCompression}); its JSON string may be escaped. */
public enum StoreCompression {
  /** Go value 0, JSON {@code "none"}. */
  NONE(0, "none"),
  /** Go value 1, JSON {@code "s2"}. */
  S2(1, "s2");

  private final int value;
  private final String json;

  StoreCompression(int value, String json) {
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
  public static StoreCompression ofValue(int value) {
    for (StoreCompression e : values()) {
      if (e.value == value) {
        return e;
      }
    }
    throw new CodecException("StoreCompression", -1, "unknown value " + value);
  }
}
