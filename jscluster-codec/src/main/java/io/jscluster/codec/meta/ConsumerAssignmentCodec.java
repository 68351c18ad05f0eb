package io.jscluster.codec.meta;

import io.jscluster.codec.CodecException;
import io.jscluster.codec.EntryOp;
import io.jscluster.codec.json.GoJsonReader;
import io.jscluster.codec.json.GoJsonWriter;
import io.jscluster.codec.json.JsonEntry;
import io.jscluster.codec.s2.S2Stream;
import io.netty.buffer.ByteBuf;
import java.time.OffsetDateTime;

/**
 * Consumer assignment entries: ops 1 (add) and 3 (remove), {@code [op]} + JSON of
 * {@link ConsumerAssignment} + {@code '\n'}; and op 9 (compressed add), {@code [0x09]} + an S2
 * framed stream holding that JSON and newline.
 *
 * <p>Encoding and decoding follow {@link StreamAssignmentCodec}: the client is stripped for the
 * proposal, the config is re-marshalled (written as {@code null} where Go cannot marshal it),
 * unknown config members are kept and make the assignment unsupported, as does a required API
 * level above {@link ApiLevel#CURRENT}. For op 9 the first JSON value of the decompressed stream
 * is decoded and anything after it ignored, as Go's {@code json.Decoder} does.
 */
public final class ConsumerAssignmentCodec {

  /** The most decompressed bytes accepted from an op 9 entry. */
  public static final int MAX_DECOMPRESSED = 64 << 20;

  private static final String F = "consumerAssignment";

  private ConsumerAssignmentCodec() {}

  /**
   * Encodes an entry.
   *
   * @param op {@link EntryOp#ASSIGN_CONSUMER}, {@link EntryOp#REMOVE_CONSUMER} or
   *     {@link EntryOp#ASSIGN_COMPRESSED_CONSUMER}
   * @throws CodecException for another op or a value Go cannot marshal
   */
  public static byte[] encode(EntryOp op, ConsumerAssignment ca) {
    checkOp(op);
    if (op == EntryOp.ASSIGN_COMPRESSED_CONSUMER) {
      return compressed(ca);
    }
    return JsonEntry.encode(op, w -> write(w, ca));
  }

  /**
   * As {@link #encode(EntryOp, ConsumerAssignment)}, appending to {@code out}. The caller keeps
   * ownership of {@code out}; nothing is retained or released, and nothing is written on failure.
   */
  public static void encode(EntryOp op, ConsumerAssignment ca, ByteBuf out) {
    checkOp(op);
    if (op == EntryOp.ASSIGN_COMPRESSED_CONSUMER) {
      out.writeBytes(compressed(ca));
    } else {
      JsonEntry.encode(op, w -> write(w, ca), out);
    }
  }

  private static byte[] compressed(ConsumerAssignment ca) {
    byte[] json = JsonEntry.encode(null, w -> {
      write(w, ca);
      w.rawByte('\n');
    });
    byte[] stream = S2Stream.encode(json);
    byte[] out = new byte[stream.length + 1];
    out[0] = EntryOp.ASSIGN_COMPRESSED_CONSUMER.asByte();
    System.arraycopy(stream, 0, out, 1, stream.length);
    return out;
  }

  /**
   * Decodes an entry (op byte included), decompressing op 9.
   *
   * @throws CodecException for another op, a corrupt S2 stream (offsets then count from the
   *     byte after the op), malformed JSON, a mistyped or missing config, or an invalid enum value
   */
  public static DecodedAssignment<ConsumerAssignment> decode(byte[] entry) {
    return decode(entry, 0, entry.length);
  }

  /** Decodes {@code len} bytes of {@code entry} from {@code off}. */
  public static DecodedAssignment<ConsumerAssignment> decode(byte[] entry, int off, int len) {
    EntryOp op = JsonEntry.op(entry, off, len, EntryOp.ASSIGN_CONSUMER, EntryOp.REMOVE_CONSUMER,
        EntryOp.ASSIGN_COMPRESSED_CONSUMER);
    DecodedAssignment<ConsumerAssignment> body;
    if (op == EntryOp.ASSIGN_COMPRESSED_CONSUMER) {
      byte[] json = S2Stream.decode(entry, off + 1, len - 1, MAX_DECOMPRESSED);
      GoJsonReader r = new GoJsonReader(json, 0, json.length, 0);
      if (r.peek() < 0) {
        throw r.error(F, "unexpected end of decompressed stream");
      }
      body = read(r);
    } else {
      body = JsonEntry.decode(entry, off + 1, len - 1, 1, F, ConsumerAssignmentCodec::read);
    }
    return new DecodedAssignment<>(op, body.assignment(), body.unsupportedReason());
  }

  /** Decodes the readable bytes of {@code entry}; indexes are unchanged, nothing is released. */
  public static DecodedAssignment<ConsumerAssignment> decode(ByteBuf entry) {
    return JsonEntry.withBytes(entry, ConsumerAssignmentCodec::decode);
  }

  private static void checkOp(EntryOp op) {
    if (op != EntryOp.ASSIGN_CONSUMER && op != EntryOp.REMOVE_CONSUMER && op != EntryOp.ASSIGN_COMPRESSED_CONSUMER) {
      throw new CodecException("op", -1, "not a consumer assignment op: " + op);
    }
  }

  static void write(GoJsonWriter w, ConsumerAssignment ca) {
    w.beginObject();
    if (ca.client() != null) {
      w.name("client");
      ClientInfoJson.write(w, ca.client().forProposal());
    }
    w.time("created", ca.created());
    w.str("name", ca.name());
    w.str("stream", ca.stream());
    w.name("consumer");
    if (ca.config() == null || !MetaJson.encodable(ca.config())) {
      w.nullValue();
    } else {
      MetaJson.write(w, ca.config());
    }
    w.name("group");
    if (ca.group() == null) {
      w.nullValue();
    } else {
      MetaJson.write(w, ca.group());
    }
    w.strOmit("subject", ca.subject());
    w.strOmit("reply", ca.reply());
    if (ca.state() != null) {
      w.name("state");
      MetaJson.write(w, ca.state());
    }
    w.endObject();
  }

  static DecodedAssignment<ConsumerAssignment> read(GoJsonReader r) {
    ClientInfo client = null;
    OffsetDateTime created = null;
    String name = "";
    String stream = "";
    int configStart = -1;
    int configEnd = -1;
    RaftGroup group = null;
    String subject = "";
    String reply = "";
    ConsumerState state = null;
    if (!r.tryNull()) {
      r.beginObject(F);
      while (r.nextMember(F)) {
        String f = F + "." + r.key();
        switch (r.foldedKey()) {
          case "client" -> client = ClientInfoJson.read(r, f, client);
          case "created" -> created = r.time(f, created);
          case "name" -> name = r.string(f, name);
          case "stream" -> stream = r.string(f, stream);
          case "consumer" -> {
            r.markValue();
            r.skipValue(f);
            configStart = r.valueStart();
            configEnd = r.position();
          }
          case "group" -> group = MetaJson.readGroup(r, f, group);
          case "subject" -> subject = r.string(f, subject);
          case "reply" -> reply = r.string(f, reply);
          case "state" -> state = MetaJson.readConsumerState(r, f, state);
          default -> r.skipValue(f);
        }
      }
    }
    if (configStart < 0) {
      throw r.error(F + ".consumer", "missing consumer config: unexpected end of JSON input");
    }
    MetaJson.Strictness strict = new MetaJson.Strictness();
    GoJsonReader cr = r.window(configStart, configEnd);
    ConsumerConfig config = MetaJson.readConsumerConfig(cr, F + ".consumer", strict);
    cr.expectEnd(F + ".consumer");
    ConsumerAssignment ca = new ConsumerAssignment(client, created, name, stream, config, group, subject, reply, state);
    return new DecodedAssignment<>(null, ca, StreamAssignmentCodec.unsupportedReason(strict, config.metadata()));
  }
}
