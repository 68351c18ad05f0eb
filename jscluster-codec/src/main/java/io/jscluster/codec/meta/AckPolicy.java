package io.jscluster.codec.meta;

import io.jscluster.codec.CodecException;

/** How a consumer expects acks (Go {@code AckPolicy}). */
public enum AckPolicy {
  /** Go value 0, JSON {@code "none"}. */
  NONE(0, "none"),
  /** Go value 1, JSON {@code "all"}. */
  ALL(1, "all"),
  /** Go value 2, JSON {@code "explicit"}. */
  EXPLICIT(2, "explicit"),
  /** Go value 3, JSON {@code "flow_control"}. */
  FLOW_CONTROL(3, "flow_control");

  private final int value;
  private final String json;

  AckPolicy(int value, String json) {
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
  public static AckPolicy ofValue(int value) {
    for (AckPolicy e : values()) {
      if (e.value == value) {
        return e;
      }
    }
    throw new CodecException("AckPolicy", -1, "unknown value " + value);
  }
}
