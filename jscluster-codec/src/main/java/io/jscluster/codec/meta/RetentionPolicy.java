package io.jscluster.codec.meta;

import io.jscluster.codec.CodecException;

/** Stream retention (Go {@code RetentionPolicy}). */
public enum RetentionPolicy {
  /** Go value 0, JSON {@code "limits"}. */
  LIMITS(0, "limits"),
  /** Go value 1, JSON {@code "interest"}. */
  INTEREST(1, "interest"),
  /** Go value 2, JSON {@code "workqueue"}. */
  WORK_QUEUE(2, "workqueue");

  private final int value;
  private final String json;

  RetentionPolicy(int value, String json) {
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
  public static RetentionPolicy ofValue(int value) {
    for (RetentionPolicy e : values()) {
      if (e.value == value) {
        return e;
      }
    }
    throw new CodecException("RetentionPolicy", -1, "unknown value " + value);
  }
}
