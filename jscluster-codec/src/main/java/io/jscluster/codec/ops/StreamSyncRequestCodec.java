package io.jscluster.codec.ops;

import io.jscluster.codec.CodecException;
import io.jscluster.codec.json.GoJsonReader;
import io.jscluster.codec.json.GoJsonWriter;
import io.jscluster.codec.json.JsonEntry;
import io.netty.buffer.ByteBuf;

/**
 * The catch-up sync request body, as Go's {@code json.Marshal} writes it (no op byte, no trailing
 * newline): {@code peer} (omitempty), {@code first_seq}, {@code last_seq},
 * {@code delete_ranges}, {@code min_applied}.
 */
public final class StreamSyncRequestCodec {

  private static final String F = "streamSyncRequest";

  private StreamSyncRequestCodec() {}

  /** Encodes the request JSON. */
  public static byte[] encode(StreamSyncRequest s) {
    return JsonEntry.encode(null, w -> write(w, s));
  }

  /** Appends the request JSON to {@code out}; the caller keeps ownership of {@code out}. */
  public static void encode(StreamSyncRequest s, ByteBuf out) {
    JsonEntry.encode(null, w -> write(w, s), out);
  }

  /**
   * Decodes a request (trailing whitespace allowed, as {@code json.Unmarshal}).
   *
   * @throws CodecException for malformed JSON or mistyped members
   */
  public static StreamSyncRequest decode(byte[] json) {
    return decode(json, 0, json.length);
  }

  /** Decodes {@code len} bytes of {@code json} from {@code off}. */
  public static StreamSyncRequest decode(byte[] json, int off, int len) {
    return JsonEntry.decode(json, off, len, 0, F, StreamSyncRequestCodec::read);
  }

  /** Decodes the readable bytes of {@code json}; indexes are unchanged, nothing is released. */
  public static StreamSyncRequest decode(ByteBuf json) {
    return JsonEntry.withBytes(json, StreamSyncRequestCodec::decode);
  }

  static void write(GoJsonWriter w, StreamSyncRequest s) {
    w.beginObject();
    w.strOmit("peer", s.peer());
    w.u64("first_seq", s.firstSeq());
    w.u64("last_seq", s.lastSeq());
    w.bool("delete_ranges", s.deleteRangesOk());
    w.u64("min_applied", s.minApplied());
    w.endObject();
  }

  static StreamSyncRequest read(GoJsonReader r) {
    String peer = "";
    long first = 0;
    long last = 0;
    boolean dr = false;
    long minApplied = 0;
    if (r.tryNull()) {
      return new StreamSyncRequest("", 0, 0, false, 0);
    }
    r.beginObject(F);
    while (r.nextMember(F)) {
      String f = F + "." + r.key();
      switch (r.foldedKey()) {
        case "peer" -> peer = r.string(f, peer);
        case "first_seq" -> first = r.uint64(f, first);
        case "last_seq" -> last = r.uint64(f, last);
        case "delete_ranges" -> dr = r.bool(f, dr);
        case "min_applied" -> minApplied = r.uint64(f, minApplied);
        default -> r.skipValue(f);
      }
    }
    return new StreamSyncRequest(peer, first, last, dr, minApplied);
  }
}
