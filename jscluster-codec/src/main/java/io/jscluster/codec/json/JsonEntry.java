package io.jscluster.codec.json;

import io.jscluster.codec.CodecException;
import io.jscluster.codec.EntryOp;
import io.netty.buffer.ByteBuf;

/**
 * The "op byte + JSON + newline" entry framing (ops 0, 1, 2, 3, 5, 6, 11 and 15), and plain JSON
 * documents, on top of {@link GoJsonWriter} and {@link GoJsonReader}.
 *
 * <p>Encoders borrow a per-thread writer, so encoding into a {@link ByteBuf} allocates nothing
 * once the writer has grown to the usual entry size.
 */
public final class JsonEntry {

  /** Writers that grew beyond this are not kept for reuse. */
  private static final int KEEP_LIMIT = 1 << 20;
  private static final ThreadLocal<Slot> SLOTS = ThreadLocal.withInitial(Slot::new);

  /** The per-thread writer and whether an encode on this thread is using it. */
  private static final class Slot {
    GoJsonWriter writer = new GoJsonWriter(512);
    boolean busy;
  }

  /** Writes one JSON value. */
  @FunctionalInterface
  public interface BodyWriter {
    /** Writes the value to {@code w}. */
    void write(GoJsonWriter w);
  }

  /** Reads one JSON value. */
  @FunctionalInterface
  public interface BodyReader<T> {
    /** Reads the value from {@code r}. */
    T read(GoJsonReader r);
  }

  private JsonEntry() {}

  /**
   * Encodes {@code [op][json]['\n']}, as Go's {@code json.Encoder.Encode} after the op byte.
   * With {@code op == null} only the JSON is written, without newline ({@code json.Marshal}).
   */
  public static byte[] encode(EntryOp op, BodyWriter body) {
    GoJsonWriter w = borrow();
    try {
      fill(w, op, body);
      return w.toByteArray();
    } finally {
      giveBack(w);
    }
  }

  /**
   * As {@link #encode(EntryOp, BodyWriter)}, appending to {@code out} at its writer index. The
   * caller keeps ownership of {@code out}: nothing is retained or released. On failure nothing
   * is written.
   */
  public static void encode(EntryOp op, BodyWriter body, ByteBuf out) {
    GoJsonWriter w = borrow();
    try {
      fill(w, op, body);
      w.writeTo(out);
    } finally {
      giveBack(w);
    }
  }

  private static void fill(GoJsonWriter w, EntryOp op, BodyWriter body) {
    if (op != null) {
      w.rawByte(op.code());
    }
    body.write(w);
    if (op != null) {
      w.rawByte('\n');
    }
  }

  private static GoJsonWriter borrow() {
    Slot slot = SLOTS.get();
    if (slot.busy) {
      // A nested encode on the same thread gets a writer of its own.
      return new GoJsonWriter(256);
    }
    slot.busy = true;
    return slot.writer.reset();
  }

  private static void giveBack(GoJsonWriter w) {
    Slot slot = SLOTS.get();
    if (slot.writer == w) {
      slot.busy = false;
      if (w.array().length > KEEP_LIMIT) {
        slot.writer = new GoJsonWriter(512);
      }
    }
  }

  /**
   * Checks the op byte of an entry and returns it.
   *
   * @throws CodecException if the entry is empty or its op is not one of {@code allowed}
   */
  public static EntryOp op(byte[] entry, int off, int len, EntryOp... allowed) {
    if (len < 1) {
      throw new CodecException("op", 0, "empty entry");
    }
    EntryOp op = EntryOp.of(entry[off]);
    for (EntryOp a : allowed) {
      if (a == op) {
        return op;
      }
    }
    throw new CodecException("op", 0, "unexpected entry op " + op);
  }

  /**
   * Decodes one JSON document from {@code len} bytes at {@code off} as Go's
   * {@code json.Unmarshal}: the value, then only whitespace. Offsets in errors start at
   * {@code baseOffset}.
   */
  public static <T> T decode(byte[] data, int off, int len, long baseOffset, String what, BodyReader<T> body) {
    GoJsonReader r = new GoJsonReader(data, off, len, baseOffset);
    if (r.peek() < 0) {
      throw r.error(what, "unexpected end of JSON input");
    }
    T value = body.read(r);
    r.expectEnd(what);
    return value;
  }

  /** Calls {@code action} with the readable bytes of {@code buf} as an array window. */
  public static <T> T withBytes(ByteBuf buf, ArrayAction<T> action) {
    int len = buf.readableBytes();
    if (buf.hasArray()) {
      return action.apply(buf.array(), buf.arrayOffset() + buf.readerIndex(), len);
    }
    byte[] copy = new byte[len];
    buf.getBytes(buf.readerIndex(), copy);
    return action.apply(copy, 0, len);
  }

  /** A function of an array window. */
  @FunctionalInterface
  public interface ArrayAction<T> {
    /** Applies to {@code len} bytes of {@code data} from {@code off}. */
    T apply(byte[] data, int off, int len);
  }
}
