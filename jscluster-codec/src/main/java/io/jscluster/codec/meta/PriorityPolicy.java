package io.jscluster.codec.meta;

import io.jscluster.codec.CodecException;

/** Consumer priority-group policy (Go {@code PriorityPolicy}). */
public enum PriorityPolicy {
  /** Go value 0, JSON {@code "none"}. */
  NONE(0, "none"),
  /** Go value 1, JSON {@code "overflow"}. */
  OVERFLOW(1, "overflow"),
  /** Go value 2, JSON {@code "pinned_client"}. */
  PINNED_CLIENT(2, "pinned_client"),
  /** Go value 3, JSON {@code "prioritized"}. */
  PRIORITIZED(3, "prioritized");

  private final int value;
  private final String json;

  PriorityPolicy(int value, String json) {
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
  public static PriorityPolicy ofValue(int value) {
    for (PriorityPolicy e : values()) {
      if (e.value == value) {
        return e;
      }
    }
    throw new CodecException("PriorityPolicy", -1, "unknown value " + value);
  }
}
