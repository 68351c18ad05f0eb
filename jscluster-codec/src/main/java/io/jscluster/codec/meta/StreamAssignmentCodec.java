package io.jscluster.codec.meta;

import io.jscluster.codec.CodecException;
import io.jscluster.codec.EntryOp;
import io.jscluster.codec.json.GoJsonReader;
import io.jscluster.codec.json.GoJsonWriter;
import io.jscluster.codec.json.JsonEntry;
import io.netty.buffer.ByteBuf;
import java.time.OffsetDateTime;

/**
 * Stream assignment entries: ops 0 (add), 11 (update) and 2 (remove), each
 * {@code [op]} + JSON of {@link StreamAssignment} + {@code '\n'}.
 *
 * <p>Encoding follows nats-server: the client is replaced by {@link ClientInfo#forProposal()} and
 * the config is marshalled afresh from the record. When Go could not marshal the config (its
 * storage is {@link StorageType#UNSPECIFIED}, or a time is outside years 0–9999) Go writes
 * {@code "stream":null}, and so does this codec; any other unencodable value fails with
 * {@link CodecException}.
 *
 * <p>Decoding follows nats-server too: the envelope leniently, then the config, which must be
 * present; unknown config members are kept (see {@link StreamConfig#unknown()}) and make the
 * assignment unsupported, as does a required API level above {@link ApiLevel#CURRENT}. A config
 * with a mirror has its {@code duplicate_window} forced to 0 (a repair nats-server applies).
 */
public final class StreamAssignmentCodec {

  private static final String F = "streamAssignment";

  private StreamAssignmentCodec() {}

  /**
   * Encodes an entry.
   *
   * @param op {@link EntryOp#ASSIGN_STREAM}, {@link EntryOp#UPDATE_STREAM} or {@link EntryOp#REMOVE_STREAM}
   * @throws CodecException for another op or a value Go cannot marshal
   */
  public static byte[] encode(EntryOp op, StreamAssignment sa) {
    checkOp(op);
    return JsonEntry.encode(op, w -> write(w, sa));
  }

  /**
   * As {@link #encode(EntryOp, StreamAssignment)}, appending to {@code out}. The caller keeps
   * ownership of {@code out}; nothing is retained or released, and nothing is written on failure.
   */
  public static void encode(EntryOp op, StreamAssignment sa, ByteBuf out) {
    checkOp(op);
    JsonEntry.encode(op, w -> write(w, sa), out);
  }

  /**
   * Decodes an entry (op byte included).
   *
   * @throws CodecException for another op, malformed JSON, a mistyped or missing config, or an
   *     invalid enum value
   */
  public static DecodedAssignment<StreamAssignment> decode(byte[] entry) {
    return decode(entry, 0, entry.length);
  }

  /** Decodes {@code len} bytes of {@code entry} from {@code off}. */
  public static DecodedAssignment<StreamAssignment> decode(byte[] entry, int off, int len) {
    EntryOp op = JsonEntry.op(entry, off, len, EntryOp.ASSIGN_STREAM, EntryOp.UPDATE_STREAM, EntryOp.REMOVE_STREAM);
    DecodedAssignment<StreamAssignment> body =
        JsonEntry.decode(entry, off + 1, len - 1, 1, F, StreamAssignmentCodec::read);
    return new DecodedAssignment<>(op, body.assignment(), body.unsupportedReason());
  }

  /** Decodes the readable bytes of {@code entry}; indexes are unchanged, nothing is released. */
  public static DecodedAssignment<StreamAssignment> decode(ByteBuf entry) {
    return JsonEntry.withBytes(entry, StreamAssignmentCodec::decode);
  }

  private static void checkOp(EntryOp op) {
    if (op != EntryOp.ASSIGN_STREAM && op != EntryOp.UPDATE_STREAM && op != EntryOp.REMOVE_STREAM) {
      throw new CodecException("op", -1, "not a stream assignment op: " + op);
    }
  }

  static void write(GoJsonWriter w, StreamAssignment sa) {
    w.beginObject();
    if (sa.client() != null) {
      w.name("client");
      ClientInfoJson.write(w, sa.client().forProposal());
    }
    w.time("created", sa.created());
    w.name("stream");
    if (sa.config() == null || !MetaJson.encodable(sa.config())) {
      w.nullValue();
    } else {
      MetaJson.write(w, sa.config());
    }
    w.name("group");
    if (sa.group() == null) {
      w.nullValue();
    } else {
      MetaJson.write(w, sa.group());
    }
    w.str("sync", sa.sync());
    w.strOmit("subject", sa.subject());
    w.strOmit("reply", sa.reply());
    if (sa.restore() != null) {
      w.name("restore_state");
      MetaJson.write(w, sa.restore());
    }
    w.endObject();
  }

  static DecodedAssignment<StreamAssignment> read(GoJsonReader r) {
    ClientInfo client = null;
    OffsetDateTime created = null;
    int configStart = -1;
    int configEnd = -1;
    RaftGroup group = null;
    String sync = "";
    String subject = "";
    String reply = "";
    StreamState restore = null;
    if (!r.tryNull()) {
      r.beginObject(F);
      while (r.nextMember(F)) {
        String f = F + "." + r.key();
        switch (r.foldedKey()) {
          case "client" -> client = ClientInfoJson.read(r, f, client);
          case "created" -> created = r.time(f, created);
          case "stream" -> {
            r.markValue();
            r.skipValue(f);
            configStart = r.valueStart();
            configEnd = r.position();
          }
          case "group" -> group = MetaJson.readGroup(r, f, group);
          case "sync" -> sync = r.string(f, sync);
          case "subject" -> subject = r.string(f, subject);
          case "reply" -> reply = r.string(f, reply);
          case "restore_state" -> restore = MetaJson.readStreamState(r, f, restore);
          default -> r.skipValue(f);
        }
      }
    }
    if (configStart < 0) {
      throw r.error(F + ".stream", "missing stream config: unexpected end of JSON input");
    }
    MetaJson.Strictness strict = new MetaJson.Strictness();
    GoJsonReader cr = r.window(configStart, configEnd);
    StreamConfig config = MetaJson.readStreamConfig(cr, F + ".stream", strict);
    cr.expectEnd(F + ".stream");
    if (config.mirror() != null && config.duplicates() != 0) {
      config = config.withDuplicates(0);
    }
    StreamAssignment sa = new StreamAssignment(client, created, config, group, sync, subject, reply, restore);
    return new DecodedAssignment<>(null, sa, unsupportedReason(strict, config.metadata()));
  }

  /** The offline reason nats-server gives an unsupported asset, or null when supported. */
  static String unsupportedReason(MetaJson.Strictness strict, java.util.Map<String, String> metadata) {
    if (strict.firstUnknown() != null) {
      return "unsupported - config error: unknown field \"" + strict.firstUnknown() + "\"";
    }
    if (!ApiLevel.supported(metadata)) {
      return "unsupported - required API level: " + ApiLevel.required(metadata) + ", current API level: "
          + ApiLevel.CURRENT;
    }
    return null;
  }
}
