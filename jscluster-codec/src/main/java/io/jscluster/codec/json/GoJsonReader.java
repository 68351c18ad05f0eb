package io.jscluster.codec.json;

import io.jscluster.codec.CodecException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Base64;

/**
 * A pull reader over JSON bytes with the decoding rules of Go's {@code encoding/json}.
 *
 * <p>Callers walk objects with {@link #beginObject}/{@link #nextMember} and match
 * {@link #foldedKey()} against lower-case field names, which gives Go's case-insensitive key
 * matching; members they do not know are passed to {@link #skipValue}, which still checks their
 * syntax (Go validates the whole input). Strings with invalid UTF-8 decode with U+FFFD, as in Go.
 * Nesting deeper than Go's limit of 10000 is rejected, without recursion, so hostile input
 * cannot exhaust the stack.
 *
 * <p>Every failure is a {@link CodecException} naming the field and the byte offset (the reader's
 * base offset plus the position in its window). Nothing is allocated beyond what the input
 * holds: strings and copies are at most as long as the bytes they come from.
 */
public final class GoJsonReader {

  /** Go's maximum nesting depth. */
  public static final int MAX_DEPTH = 10_000;

  private final byte[] b;
  private final int start;
  private final int end;
  private final long base;
  private int pos;
  private int depth;
  /** True right after '{' or '[' was consumed, before the first member or element. */
  private boolean afterOpen;
  private String key;
  private String foldedKey;
  private int valueStart;

  /**
   * Reads {@code len} bytes of {@code data} from {@code off}; error offsets are
   * {@code baseOffset + (position - off)}.
   */
  public GoJsonReader(byte[] data, int off, int len, long baseOffset) {
    if (off < 0 || len < 0 || off > data.length - len) {
      throw new CodecException("json", baseOffset, "window outside the input array");
    }
    this.b = data;
    this.start = off;
    this.end = off + len;
    this.base = baseOffset;
    this.pos = off;
  }

  /** A reader over {@code [from, to)} of the same array, positions being absolute indexes. */
  public GoJsonReader window(int from, int to) {
    return new GoJsonReader(b, from, to - from, base + (from - start));
  }

  /** Absolute index into the underlying array of the next unread byte. */
  public int position() {
    return pos;
  }

  /** Absolute index where the value last passed to {@link #markValue()} started. */
  public int valueStart() {
    return valueStart;
  }

  /** The byte offset of the next unread byte, relative to the start of the whole entry. */
  public long offset() {
    return base + (pos - start);
  }

  /** A failure at the current position. */
  public CodecException error(String field, String message) {
    return new CodecException(field, offset(), message);
  }

  // ---------------------------------------------------------------- structure

  /** Skips whitespace and returns the next byte without consuming it, or -1 at the end. */
  public int peek() {
    skipWs();
    return pos < end ? b[pos] & 0xff : -1;
  }

  /** Consumes a {@code null} literal if one comes next. */
  public boolean tryNull() {
    skipWs();
    if (pos < end && b[pos] == 'n') {
      literal("null", "null");
      return true;
    }
    return false;
  }

  /** Records where the next value starts (see {@link #valueStart()}). */
  public void markValue() {
    skipWs();
    valueStart = pos;
  }

  /** Consumes '{'. */
  public void beginObject(String field) {
    expectValueStart(field, '{', "object");
    pos++;
    enter(field);
  }

  /**
   * Moves to the next member of the current object and reads its key, or consumes '}' and
   * returns false.
   */
  public boolean nextMember(String field) {
    skipWs();
    if (pos >= end) {
      throw error(field, "unexpected end of JSON input");
    }
    if (b[pos] == '}') {
      pos++;
      depth--;
      afterOpen = false;
      return false;
    }
    if (!afterOpen) {
      if (b[pos] != ',') {
        throw error(field, "expected ',' or '}' after object member");
      }
      pos++;
      skipWs();
    }
    afterOpen = false;
    if (pos >= end || b[pos] != '"') {
      throw error(field, pos >= end ? "unexpected end of JSON input" : "expected member name");
    }
    key = readStringToken(field);
    foldedKey = fold(key);
    skipWs();
    if (pos >= end || b[pos] != ':') {
      throw error(field, "expected ':' after member name");
    }
    pos++;
    return true;
  }

  /** The key of the current member, as written (unescaped). */
  public String key() {
    return key;
  }

  /** The key folded for Go's case-insensitive match: compare with lower-case names. */
  public String foldedKey() {
    return foldedKey;
  }

  /** Consumes '['. */
  public void beginArray(String field) {
    expectValueStart(field, '[', "array");
    pos++;
    enter(field);
  }

  /** Moves to the next element, or consumes ']' and returns false. */
  public boolean nextElement(String field) {
    skipWs();
    if (pos >= end) {
      throw error(field, "unexpected end of JSON input");
    }
    if (b[pos] == ']') {
      pos++;
      depth--;
      afterOpen = false;
      return false;
    }
    if (!afterOpen) {
      if (b[pos] != ',') {
        throw error(field, "expected ',' or ']' after array element");
      }
      pos++;
    }
    afterOpen = false;
    return true;
  }

  /** Fails unless only whitespace remains (Go's Unmarshal rejects trailing data). */
  public void expectEnd(String field) {
    skipWs();
    if (pos != end) {
      throw error(field, "invalid character after top-level value");
    }
  }

  // ---------------------------------------------------------------- scalar values

  /** Reads a string value. */
  public String readString(String field) {
    expectValueStart(field, '"', "string");
    return readStringToken(field);
  }

  /** Reads a boolean value. */
  public boolean readBool(String field) {
    skipWs();
    if (pos < end && b[pos] == 't') {
      literal("true", field);
      return true;
    }
    if (pos < end && b[pos] == 'f') {
      literal("false", field);
      return false;
    }
    throw typeError(field, "bool");
  }

  /** Reads an integer that must fit a signed {@code bits}-bit Go integer. */
  public long readInt(String field, int bits) {
    int s = numberToken(field);
    int e = pos;
    if (!isIntegerForm(s, e)) {
      throw new CodecException(field, base + (s - start), "cannot unmarshal number " + text(s, e) + " into an integer");
    }
    boolean neg = b[s] == '-';
    long mag = parseMagnitude(field, neg ? s + 1 : s, e);
    long limit = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
    if (neg) {
      // The magnitude may be one more than the positive limit.
      if (Long.compareUnsigned(mag, limit + 1) > 0) {
        throw overflow(field, s, e);
      }
      return -mag;
    }
    if (Long.compareUnsigned(mag, limit) > 0) {
      throw overflow(field, s, e);
    }
    return mag;
  }

  /** Reads an unsigned 64-bit integer, returning its bits. */
  public long readUint64(String field) {
    int s = numberToken(field);
    int e = pos;
    if (!isIntegerForm(s, e) || b[s] == '-') {
      throw new CodecException(field, base + (s - start), "cannot unmarshal number " + text(s, e) + " into an unsigned integer");
    }
    return parseMagnitude(field, s, e);
  }

  /**
   * Reads a {@code time.Time} string. Go parses the bytes between the quotes without
   * unescaping them, so an escaped time is rejected, as there.
   */
  public OffsetDateTime readTime(String field) {
    expectValueStart(field, '"', "time string");
    int s = pos;
    skipStringToken(field);
    return GoTime.parse(b, s + 1, pos - s - 2, field, base + (s - start));
  }

  /** Reads a base64 string into bytes (Go's {@code []byte}). */
  public byte[] readBytes(String field) {
    long at = offset();
    String s = readString(field);
    String text = s.replace("\r", "").replace("\n", "");
    if (text.length() % 4 != 0) {
      // Go's StdEncoding requires padding; Java's decoder would accept its absence.
      throw new CodecException(field, at, "illegal base64 data: missing padding");
    }
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new CodecException(field, at, "illegal base64 data", e);
    }
  }

  /**
   * Returns the raw text of the next value (any kind) and consumes it. Go's enum types compare
   * this raw text in their UnmarshalJSON, escapes and all.
   */
  public String readRawText(String field) {
    markValue();
    skipValue(field);
    return text(valueStart, pos);
  }

  /** Copies the raw bytes of the next value (any kind) and consumes it. */
  public byte[] readRaw(String field) {
    markValue();
    skipValue(field);
    return Arrays.copyOfRange(b, valueStart, pos);
  }

  /** Consumes one complete value of any kind, checking its syntax. Never recurses. */
  public void skipValue(String field) {
    byte[] stack = null;
    int sp = 0;
    while (true) {
      // Read one value start.
      skipWs();
      if (pos >= end) {
        throw error(field, "unexpected end of JSON input");
      }
      int c = b[pos];
      boolean opened = false;
      if (c == '{' || c == '[') {
        if (depth + sp + 1 > MAX_DEPTH) {
          throw error(field, "exceeded max depth");
        }
        if (stack == null) {
          stack = new byte[16];
        } else if (sp == stack.length) {
          stack = Arrays.copyOf(stack, Math.min(MAX_DEPTH + 1, stack.length * 2));
        }
        stack[sp++] = (byte) c;
        pos++;
        skipWs();
        if (pos < end && b[pos] == (c == '{' ? '}' : ']')) {
          pos++;
          sp--;
        } else {
          opened = true;
          if (c == '{') {
            skipKey(field);
          }
        }
      } else if (c == '"') {
        skipStringToken(field);
      } else if (c == 't') {
        literal("true", field);
      } else if (c == 'f') {
        literal("false", field);
      } else if (c == 'n') {
        literal("null", field);
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        numberToken(field);
      } else {
        throw error(field, "invalid character '" + printable(c) + "' looking for beginning of value");
      }
      if (opened) {
        continue;
      }
      // After a complete value: close containers or move to the next member/element.
      while (true) {
        if (sp == 0) {
          return;
        }
        skipWs();
        if (pos >= end) {
          throw error(field, "unexpected end of JSON input");
        }
        byte top = stack[sp - 1];
        int d = b[pos];
        if (d == ',') {
          pos++;
          if (top == '{') {
            skipWs();
            skipKey(field);
          }
          break;
        }
        if ((top == '{' && d == '}') || (top == '[' && d == ']')) {
          pos++;
          sp--;
          continue;
        }
        throw error(field, "invalid character '" + printable(d) + "' after " + (top == '{' ? "object member" : "array element"));
      }
    }
  }

  // ---------------------------------------------------------------- Go field semantics
  // Go leaves a field untouched when the JSON value is null, except for slices, maps and
  // pointers, which become nil. These helpers take the current value and return the new one.

  /** A Go {@code string} field: null keeps {@code current}. */
  public String string(String field, String current) {
    return tryNull() ? current : readString(field);
  }

  /** A Go signed integer field of {@code bits} bits: null keeps {@code current}. */
  public long integer(String field, int bits, long current) {
    return tryNull() ? current : readInt(field, bits);
  }

  /** A Go {@code uint64} field: null keeps {@code current}. */
  public long uint64(String field, long current) {
    return tryNull() ? current : readUint64(field);
  }

  /** A Go {@code bool} field: null keeps {@code current}. */
  public boolean bool(String field, boolean current) {
    return tryNull() ? current : readBool(field);
  }

  /** A Go {@code time.Time} field: null keeps {@code current}. */
  public OffsetDateTime time(String field, OffsetDateTime current) {
    return tryNull() ? current : readTime(field);
  }

  /** A Go {@code *time.Time} field: null gives {@code null}. */
  public OffsetDateTime timePointer(String field) {
    return tryNull() ? null : readTime(field);
  }

  /** A Go {@code []string}: null gives {@code null} (nil); null elements read as "". */
  public List<String> stringList(String field) {
    if (tryNull()) {
      return null;
    }
    List<String> out = new ArrayList<>();
    beginArray(field);
    while (nextElement(field)) {
      out.add(string(field, ""));
    }
    return Collections.unmodifiableList(out);
  }

  /** A Go {@code []int64} or {@code []time.Duration}: null gives {@code null}. */
  public List<Long> int64List(String field) {
    if (tryNull()) {
      return null;
    }
    List<Long> out = new ArrayList<>();
    beginArray(field);
    while (nextElement(field)) {
      out.add(integer(field, 64, 0));
    }
    return Collections.unmodifiableList(out);
  }

  /** A Go {@code []uint64}: null gives {@code null}. */
  public List<Long> uint64List(String field) {
    if (tryNull()) {
      return null;
    }
    List<Long> out = new ArrayList<>();
    beginArray(field);
    while (nextElement(field)) {
      out.add(uint64(field, 0));
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * A Go {@code map[string]string}: null gives {@code null}; otherwise members are added to
   * {@code current} (Go decodes into an existing map), later duplicates winning.
   */
  public Map<String, String> stringMap(String field, Map<String, String> current) {
    if (tryNull()) {
      return null;
    }
    Map<String, String> out = current == null ? new LinkedHashMap<>() : new LinkedHashMap<>(current);
    beginObject(field);
    while (nextMember(field)) {
      String k = key;
      out.put(k, string(field, ""));
    }
    return Collections.unmodifiableMap(out);
  }

  /** A Go {@code map[string]uint64}, with the rules of {@link #stringMap}. */
  public Map<String, Long> stringUint64Map(String field, Map<String, Long> current) {
    if (tryNull()) {
      return null;
    }
    Map<String, Long> out = current == null ? new LinkedHashMap<>() : new LinkedHashMap<>(current);
    beginObject(field);
    while (nextMember(field)) {
      String k = key;
      out.put(k, uint64(field, 0));
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * Parses the current member key as a Go {@code uint64} map key (decimal, no sign), returning
   * its bits.
   */
  public long uint64Key(String field) {
    String k = key;
    if (k.isEmpty()) {
      throw error(field, "invalid map key " + abbreviate(k));
    }
    long v = 0;
    for (int i = 0; i < k.length(); i++) {
      int d = k.charAt(i) - '0';
      if (d < 0 || d > 9 || Long.compareUnsigned(v, 0x1999_9999_9999_9999L) > 0
          || (v == 0x1999_9999_9999_9999L && d > 5)) {
        throw error(field, "invalid map key " + abbreviate(k));
      }
      v = v * 10 + d;
    }
    return v;
  }

  private static String abbreviate(String s) {
    return s.length() <= 32 ? '"' + s + '"' : '"' + s.substring(0, 32) + "...\"";
  }

  /**
   * Reads the current member's value as an unmodelled member, compacted and escaped as Go would
   * re-emit it.
   */
  public RawJsonMember readUnknownMember(String field) {
    String name = key;
    markValue();
    skipValue(field);
    GoJsonWriter w = new GoJsonWriter(pos - valueStart + 16);
    w.rawValue(Arrays.copyOfRange(b, valueStart, pos));
    return new RawJsonMember(name, w.toByteArray());
  }

  // ---------------------------------------------------------------- key folding

  /**
   * Folds a key for Go's case-insensitive field match: ASCII letters to lower case, and the two
   * non-ASCII letters whose simple case folding reaches ASCII (KELVIN SIGN to k, LONG S to s).
   */
  public static String fold(String key) {
    int n = key.length();
    boolean plain = true;
    for (int i = 0; i < n; i++) {
      char c = key.charAt(i);
      if ((c >= 'A' && c <= 'Z') || c == '\u212a' || c == '\u017f') {
        plain = false;
        break;
      }
    }
    if (plain) {
      return key;
    }
    char[] out = new char[n];
    for (int i = 0; i < n; i++) {
      char c = key.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        c = (char) (c + 32);
      } else if (c == '\u212a') {
        c = 'k';
      } else if (c == '\u017f') {
        c = 's';
      }
      out[i] = c;
    }
    return new String(out);
  }

  // ---------------------------------------------------------------- internals

  private void enter(String field) {
    if (++depth > MAX_DEPTH) {
      throw error(field, "exceeded max depth");
    }
    afterOpen = true;
  }

  private void expectValueStart(String field, int c, String what) {
    skipWs();
    if (pos >= end) {
      throw error(field, "unexpected end of JSON input");
    }
    if (b[pos] != c) {
      // Validate the offending value first: Go reports syntax errors before type errors.
      int at = pos;
      skipValue(field);
      throw new CodecException(field, base + (at - start), "cannot unmarshal " + kind(b[at]) + " into " + what);
    }
  }

  private CodecException typeError(String field, String what) {
    skipWs();
    if (pos >= end) {
      return error(field, "unexpected end of JSON input");
    }
    int at = pos;
    skipValue(field);
    return new CodecException(field, base + (at - start), "cannot unmarshal " + kind(b[at]) + " into " + what);
  }

  private static String kind(byte c) {
    return switch (c) {
      case '{' -> "object";
      case '[' -> "array";
      case '"' -> "string";
      case 't', 'f' -> "bool";
      case 'n' -> "null";
      default -> "number";
    };
  }

  private void skipWs() {
    while (pos < end) {
      byte c = b[pos];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        pos++;
      } else {
        return;
      }
    }
  }

  private void skipKey(String field) {
    if (pos >= end || b[pos] != '"') {
      throw error(field, pos >= end ? "unexpected end of JSON input" : "expected member name");
    }
    skipStringToken(field);
    skipWs();
    if (pos >= end || b[pos] != ':') {
      throw error(field, "expected ':' after member name");
    }
    pos++;
  }

  private void literal(String lit, String field) {
    int n = lit.length();
    for (int i = 0; i < n; i++) {
      if (pos + i >= end) {
        pos += i;
        throw error(field, "unexpected end of JSON input");
      }
      if (b[pos + i] != lit.charAt(i)) {
        pos += i;
        throw error(field, "invalid character in literal " + lit);
      }
    }
    pos += n;
  }

  /** Consumes a number token with JSON's grammar and returns its start index. */
  private int numberToken(String field) {
    skipWs();
    int s = pos;
    if (pos < end && b[pos] == '-') {
      pos++;
    }
    if (pos >= end) {
      throw error(field, "unexpected end of JSON input");
    }
    if (b[pos] == '0') {
      pos++;
    } else if (b[pos] >= '1' && b[pos] <= '9') {
      while (pos < end && isDigit(b[pos])) {
        pos++;
      }
    } else {
      if (pos == s) {
        throw typeError(field, "number");
      }
      throw error(field, "invalid character in numeric literal");
    }
    if (pos < end && b[pos] == '.') {
      pos++;
      requireDigits(field);
    }
    if (pos < end && (b[pos] == 'e' || b[pos] == 'E')) {
      pos++;
      if (pos < end && (b[pos] == '+' || b[pos] == '-')) {
        pos++;
      }
      requireDigits(field);
    }
    return s;
  }

  private void requireDigits(String field) {
    if (pos >= end) {
      throw error(field, "unexpected end of JSON input");
    }
    if (!isDigit(b[pos])) {
      throw error(field, "invalid character in numeric literal");
    }
    while (pos < end && isDigit(b[pos])) {
      pos++;
    }
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  private boolean isIntegerForm(int s, int e) {
    for (int i = s; i < e; i++) {
      if (b[i] == '.' || b[i] == 'e' || b[i] == 'E') {
        return false;
      }
    }
    return true;
  }

  /** Parses decimal digits [s, e) as an unsigned 64-bit magnitude. */
  private long parseMagnitude(String field, int s, int e) {
    long v = 0;
    for (int i = s; i < e; i++) {
      int d = b[i] - '0';
      // v * 10 + d must stay below 2^64.
      if (Long.compareUnsigned(v, 0x1999_9999_9999_9999L) > 0
          || (v == 0x1999_9999_9999_9999L && d > 5)) {
        throw overflow(field, s, e);
      }
      v = v * 10 + d;
    }
    return v;
  }

  private CodecException overflow(String field, int s, int e) {
    return new CodecException(field, base + (s - start), "number " + text(s, e) + " overflows the field");
  }

  private String text(int s, int e) {
    // Bound the message: hostile numbers can be long.
    int n = Math.min(e - s, 64);
    return new String(b, s, n, StandardCharsets.ISO_8859_1) + (e - s > n ? "..." : "");
  }

  private static String printable(int c) {
    return c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c & 0xff);
  }

  private void skipStringToken(String field) {
    int s = pos;
    pos++;
    while (true) {
      if (pos >= end) {
        pos = s;
        throw error(field, "unexpected end of JSON input in string");
      }
      int c = b[pos] & 0xff;
      if (c == '"') {
        pos++;
        return;
      }
      if (c == '\\') {
        pos++;
        if (pos >= end) {
          throw error(field, "unexpected end of JSON input in string");
        }
        int e = b[pos];
        if (e == 'u') {
          if (pos + 4 >= end) {
            throw error(field, "unexpected end of JSON input in string");
          }
          for (int i = 1; i <= 4; i++) {
            if (hexVal(b[pos + i]) < 0) {
              pos += i;
              throw error(field, "invalid character in \\u hexadecimal character escape");
            }
          }
          pos += 5;
        } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
          pos++;
        } else {
          throw error(field, "invalid character in string escape code");
        }
      } else if (c < 0x20) {
        throw error(field, "invalid control character in string literal");
      } else {
        pos++;
      }
    }
  }

  /** Reads a string token at pos (which is '"'), unescaping and decoding UTF-8 as Go does. */
  private String readStringToken(String field) {
    int s = pos;
    skipStringToken(field);
    int e = pos - 1;
    boolean simple = true;
    for (int i = s + 1; i < e; i++) {
      if (b[i] == '\\' || b[i] < 0) {
        simple = false;
        break;
      }
    }
    if (simple) {
      return new String(b, s + 1, e - s - 1, StandardCharsets.ISO_8859_1);
    }
    StringBuilder sb = new StringBuilder(e - s);
    int i = s + 1;
    while (i < e) {
      int c = b[i] & 0xff;
      if (c == '\\') {
        int x = b[i + 1];
        switch (x) {
          case 'b' -> { sb.append('\b'); i += 2; }
          case 'f' -> { sb.append('\f'); i += 2; }
          case 'n' -> { sb.append('\n'); i += 2; }
          case 'r' -> { sb.append('\r'); i += 2; }
          case 't' -> { sb.append('\t'); i += 2; }
          case 'u' -> {
            int r = hex4(i + 2);
            i += 6;
            if (Character.isSurrogate((char) r)) {
              // A valid pair needs a high surrogate followed by an escaped low one.
              if (Character.isHighSurrogate((char) r) && i + 1 < e
                  && b[i] == '\\' && b[i + 1] == 'u') {
                int r2 = hex4(i + 2);
                if (Character.isLowSurrogate((char) r2)) {
                  sb.append((char) r).append((char) r2);
                  i += 6;
                  continue;
                }
              }
              sb.append('\ufffd');
            } else {
              sb.append((char) r);
            }
          }
          default -> { sb.append((char) x); i += 2; }
        }
      } else if (c < 0x80) {
        sb.append((char) c);
        i++;
      } else {
        i = appendUtf8(sb, i, e);
      }
    }
    return sb.toString();
  }

  /** Decodes one UTF-8 sequence at i (limit e) like Go's utf8.DecodeRune; returns the next index. */
  private int appendUtf8(StringBuilder sb, int i, int e) {
    int c = b[i] & 0xff;
    int need;
    int cp;
    int min;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      cp = c & 0x1f;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      cp = c & 0x0f;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      cp = c & 0x07;
      min = 0x10000;
    } else {
      sb.append('\ufffd');
      return i + 1;
    }
    if (i + need >= e) {
      sb.append('\ufffd');
      return i + 1;
    }
    for (int k = 1; k <= need; k++) {
      int cc = b[i + k] & 0xff;
      if ((cc & 0xc0) != 0x80) {
        sb.append('\ufffd');
        return i + 1;
      }
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      sb.append('\ufffd');
      return i + 1;
    }
    sb.appendCodePoint(cp);
    return i + need + 1;
  }

  private int hex4(int at) {
    return (hexVal(b[at]) << 12) | (hexVal(b[at + 1]) << 8) | (hexVal(b[at + 2]) << 4) | hexVal(b[at + 3]);
  }

  private static int hexVal(byte c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}
