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
 * Op 6 entries: {@code [0x06]} + JSON of {@link MsgDelete} + {@code '\n'}. Members in order:
 * {@code client} (omitempty), {@code stream}, {@code seq}, {@code no_erase} (omitempty),
 * {@code subject}, {@code reply}.
 */
public final class MsgDeleteCodec {

  private static final String F = "streamMsgDelete";

  private MsgDeleteCodec() {}

  /** Encodes an op 6 entry. */
  public static byte[] encode(MsgDelete d) {
    return JsonEntry.encode(EntryOp.DELETE_MSG, w -> write(w, d));
  }

  /** Appends an op 6 entry to {@code out}; the caller keeps ownership of {@code out}. */
  public static void encode(MsgDelete d, ByteBuf out) {
    JsonEntry.encode(EntryOp.DELETE_MSG, w -> write(w, d), out);
  }

  /**
   * Decodes an op 6 entry (op byte included).
   *
   * @throws CodecException for a wrong op or malformed JSON
   */
  public static MsgDelete decode(byte[] entry) {
    return decode(entry, 0, entry.length);
  }

  /** Decodes {@code len} bytes of {@code entry} from {@code off}. */
  public static MsgDelete decode(byte[] entry, int off, int len) {
    JsonEntry.op(entry, off, len, EntryOp.DELETE_MSG);
    return JsonEntry.decode(entry, off + 1, len - 1, 1, F, MsgDeleteCodec::read);
  }

  /** Decodes the readable bytes of {@code entry}; indexes are unchanged, nothing is released. */
  public static MsgDelete decode(ByteBuf entry) {
    return JsonEntry.withBytes(entry, MsgDeleteCodec::decode);
  }

  static void write(GoJsonWriter w, MsgDelete d) {
    w.beginObject();
    if (d.client() != null) {
      w.name("client");
      ClientInfoJson.write(w, d.client());
    }
    w.str("stream", d.stream());
    w.u64("seq", d.seq());
    w.boolOmit("no_erase", d.noErase());
    w.str("subject", d.subject());
    w.str("reply", d.reply());
    w.endObject();
  }

  static MsgDelete read(GoJsonReader r) {
    ClientInfo client = null;
    String stream = "";
    long seq = 0;
    boolean noErase = false;
    String subject = "";
    String reply = "";
    if (r.tryNull()) {
      return new MsgDelete(null, "", 0, false, "", "");
    }
    r.beginObject(F);
    while (r.nextMember(F)) {
      String f = F + "." + r.key();
      switch (r.foldedKey()) {
        case "client" -> client = ClientInfoJson.read(r, f, client);
        case "stream" -> stream = r.string(f, stream);
        case "seq" -> seq = r.uint64(f, seq);
        case "no_erase" -> noErase = r.bool(f, noErase);
        case "subject" -> subject = r.string(f, subject);
        case "reply" -> reply = r.string(f, reply);
        default -> r.skipValue(f);
      }
    }
    return new MsgDelete(client, stream, seq, noErase, subject, reply);
  }
}
