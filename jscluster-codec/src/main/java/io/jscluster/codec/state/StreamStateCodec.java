package io.jscluster.codec.state;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.jscluster.codec.CodecException;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stream snapshot codecs: the binary {@code StreamReplicatedState} (magic 42, versions 1 and
 * 2) that nats-server's stores write with {@code EncodedStreamState}, and the legacy JSON
 * snapshot older servers sent. Stateless and thread-safe.
 *
 * <p>Layout (all integers uvarint): {@code 42, version, msgs, bytes, firstSeq, lastSeq, failed,
 * [v2: numSources, (nameLen, name, seq, identLen, ident)*], numDeleted, blocks*}, where each block
 * is a {@link SequenceSet} encoding (magic 22) or {@code 33, first, num} and blocks run to the end
 * of the buffer.
 */
public final class StreamStateCodec {

  /** First byte of a binary stream snapshot. */
  public static final byte MAGIC = 42;
  /** Version without sources. */
  public static final byte VERSION = 1;
  /** Version carrying source states. */
  public static final byte VERSION_SOURCES = 2;

  /**
   * Field names are not canonicalized: hostile snapshots with endless distinct keys would
   * otherwise grow the shared symbol table (and the per-parse copy of it) without bound.
   */
  private static final JsonFactory JSON =
      JsonFactory.builder()
          .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
          .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
          .build();

  private StreamStateCodec() {}

  /** nats-server's file-store rule: {@code last - first + 1 - msgs} when {@code last > first}, at least 0. */
  public static long fileStoreNumDeleted(long firstSeq, long lastSeq, long msgs) {
    if (Long.compareUnsigned(lastSeq, firstSeq) <= 0) {
      return 0;
    }
    long n = (lastSeq - firstSeq + 1) - msgs;
    return n < 0 ? 0 : n;
  }

  /**
   * nats-server's memory-store rule: {@code (last - first + 1) - msgs} with unsigned wrap, read as
   * signed and clamped at 0. A fresh store (first = last = 0) reports 1.
   */
  public static long memStoreNumDeleted(long firstSeq, long lastSeq, long msgs) {
    long n = (lastSeq - firstSeq + 1) - msgs;
    return n < 0 ? 0 : n;
  }

  /** True when the buffer starts like a binary snapshot (magic 42, version 1 or 2). */
  public static boolean isEncoded(byte[] buf, int off, int len) {
    return len >= 2 && buf[off] == MAGIC && (buf[off + 1] == VERSION || buf[off + 1] == VERSION_SOURCES);
  }

  // ---------------------------------------------------------------------------------------------
  // Encoding

  /**
   * The exact length {@link #encode(StreamReplicatedState, long, boolean)} produces.
   *
   * @throws IllegalArgumentException if a block is a {@link DeleteSlice} (not encodable)
   */
  public static int encodedLength(StreamReplicatedState s, long numDeleted, boolean withSources) {
    long total =
        2
            + Varint.uvarintLength(s.msgs())
            + Varint.uvarintLength(s.bytes())
            + Varint.uvarintLength(s.firstSeq())
            + Varint.uvarintLength(s.lastSeq())
            + Varint.uvarintLength(s.failed())
            + Varint.uvarintLength(numDeleted);
    if (withSources && countSources(s) > 0) {
      total += Varint.uvarintLength(countSources(s));
      for (Map.Entry<String, StreamSourceState> e : s.sources().entrySet()) {
        if (e.getValue().seq() == 0) {
          continue;
        }
        int nameLen = utf8Length(e.getKey());
        int identLen = utf8Length(e.getValue().ident());
        total +=
            Varint.uvarintLength(nameLen)
                + nameLen
                + Varint.uvarintLength(e.getValue().seq())
                + Varint.uvarintLength(identLen)
                + identLen;
      }
    }
    if (numDeleted != 0) {
      for (DeleteBlock b : s.deleted()) {
        total += blockLength(b);
      }
    }
    if (total > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("stream state encoding too large: " + total);
    }
    return (int) total;
  }

  private static long blockLength(DeleteBlock b) {
    if (b instanceof SequenceSet ss) {
      return ss.encodedLength();
    }
    if (b instanceof DeleteRange r) {
      return 1 + Varint.uvarintLength(r.first()) + Varint.uvarintLength(r.num());
    }
    throw new IllegalArgumentException("a DeleteSlice has no binary encoding");
  }

  private static long countSources(StreamReplicatedState s) {
    long n = 0;
    for (StreamSourceState v : s.sources().values()) {
      if (v.seq() != 0) {
        n++;
      }
    }
    return n;
  }

  /**
   * Encodes a snapshot exactly as nats-server's stores do.
   *
   * @param numDeleted the deleted count to write (the store's rule, see
   *     {@link #fileStoreNumDeleted} and {@link #memStoreNumDeleted}); blocks are written only
   *     when it is non-zero, because a decoder ignores them otherwise
   * @param withSources write version 2 with the sources whose {@code seq > 0}, if there is at
   *     least one; otherwise version 1
   * @throws IllegalArgumentException if a block to write is a {@link DeleteSlice}
   */
  public static byte[] encode(StreamReplicatedState s, long numDeleted, boolean withSources) {
    byte[] out = new byte[encodedLength(s, numDeleted, withSources)];
    int n = encode(s, numDeleted, withSources, out, 0);
    if (n != out.length) {
      throw new IllegalStateException("stream state size accounting mismatch");
    }
    return out;
  }

  /**
   * Writes the encoding into {@code dst} at {@code off}, which must have
   * {@link #encodedLength} bytes of room.
   *
   * @return the offset just past the encoding
   */
  public static int encode(
      StreamReplicatedState s, long numDeleted, boolean withSources, byte[] dst, int off) {
    long sources = withSources ? countSources(s) : 0;
    int p = off;
    dst[p++] = MAGIC;
    dst[p++] = sources > 0 ? VERSION_SOURCES : VERSION;
    p = Varint.putUvarint(dst, p, s.msgs());
    p = Varint.putUvarint(dst, p, s.bytes());
    p = Varint.putUvarint(dst, p, s.firstSeq());
    p = Varint.putUvarint(dst, p, s.lastSeq());
    p = Varint.putUvarint(dst, p, s.failed());
    if (sources > 0) {
      p = Varint.putUvarint(dst, p, sources);
      for (Map.Entry<String, StreamSourceState> e : s.sources().entrySet()) {
        if (e.getValue().seq() == 0) {
          continue;
        }
        byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
        byte[] ident = e.getValue().ident().getBytes(StandardCharsets.UTF_8);
        p = Varint.putUvarint(dst, p, name.length);
        System.arraycopy(name, 0, dst, p, name.length);
        p += name.length;
        p = Varint.putUvarint(dst, p, e.getValue().seq());
        p = Varint.putUvarint(dst, p, ident.length);
        System.arraycopy(ident, 0, dst, p, ident.length);
        p += ident.length;
      }
    }
    p = Varint.putUvarint(dst, p, numDeleted);
    if (numDeleted != 0) {
      for (DeleteBlock b : s.deleted()) {
        if (b instanceof SequenceSet ss) {
          p = ss.encode(dst, p);
        } else if (b instanceof DeleteRange r) {
          dst[p++] = DeleteRange.MAGIC;
          p = Varint.putUvarint(dst, p, r.first());
          p = Varint.putUvarint(dst, p, r.num());
        } else {
          throw new IllegalArgumentException("a DeleteSlice has no binary encoding");
        }
      }
    }
    return p;
  }

  /**
   * Appends the encoding to {@code out} (the caller keeps ownership of {@code out}).
   */
  public static void encode(
      StreamReplicatedState s, long numDeleted, boolean withSources, ByteBuf out) {
    int len = encodedLength(s, numDeleted, withSources);
    out.ensureWritable(len);
    if (out.hasArray()) {
      int w = out.writerIndex();
      encode(s, numDeleted, withSources, out.array(), out.arrayOffset() + w);
      out.writerIndex(w + len);
    } else {
      out.writeBytes(encode(s, numDeleted, withSources));
    }
  }

  private static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        n += 1; // String.getBytes writes '?' for an unpaired surrogate
      } else {
        n += 3;
      }
    }
    return n;
  }

  // ---------------------------------------------------------------------------------------------
  // Decoding

  /** As {@link #decode(byte[], int, int)} over the whole array. */
  public static StreamReplicatedState decode(byte[] buf) {
    return decode(buf, 0, buf.length);
  }

  /**
   * Decodes a binary snapshot.
   *
   * @throws CodecException on a bad header (field {@code streamState.header}), a truncated or
   *     overlong varint, a string running past the end, a corrupt sequence set, or an unknown
   *     delete-block magic
   */
  public static StreamReplicatedState decode(byte[] buf, int off, int len) {
    if (!isEncoded(buf, off, len)) {
      throw new CodecException("streamState.header", 0, "bad stream state encoding");
    }
    boolean withSources = buf[off + 1] == VERSION_SOURCES;
    Varint.Reader r = new Varint.Reader(buf, off, off + len, "streamState");
    r.pos = off + 2;
    long msgs = r.uvarint("msgs");
    long bytes = r.uvarint("bytes");
    long first = r.uvarint("firstSeq");
    long last = r.uvarint("lastSeq");
    long failed = r.uvarint("failed");
    Map<String, StreamSourceState> sources = Collections.emptyMap();
    if (withSources) {
      long count = r.uvarint("numSources");
      Map<String, StreamSourceState> m = new LinkedHashMap<>();
      for (long i = 0; Long.compareUnsigned(i, count) < 0; i++) {
        String name = r.string("source.name");
        long seq = r.uvarint("source.seq");
        String ident = r.string("source.ident");
        m.put(name, new StreamSourceState(seq, ident));
      }
      if (!m.isEmpty()) {
        sources = Collections.unmodifiableMap(m);
      }
    }
    long numDeleted = r.uvarint("numDeleted");
    List<DeleteBlock> blocks = new ArrayList<>();
    int end = off + len;
    if (numDeleted != 0) {
      while (r.pos < end) {
        int at = r.pos;
        byte magic = buf[at];
        if (magic == SequenceSet.MAGIC) {
          SequenceSet.Decoded d;
          try {
            d = SequenceSet.decode(buf, at, end - at);
          } catch (CodecException e) {
            throw new CodecException(
                "streamState.seqset", at - off, "corrupt sequence set: " + e.getMessage(), e);
          }
          blocks.add(d.set());
          r.pos = at + d.consumed();
        } else if (magic == DeleteRange.MAGIC) {
          r.pos++;
          long f = r.uvarint("range.first");
          long n = r.uvarint("range.num");
          blocks.add(new DeleteRange(f, n));
        } else {
          throw new CodecException(
              "streamState.block", at - off, "unknown delete block magic " + (magic & 0xff));
        }
      }
    }
    return new StreamReplicatedState(
        msgs, bytes, first, last, failed, Collections.unmodifiableList(blocks), sources);
  }

  /**
   * Decodes a snapshot entry as nats-server's {@code decodeStreamSnapshot} does: binary when
   * {@link #isEncoded} holds, otherwise the legacy JSON
   * {@code {"messages","bytes","first_seq","last_seq","clfs","deleted"}}, whose non-empty
   * {@code deleted} becomes one {@link DeleteSlice}.
   *
   * @throws CodecException if neither form decodes
   */
  public static StreamReplicatedState decodeSnapshot(byte[] buf, int off, int len) {
    if (isEncoded(buf, off, len)) {
      return decode(buf, off, len);
    }
    return decodeLegacyJson(buf, off, len);
  }

  /** As {@link #decodeSnapshot(byte[], int, int)} over the whole array. */
  public static StreamReplicatedState decodeSnapshot(byte[] buf) {
    return decodeSnapshot(buf, 0, buf.length);
  }

  /**
   * Parses the legacy JSON snapshot with Go {@code encoding/json} leniency: keys match
   * case-insensitively, unknown keys are skipped, {@code null} leaves a field zero; values must
   * be unsigned 64-bit integers.
   *
   * @throws CodecException on malformed JSON, a non-object, trailing data, or a bad number
   */
  public static StreamReplicatedState decodeLegacyJson(byte[] buf, int off, int len) {
    long msgs = 0;
    long bytes = 0;
    long first = 0;
    long last = 0;
    long clfs = 0;
    long[] deleted = null;
    int deletedCount = 0;
    // Go reads JSON as UTF-8 only and rejects a byte-order mark or NUL outright. Checking here
    // also keeps Jackson from guessing UTF-16/32 and decoding through a Reader.
    for (int i = 0; i < Math.min(len, 4); i++) {
      int c = buf[off + i] & 0xff;
      if (c == 0 || (i == 0 && c >= 0xef)) {
        throw new CodecException("legacySnapshot", i, "not UTF-8 JSON (byte " + c + ")");
      }
    }
    try (JsonParser p = JSON.createParser(buf, off, len)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw legacy(p, "snapshot is not a JSON object");
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonToken v = p.nextToken();
        if (key.equalsIgnoreCase("deleted")) {
          if (v == JsonToken.VALUE_NULL) {
            deleted = null;
            deletedCount = 0;
            continue;
          }
          if (v != JsonToken.START_ARRAY) {
            throw legacy(p, "deleted is not an array");
          }
          deleted = new long[8];
          deletedCount = 0;
          while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
            if (deletedCount == deleted.length) {
              deleted = Arrays.copyOf(deleted, deletedCount * 2);
            }
            deleted[deletedCount++] = v == JsonToken.VALUE_NULL ? 0 : unsigned(p, v, "deleted");
          }
          continue;
        }
        if (v == JsonToken.VALUE_NULL) {
          continue;
        }
        if (key.equalsIgnoreCase("messages")) {
          msgs = unsigned(p, v, key);
        } else if (key.equalsIgnoreCase("bytes")) {
          bytes = unsigned(p, v, key);
        } else if (key.equalsIgnoreCase("first_seq")) {
          first = unsigned(p, v, key);
        } else if (key.equalsIgnoreCase("last_seq")) {
          last = unsigned(p, v, key);
        } else if (key.equalsIgnoreCase("clfs")) {
          clfs = unsigned(p, v, key);
        } else {
          p.skipChildren();
        }
      }
      if (t != JsonToken.END_OBJECT) {
        throw legacy(p, "malformed snapshot object");
      }
      if (p.nextToken() != null) {
        throw legacy(p, "data after the snapshot object");
      }
    } catch (JsonProcessingException e) {
      // The original message avoids rendering Jackson's location and source excerpt.
      JsonLocation at = e.getLocation();
      throw new CodecException(
          "legacySnapshot",
          at == null ? -1 : at.getByteOffset(),
          "malformed JSON: " + e.getOriginalMessage(),
          e);
    } catch (IOException e) {
      throw new CodecException("legacySnapshot", -1, "malformed JSON: " + e.getMessage(), e);
    }
    List<DeleteBlock> blocks =
        deleted == null || deletedCount == 0
            ? List.of()
            : List.of(new DeleteSlice(Arrays.copyOf(deleted, deletedCount)));
    return new StreamReplicatedState(msgs, bytes, first, last, clfs, blocks, Map.of());
  }

  private static long unsigned(JsonParser p, JsonToken v, String field) throws IOException {
    if (v != JsonToken.VALUE_NUMBER_INT) {
      throw legacy(p, field + " is not an unsigned integer");
    }
    String text = p.getText();
    try {
      return Long.parseUnsignedLong(text);
    } catch (NumberFormatException e) {
      throw legacy(p, field + " is not a uint64: " + text);
    }
  }

  private static CodecException legacy(JsonParser p, String message) {
    return new CodecException(
        "legacySnapshot", p.currentTokenLocation().getByteOffset(), message);
  }
}
