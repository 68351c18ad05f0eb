package io.jscluster.codec.meta;

import io.jscluster.codec.CodecException;

/** Where a consumer starts (Go {@code DeliverPolicy}); {@code "undefined"} decodes as {@link #ALL}. */
public enum DeliverPolicy {
  /** Go value 0, JSON {@code "all"}. */
  ALL(0, "all"),
  /** Go value 1, JSON {@code "last"}. */
  LAST(1, "last"),
  /** Go value 2, JSON {@code "new"}. */
  NEW(2, "new"),
  /** Go value 3, JSON {@code "by_start_sequence"}. */
  BY_START_SEQUENCE(3, "by_start_sequence"),
  /** Go value 4, JSON {@code "by_start_time"}. */
  BY_START_TIME(4, "by_start_time"),
  /** Go value 5, JSON {@code "last_per_subject"}. */
  LAST_PER_SUBJECT(5, "last_per_subject");

  private final int value;
  private final String json;

  DeliverPolicy(int value, String json) {
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
  public static DeliverPolicy ofValue(int value) {
    for (DeliverPolicy e : values()) {
      if (e.value == value) {
        return e;
      }
    }
    throw new CodecException("DeliverPolicy", -1, "unknown value " + value);
  }
}
