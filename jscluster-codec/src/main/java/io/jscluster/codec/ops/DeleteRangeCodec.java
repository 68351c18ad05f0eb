package io.jscluster.codec.ops;

import io.jscluster.codec.CodecException;
import io.jscluster.codec.EntryOp;
import io.jscluster.codec.json.GoJsonReader;
import io.jscluster.codec.json.GoJsonWriter;
import io.jscluster.codec.json.JsonEntry;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Op 15 entries: {@code [0x0f]{"First":<u64>,"Num":<u64>}\n}. The keys are Go's field names
 * (the struct has no JSON tags); decoding matches them case-insensitively and ignores others.
 */
public final class DeleteRangeCodec {

  private DeleteRangeCodec() {}

  /** Encodes an op 15 entry. */
  public static byte[] encode(DeleteRange dr) {
    return JsonEntry.encode(EntryOp.DELETE_RANGE, w -> write(w, dr));
  }

  /**
   * Appends an op 15 entry to {@code out} without allocating (it is sent for every gap during
   * catch-up); the caller keeps ownership of {@code out}.
   */
  public static void encode(DeleteRange dr, ByteBuf out) {
    int firstDigits = digits(dr.first());
    int numDigits = digits(dr.num());
    int n = 1 + FIRST.length + firstDigits + NUM.length + numDigits + 2;
    out.ensureWritable(n);
    int at = out.writerIndex();
    out.setByte(at++, EntryOp.DELETE_RANGE.code());
    out.setBytes(at, FIRST);
    at += FIRST.length;
    at = putUnsigned(out, at, dr.first(), firstDigits);
    out.setBytes(at, NUM);
    at += NUM.length;
    at = putUnsigned(out, at, dr.num(), numDigits);
    out.setByte(at++, '}');
    out.setByte(at++, '\n');
    out.writerIndex(at);
  }

  private static final byte[] FIRST = "{\"First\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NUM = ",\"Num\":".getBytes(StandardCharsets.US_ASCII);

  /** Number of decimal digits of {@code v} read as unsigned. */
  private static int digits(long v) {
    if (v < 0) {
      // 2^63 .. 2^64-1 all have 19 or 20 digits.
      return Long.compareUnsigned(v, -8_446_744_073_709_551_616L) >= 0 ? 20 : 19;
    }
    int d = 1;
    while (v >= 10) {
      v /= 10;
      d++;
    }
    return d;
  }

  private static int putUnsigned(ByteBuf out, int at, long v, int digits) {
    int end = at + digits;
    int i = end - 1;
    if (v < 0) {
      long q = (v >>> 1) / 5;
      out.setByte(i--, '0' + (int) (v - q * 10));
      v = q;
    }
    do {
      out.setByte(i--, '0' + (int) (v % 10));
      v /= 10;
    } while (v != 0);
    return end;
  }

  /**
   * Decodes an op 15 entry (op byte included).
   *
   * @throws CodecException for a wrong op, malformed JSON, or a value that is not a uint64
   */
  public static DeleteRange decode(byte[] entry) {
    return decode(entry, 0, entry.length);
  }

  /** Decodes {@code len} bytes of {@code entry} from {@code off}. */
  public static DeleteRange decode(byte[] entry, int off, int len) {
    JsonEntry.op(entry, off, len, EntryOp.DELETE_RANGE);
    return JsonEntry.decode(entry, off + 1, len - 1, 1, "deleteRange", DeleteRangeCodec::read);
  }

  /** Decodes the readable bytes of {@code entry}; indexes are unchanged, nothing is released. */
  public static DeleteRange decode(ByteBuf entry) {
    return JsonEntry.withBytes(entry, DeleteRangeCodec::decode);
  }

  static void write(GoJsonWriter w, DeleteRange dr) {
    w.beginObject().u64("First", dr.first()).u64("Num", dr.num()).endObject();
  }

  static DeleteRange read(GoJsonReader r) {
    if (r.tryNull()) {
      return new DeleteRange(0, 0);
    }
    long first = 0;
    long num = 0;
    r.beginObject("deleteRange");
    while (r.nextMember("deleteRange")) {
      switch (r.foldedKey()) {
        case "first" -> first = r.uint64("deleteRange.First", first);
        case "num" -> num = r.uint64("deleteRange.Num", num);
        default -> r.skipValue("deleteRange." + r.key());
      }
    }
    return new DeleteRange(first, num);
  }
}
