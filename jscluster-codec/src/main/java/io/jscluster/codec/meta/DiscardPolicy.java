package io.jscluster.codec.meta;

import io.jscluster.codec.CodecException;

/** What a full stream discards (Go {@code DiscardPolicy}); decoding ignores case, as Go does. */
public enum DiscardPolicy {
  /** Go value 0, JSON {@code "old"}. */
  OLD(0, "old"),
  /** Go value 1, JSON {@code "new"}. */
  NEW(1, "new");

  private final int value;
  private final String json;

  DiscardPolicy(int value, String json) {
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
  public static DiscardPolicy ofValue(int value) {
    for (DiscardPolicy e : values()) {
      if (e.value == value) {
        return e;
      }
    }
    throw new CodecException("DiscardPolicy", -1, "unknown value " + value);
  }
}
