package io.jscluster.codec.json;

import io.jscluster.codec.CodecException;
import io.netty.buffer.ByteBuf;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Writes JSON byte for byte as Go's {@code encoding/json} does (Go 1.22 and later, the toolchain
 * nats-server is built with).
 *
 * <p>Members come out in the order the caller writes them, which is how Go orders struct
 * fields. The {@code *Omit} helpers implement {@code omitempty}. Strings are written as raw UTF-8
 * with Go's escaping: {@code <}, {@code >}, {@code &}, U+2028 and U+2029 become six-character
 * {@code \\u} escapes;
 * {@code "} and {@code \\} are backslash-escaped; control characters become {@code \\n},
 * {@code \\r}, {@code \\t}, {@code \\b}, {@code \\f} or {@code \\u00XX}; an unpaired surrogate
 * becomes {@code \\ufffd} (Go's replacement for invalid UTF-8). Numbers cover the full signed and
 * unsigned 64-bit range, times are RFC 3339 ({@link GoTime}), durations are integer nanoseconds,
 * byte slices are standard base64, and maps are written with keys sorted by their UTF-8 bytes.
 *
 * <p>A writer is not thread-safe. It owns a growable array; {@link #reset()} reuses it.
 */
public final class GoJsonWriter {

  private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final byte[] NULL = {'n', 'u', 'l', 'l'};
  private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
  private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
  /** Largest array the JVM reliably allocates. */
  private static final int MAX_CAPACITY = Integer.MAX_VALUE - 16;

  private byte[] buf;
  private int len;
  private boolean needComma;

  /** Creates a writer with a small initial buffer. */
  public GoJsonWriter() {
    this(256);
  }

  /** Creates a writer whose buffer starts at {@code initialCapacity} bytes. */
  public GoJsonWriter(int initialCapacity) {
    this.buf = new byte[Math.max(16, initialCapacity)];
  }

  /** Forgets everything written so far, keeping the buffer for reuse. */
  public GoJsonWriter reset() {
    len = 0;
    needComma = false;
    return this;
  }

  /** Number of bytes written so far. */
  public int size() {
    return len;
  }

  /** A copy of the bytes written so far. */
  public byte[] toByteArray() {
    return java.util.Arrays.copyOf(buf, len);
  }

  /** The internal buffer; only the first {@link #size()} bytes are meaningful. */
  public byte[] array() {
    return buf;
  }

  /**
   * Copies the bytes written so far to {@code out} at its writer index. The caller keeps
   * ownership of {@code out}: nothing is retained or released.
   */
  public void writeTo(ByteBuf out) {
    out.writeBytes(buf, 0, len);
  }

  // ---------------------------------------------------------------- raw bytes outside JSON

  /** Appends one raw byte (an op code, or the newline {@code json.Encoder} adds). */
  public GoJsonWriter rawByte(int b) {
    ensure(1);
    buf[len++] = (byte) b;
    return this;
  }

  // ---------------------------------------------------------------- structure

  /** Starts an object (as a value: a comma is written first when needed). */
  public GoJsonWriter beginObject() {
    comma();
    put((byte) '{');
    needComma = false;
    return this;
  }

  /** Ends the current object. */
  public GoJsonWriter endObject() {
    put((byte) '}');
    needComma = true;
    return this;
  }

  /** Starts an array. */
  public GoJsonWriter beginArray() {
    comma();
    put((byte) '[');
    needComma = false;
    return this;
  }

  /** Ends the current array. */
  public GoJsonWriter endArray() {
    put((byte) ']');
    needComma = true;
    return this;
  }

  /** Writes a member name; the next call writes its value. The name is escaped like a string. */
  public GoJsonWriter name(String name) {
    comma();
    writeQuoted(name);
    put((byte) ':');
    needComma = false;
    return this;
  }

  // ---------------------------------------------------------------- values

  /** Writes {@code null}. */
  public GoJsonWriter nullValue() {
    comma();
    put(NULL);
    needComma = true;
    return this;
  }

  /** Writes a string with Go's escaping; {@code null} is written as {@code ""}. */
  public GoJsonWriter value(String s) {
    comma();
    writeQuoted(s == null ? "" : s);
    needComma = true;
    return this;
  }

  /** Writes a boolean. */
  public GoJsonWriter value(boolean b) {
    comma();
    put(b ? TRUE : FALSE);
    needComma = true;
    return this;
  }

  /** Writes a signed 64-bit integer (Go {@code int}, {@code int64}, {@code time.Duration}). */
  public GoJsonWriter value(long v) {
    comma();
    writeSigned(v);
    needComma = true;
    return this;
  }

  /** Writes the bits of {@code v} as an unsigned 64-bit integer (Go {@code uint64}). */
  public GoJsonWriter unsignedValue(long v) {
    comma();
    writeUnsigned(v);
    needComma = true;
    return this;
  }

  /**
   * Writes a time as Go's {@code time.Time.MarshalJSON} does.
   *
   * @throws CodecException if the year is outside 0..9999, which Go refuses to marshal
   */
  public GoJsonWriter timeValue(OffsetDateTime t) {
    comma();
    put((byte) '"');
    GoTime.append(this, t);
    put((byte) '"');
    needComma = true;
    return this;
  }

  /** Writes a byte slice as Go does: standard base64 with padding, {@code null} for nil. */
  public GoJsonWriter bytesValue(byte[] b) {
    if (b == null) {
      return nullValue();
    }
    comma();
    put((byte) '"');
    put(Base64.getEncoder().encode(b));
    put((byte) '"');
    needComma = true;
    return this;
  }

  /**
   * Writes an already-encoded JSON value the way Go writes a {@code json.RawMessage}: compacted
   * (insignificant whitespace removed) and with {@code <}, {@code >}, {@code &}, U+2028 and
   * U+2029 escaped inside strings.
   *
   * @throws CodecException if {@code json} is not exactly one valid JSON value
   */
  public GoJsonWriter rawValue(byte[] json) {
    // Validate first so a bad raw value never leaves half a document behind.
    GoJsonReader check = new GoJsonReader(json, 0, json.length, 0);
    check.skipValue("raw");
    check.expectEnd("raw");
    comma();
    compactEscaped(json);
    needComma = true;
    return this;
  }

  // ---------------------------------------------------------------- member helpers

  /** {@code "name":"value"}, always written. */
  public GoJsonWriter str(String name, String value) {
    return name(name).value(value);
  }

  /** {@code "name":"value"}, omitted when empty ({@code omitempty}). */
  public GoJsonWriter strOmit(String name, String value) {
    return value == null || value.isEmpty() ? this : str(name, value);
  }

  /** A signed integer member, always written. */
  public GoJsonWriter i64(String name, long value) {
    return name(name).value(value);
  }

  /** A signed integer member, omitted when zero. */
  public GoJsonWriter i64Omit(String name, long value) {
    return value == 0 ? this : i64(name, value);
  }

  /** An unsigned 64-bit member, always written. */
  public GoJsonWriter u64(String name, long value) {
    return name(name).unsignedValue(value);
  }

  /** An unsigned 64-bit member, omitted when zero. */
  public GoJsonWriter u64Omit(String name, long value) {
    return value == 0 ? this : u64(name, value);
  }

  /** A boolean member, always written. */
  public GoJsonWriter bool(String name, boolean value) {
    return name(name).value(value);
  }

  /** A boolean member, omitted when false. */
  public GoJsonWriter boolOmit(String name, boolean value) {
    return value ? bool(name, true) : this;
  }

  /** A {@code time.Time} member: always written (omitempty never drops a struct). */
  public GoJsonWriter time(String name, OffsetDateTime value) {
    return name(name).timeValue(value == null ? GoTime.ZERO : value);
  }

  /** A {@code *time.Time} member with omitempty: omitted only when {@code null}. */
  public GoJsonWriter timePtrOmit(String name, OffsetDateTime value) {
    return value == null ? this : name(name).timeValue(value);
  }

  /** A {@code []string} member without omitempty: {@code null} for a nil slice. */
  public GoJsonWriter strList(String name, List<String> values) {
    name(name);
    return strListValue(values);
  }

  /** A {@code []string} member with omitempty: omitted when nil or empty. */
  public GoJsonWriter strListOmit(String name, List<String> values) {
    return values == null || values.isEmpty() ? this : strList(name, values);
  }

  /** A {@code []string} value: {@code null} for a nil slice. */
  public GoJsonWriter strListValue(List<String> values) {
    if (values == null) {
      return nullValue();
    }
    beginArray();
    for (String s : values) {
      value(s);
    }
    return endArray();
  }

  /** A {@code []int64} / {@code []time.Duration} member with omitempty. */
  public GoJsonWriter i64ListOmit(String name, List<Long> values) {
    if (values == null || values.isEmpty()) {
      return this;
    }
    name(name).beginArray();
    for (Long v : values) {
      value(v == null ? 0L : v);
    }
    return endArray();
  }

  /** A {@code []uint64} value: {@code null} for a nil slice. */
  public GoJsonWriter u64ListValue(List<Long> values) {
    if (values == null) {
      return nullValue();
    }
    beginArray();
    for (Long v : values) {
      unsignedValue(v == null ? 0L : v);
    }
    return endArray();
  }

  /** A {@code map[string]string} member with omitempty, keys sorted as Go sorts them. */
  public GoJsonWriter strMapOmit(String name, Map<String, String> map) {
    if (map == null || map.isEmpty()) {
      return this;
    }
    name(name).beginObject();
    for (String k : sortedKeys(map.keySet())) {
      str(k, map.get(k));
    }
    return endObject();
  }

  /** A {@code map[string]uint64} member with omitempty, keys sorted as Go sorts them. */
  public GoJsonWriter strU64MapOmit(String name, Map<String, Long> map) {
    if (map == null || map.isEmpty()) {
      return this;
    }
    name(name).beginObject();
    for (String k : sortedKeys(map.keySet())) {
      Long v = map.get(k);
      u64(k, v == null ? 0L : v);
    }
    return endObject();
  }

  /**
   * Keys in the order Go writes map members: by their UTF-8 bytes, which is code point order (not
   * Java's UTF-16 order). Integer keys must be passed in their decimal string form.
   */
  public static List<String> sortedKeys(Collection<String> keys) {
    List<String> sorted = new ArrayList<>(keys);
    sorted.sort(GoJsonWriter::compareUtf8);
    return sorted;
  }

  /** Compares two strings by their UTF-8 encodings (equivalently, by code points). */
  public static int compareUtf8(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  // ---------------------------------------------------------------- internals

  private void comma() {
    if (needComma) {
      put((byte) ',');
      needComma = false;
    }
  }

  void put(byte b) {
    ensure(1);
    buf[len++] = b;
  }

  void put(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
  }

  /** Writes {@code n} as exactly {@code width} decimal digits (n must fit). */
  void putDigits(int n, int width) {
    ensure(width);
    for (int i = width - 1; i >= 0; i--) {
      buf[len + i] = (byte) ('0' + n % 10);
      n /= 10;
    }
    len += width;
  }

  private void ensure(int extra) {
    if (len + extra > buf.length) {
      long want = Math.max((long) buf.length * 2, (long) len + extra);
      if (want > MAX_CAPACITY) {
        if ((long) len + extra > MAX_CAPACITY) {
          throw new CodecException("json", len, "output larger than a Java array");
        }
        want = MAX_CAPACITY;
      }
      buf = java.util.Arrays.copyOf(buf, (int) want);
    }
  }

  private void writeSigned(long v) {
    if (v < 0) {
      put((byte) '-');
      // -v overflows for MIN_VALUE, but its bits read as unsigned are exactly the magnitude.
      writeUnsigned(-v);
    } else {
      writeUnsigned(v);
    }
  }

  private void writeUnsigned(long v) {
    ensure(20);
    int start = len;
    if (v < 0) {
      long q = (v >>> 1) / 5;
      int r = (int) (v - q * 10);
      buf[len++] = (byte) ('0' + r);
      v = q;
    }
    do {
      buf[len++] = (byte) ('0' + (int) (v % 10));
      v /= 10;
    } while (v != 0);
    // Digits were written least significant first.
    for (int i = start, j = len - 1; i < j; i++, j--) {
      byte t = buf[i];
      buf[i] = buf[j];
      buf[j] = t;
    }
  }

  private void writeQuoted(String s) {
    put((byte) '"');
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
          put((byte) c);
          continue;
        }
        switch (c) {
          case '"' -> putEscape('"');
          case '\\' -> putEscape('\\');
          case '\n' -> putEscape('n');
          case '\r' -> putEscape('r');
          case '\t' -> putEscape('t');
          case '\b' -> putEscape('b');
          case '\f' -> putEscape('f');
          default -> putUnicodeEscape(c);
        }
      } else if (c < 0x800) {
        ensure(2);
        buf[len++] = (byte) (0xc0 | (c >> 6));
        buf[len++] = (byte) (0x80 | (c & 0x3f));
      } else if (c == '\u2028' || c == '\u2029') {
        putUnicodeEscape(c);
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        ensure(4);
        buf[len++] = (byte) (0xf0 | (cp >> 18));
        buf[len++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
        buf[len++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
        buf[len++] = (byte) (0x80 | (cp & 0x3f));
      } else if (Character.isSurrogate(c)) {
        // Go replaces invalid UTF-8 with an escaped replacement character.
        putUnicodeEscape('\ufffd');
      } else {
        ensure(3);
        buf[len++] = (byte) (0xe0 | (c >> 12));
        buf[len++] = (byte) (0x80 | ((c >> 6) & 0x3f));
        buf[len++] = (byte) (0x80 | (c & 0x3f));
      }
    }
    put((byte) '"');
  }

  private void putEscape(char c) {
    ensure(2);
    buf[len++] = '\\';
    buf[len++] = (byte) c;
  }

  private void putUnicodeEscape(char c) {
    ensure(6);
    buf[len++] = '\\';
    buf[len++] = 'u';
    buf[len++] = HEX[(c >> 12) & 0xf];
    buf[len++] = HEX[(c >> 8) & 0xf];
    buf[len++] = HEX[(c >> 4) & 0xf];
    buf[len++] = HEX[c & 0xf];
  }

  /** Copies valid JSON, dropping whitespace outside strings and HTML-escaping inside them. */
  private void compactEscaped(byte[] json) {
    boolean inString = false;
    for (int i = 0; i < json.length; i++) {
      byte b = json[i];
      if (inString) {
        if (b == '\\') {
          put(b);
          put(json[++i]);
        } else if (b == '"') {
          put(b);
          inString = false;
        } else if (b == '<' || b == '>' || b == '&') {
          putUnicodeEscape((char) b);
        } else if ((b & 0xff) == 0xe2 && i + 2 < json.length && (json[i + 1] & 0xff) == 0x80
            && ((json[i + 2] & 0xff) == 0xa8 || (json[i + 2] & 0xff) == 0xa9)) {
          putUnicodeEscape((json[i + 2] & 0xff) == 0xa8 ? '\u2028' : '\u2029');
          i += 2;
        } else {
          put(b);
        }
      } else if (b == '"') {
        put(b);
        inString = true;
      } else if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
        put(b);
      }
    }
  }
}
