package io.jscluster.codec.json;

import io.jscluster.codec.CodecException;
import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Go's {@code time.Time} JSON form: RFC 3339 with up to nine fractional digits, trailing zeros
 * trimmed, {@code Z} for a zero offset and {@code ±hh:mm} otherwise. The zero time is
 * {@code 0001-01-01T00:00:00Z}.
 *
 * <p>Java keeps the offset and nanoseconds in {@link OffsetDateTime}, so a decoded time
 * re-encodes to the same text (a {@code +00:00} input comes back as {@code Z}, as in Go).
 */
public final class GoTime {

  /** Go's zero {@code time.Time}. */
  public static final OffsetDateTime ZERO = OffsetDateTime.of(1, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

  private GoTime() {}

  /** Whether {@code t} is Go's zero time (the instant, whatever the offset: Go's IsZero). */
  public static boolean isZero(OffsetDateTime t) {
    return t == null || t.toInstant().equals(ZERO.toInstant());
  }

  /** Formats as Go's MarshalJSON would, without quotes. */
  public static String format(OffsetDateTime t) {
    GoJsonWriter w = new GoJsonWriter(40);
    append(w, t);
    return new String(w.array(), 0, w.size(), java.nio.charset.StandardCharsets.US_ASCII);
  }

  static void append(GoJsonWriter w, OffsetDateTime t) {
    if (t == null) {
      t = ZERO;
    }
    int year = t.getYear();
    if (year < 0 || year > 9999) {
      throw new CodecException("time", -1, "year " + year + " outside of range [0,9999]");
    }
    w.putDigits(year, 4);
    w.put((byte) '-');
    w.putDigits(t.getMonthValue(), 2);
    w.put((byte) '-');
    w.putDigits(t.getDayOfMonth(), 2);
    w.put((byte) 'T');
    w.putDigits(t.getHour(), 2);
    w.put((byte) ':');
    w.putDigits(t.getMinute(), 2);
    w.put((byte) ':');
    w.putDigits(t.getSecond(), 2);
    int nanos = t.getNano();
    if (nanos != 0) {
      int digits = 9;
      while (nanos % 10 == 0) {
        nanos /= 10;
        digits--;
      }
      w.put((byte) '.');
      w.putDigits(nanos, digits);
    }
    int offsetMinutes = t.getOffset().getTotalSeconds() / 60;
    if (offsetMinutes == 0) {
      w.put((byte) 'Z');
    } else {
      w.put((byte) (offsetMinutes < 0 ? '-' : '+'));
      int abs = Math.abs(offsetMinutes);
      w.putDigits(abs / 60, 2);
      w.put((byte) ':');
      w.putDigits(abs % 60, 2);
    }
  }

  /** Parses RFC 3339 text (no quotes) as Go's strict {@code time.Time.UnmarshalJSON} does. */
  public static OffsetDateTime parse(String text) {
    byte[] b = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return parse(b, 0, b.length, "time", 0);
  }

  /**
   * Parses {@code len} bytes at {@code off} (the text between the quotes).
   *
   * @throws CodecException naming {@code field} and {@code baseOffset} when the text is not a
   *     valid RFC 3339 time
   */
  public static OffsetDateTime parse(byte[] b, int off, int len, String field, long baseOffset) {
    // Fixed part: YYYY-MM-DDTHH:MM:SS, then optional fraction, then Z or ±hh:mm.
    if (len < 20 || b[off + 4] != '-' || b[off + 7] != '-' || b[off + 10] != 'T'
        || b[off + 13] != ':' || b[off + 16] != ':') {
      throw bad(field, baseOffset, "not an RFC 3339 time");
    }
    int year = digits(b, off, 4, field, baseOffset);
    int month = digits(b, off + 5, 2, field, baseOffset);
    int day = digits(b, off + 8, 2, field, baseOffset);
    int hour = digits(b, off + 11, 2, field, baseOffset);
    int minute = digits(b, off + 14, 2, field, baseOffset);
    int second = digits(b, off + 17, 2, field, baseOffset);
    if (hour > 23 || minute > 59 || second > 59) {
      throw bad(field, baseOffset, "time of day out of range");
    }
    int p = off + 19;
    int end = off + len;
    int nanos = 0;
    // Go's strict parser accepts only '.' before the fraction.
    if (b[p] == '.') {
      p++;
      int start = p;
      int scale = 100_000_000;
      while (p < end && b[p] >= '0' && b[p] <= '9') {
        nanos += (b[p] - '0') * scale;
        scale /= 10;
        p++;
      }
      if (p == start) {
        throw bad(field, baseOffset, "empty fractional second");
      }
    }
    if (p >= end) {
      throw bad(field, baseOffset, "missing time zone");
    }
    int offsetSeconds;
    if (b[p] == 'Z' && p + 1 == end) {
      offsetSeconds = 0;
    } else if ((b[p] == '+' || b[p] == '-') && p + 6 == end && b[p + 3] == ':') {
      int oh = digits(b, p + 1, 2, field, baseOffset);
      int om = digits(b, p + 4, 2, field, baseOffset);
      if (oh > 23 || om > 59) {
        throw bad(field, baseOffset, "time zone offset out of range");
      }
      offsetSeconds = (oh * 60 + om) * 60 * (b[p] == '-' ? -1 : 1);
    } else {
      throw bad(field, baseOffset, "bad time zone");
    }
    try {
      // ZoneOffset allows at most ±18:00; Go accepts up to ±23:59.
      return OffsetDateTime.of(year, month, day, hour, minute, second, nanos,
          ZoneOffset.ofTotalSeconds(offsetSeconds));
    } catch (DateTimeException e) {
      throw new CodecException(field, baseOffset, "invalid time: " + e.getMessage(), e);
    }
  }

  private static int digits(byte[] b, int off, int n, String field, long baseOffset) {
    int v = 0;
    for (int i = 0; i < n; i++) {
      int d = b[off + i] - '0';
      if (d < 0 || d > 9) {
        throw bad(field, baseOffset, "non-digit in time");
      }
      v = v * 10 + d;
    }
    return v;
  }

  private static CodecException bad(String field, long offset, String msg) {
    return new CodecException(field, offset, msg);
  }
}
