package io.jscluster.codec.meta;

import io.jscluster.codec.CodecException;

/** How a consumer replays messages (Go {@code ReplayPolicy}). */
public enum ReplayPolicy {
  /** Go value 0, JSON {@code "instant"}. */
  INSTANT(0, "instant"),
  /** Go value 1, JSON {@code "original"}. */
  ORIGINAL(1, "original");

  private final int value;
  private final String json;

  ReplayPolicy(int value, String json) {
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
  public static ReplayPolicy ofValue(int value) {
    for (ReplayPolicy e : values()) {
      if (e.value == value) {
        return e;
      }
    }
    throw new CodecException("ReplayPolicy", -1, "unknown value " + value);
  }
}
