package io.jscluster.codec.ops;

import io.jscluster.codec.CodecException;
import io.jscluster.codec.EntryOp;
import io.jscluster.codec.json.GoJsonReader;
import io.jscluster.codec.json.GoJsonWriter;
import io.jscluster.codec.json.JsonEntry;
import io.jscluster.codec.meta.ClientInfo;
import io.jscluster.codec.meta.ClientInfoJson;
import io.netty.buffer.ByteBuf;

/**
 * Op 5 entries: {@code [0x05]} + JSON of {@link StreamPurge} + {@code '\n'}. Members in order:
 * {@code client} (omitempty), {@code stream}, {@code last_seq}, {@code subject}, {@code reply},
 * {@code request} (omitempty; its members {@code seq}, {@code filter}, {@code keep} omitempty).
 */
public final class StreamPurgeCodec {

  private static final String F = "streamPurge";

  private StreamPurgeCodec() {}

  /** Encodes an op 5 entry. */
  public static byte[] encode(StreamPurge p) {
    return JsonEntry.encode(EntryOp.PURGE_STREAM, w -> write(w, p));
  }

  /** Appends an op 5 entry to {@code out}; the caller keeps ownership of {@code out}. */
  public static void encode(StreamPurge p, ByteBuf out) {
    JsonEntry.encode(EntryOp.PURGE_STREAM, w -> write(w, p), out);
  }

  /**
   * Decodes an op 5 entry (op byte included).
   *
   * @throws CodecException for a wrong op or malformed JSON
   */
  public static StreamPurge decode(byte[] entry) {
    return decode(entry, 0, entry.length);
  }

  /** Decodes {@code len} bytes of {@code entry} from {@code off}. */
  public static StreamPurge decode(byte[] entry, int off, int len) {
    JsonEntry.op(entry, off, len, EntryOp.PURGE_STREAM);
    return JsonEntry.decode(entry, off + 1, len - 1, 1, F, StreamPurgeCodec::read);
  }

  /** Decodes the readable bytes of {@code entry}; indexes are unchanged, nothing is released. */
  public static StreamPurge decode(ByteBuf entry) {
    return JsonEntry.withBytes(entry, StreamPurgeCodec::decode);
  }

  static void write(GoJsonWriter w, StreamPurge p) {
    w.beginObject();
    if (p.client() != null) {
      w.name("client");
      ClientInfoJson.write(w, p.client());
    }
    w.str("stream", p.stream());
    w.u64("last_seq", p.lastSeq());
    w.str("subject", p.subject());
    w.str("reply", p.reply());
    if (p.request() != null) {
      PurgeRequest q = p.request();
      w.name("request").beginObject();
      w.u64Omit("seq", q.sequence());
      w.strOmit("filter", q.filter());
      w.u64Omit("keep", q.keep());
      w.endObject();
    }
    w.endObject();
  }

  static StreamPurge read(GoJsonReader r) {
    ClientInfo client = null;
    String stream = "";
    long lastSeq = 0;
    String subject = "";
    String reply = "";
    PurgeRequest request = null;
    if (r.tryNull()) {
      return new StreamPurge(null, "", 0, "", "", null);
    }
    r.beginObject(F);
    while (r.nextMember(F)) {
      String f = F + "." + r.key();
      switch (r.foldedKey()) {
        case "client" -> client = ClientInfoJson.read(r, f, client);
        case "stream" -> stream = r.string(f, stream);
        case "last_seq" -> lastSeq = r.uint64(f, lastSeq);
        case "subject" -> subject = r.string(f, subject);
        case "reply" -> reply = r.string(f, reply);
        case "request" -> request = readRequest(r, f, request);
        default -> r.skipValue(f);
      }
    }
    return new StreamPurge(client, stream, lastSeq, subject, reply, request);
  }

  private static PurgeRequest readRequest(GoJsonReader r, String field, PurgeRequest current) {
    if (r.tryNull()) {
      return null;
    }
    long seq = current == null ? 0 : current.sequence();
    String filter = current == null ? "" : current.filter();
    long keep = current == null ? 0 : current.keep();
    r.beginObject(field);
    while (r.nextMember(field)) {
      String f = field + "." + r.key();
      switch (r.foldedKey()) {
        case "seq" -> seq = r.uint64(f, seq);
        case "filter" -> filter = r.string(f, filter);
        case "keep" -> keep = r.uint64(f, keep);
        default -> r.skipValue(f);
      }
    }
    return new PurgeRequest(seq, filter, keep);
  }
}
