package io.jscluster.codec.msg;

import static io.jscluster.codec.s2.VectorFile.hex;
import static io.jscluster.codec.s2.VectorFile.u64;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscluster.codec.CodecException;
import io.jscluster.codec.s2.VectorFile;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every case of stream_msg.json and batch_msg.json; failures collected and reported together. */
class MsgGoldenTest {

  static StreamMsg msgFrom(JsonNode f) {
    return new StreamMsg(
        f.get("subject").asText(),
        f.get("reply").asText(),
        hex(f, "hdr"),
        hex(f, "msg"),
        u64(f.get("lseq")),
        u64(f.get("ts")),
        f.get("sourced").asBoolean());
  }

  /** The expected decoded message: hdr/msg of zero length come back as null. */
  static StreamMsg expectedFrom(JsonNode f) {
    StreamMsg m = msgFrom(f);
    return new StreamMsg(
        m.subject(),
        m.reply(),
        m.hdrLength() == 0 ? null : m.hdr(),
        m.msgLength() == 0 ? null : m.msg(),
        m.lseq(),
        m.ts(),
        m.sourced());
  }

  private static void check(List<String> failures, String name, Runnable r) {
    try {
      r.run();
    } catch (AssertionError | RuntimeException e) {
      failures.add(name + ": " + e.getMessage());
    }
  }

  private static void expectFailure(Runnable r) {
    try {
      r.run();
    } catch (CodecException expected) {
      return;
    }
    throw new AssertionError("decode should fail with CodecException");
  }

  /** Encodes into a heap and a direct ByteBuf and checks both equal the array form. */
  private static void assertByteBufEncodingMatches(byte[] expected, java.util.function.Consumer<ByteBuf> enc) {
    for (ByteBuf buf : new ByteBuf[] {Unpooled.buffer(16), Unpooled.directBuffer(16)}) {
      try {
        buf.writeByte(0x7e); // something before, to check the writer index handling
        enc.accept(buf);
        byte[] got = new byte[buf.readableBytes() - 1];
        buf.getBytes(1, got);
        assertThat(hex(got)).isEqualTo(hex(expected));
      } finally {
        buf.release();
      }
    }
  }

  @Test
  void streamMsgVectors() {
    List<JsonNode> cases = VectorFile.cases("stream_msg.json");
    List<String> failures = new ArrayList<>();
    for (JsonNode c : cases) {
      String name = c.get("name").asText();
      byte[] bytes = hex(c, "hex");
      if (c.has("error")) {
        check(failures, name, () -> expectFailure(() -> StreamMsgCodec.decode(bytes)));
        continue;
      }
      StreamMsg expected = expectedFrom(c.has("decoded") ? c.get("decoded") : c.get("fields"));
      for (String field : new String[] {"hex", "hex_s2_pure_go"}) {
        byte[] in = hex(c, field);
        if (in != null) {
          check(
              failures,
              name + " decode " + field,
              () -> assertThat(StreamMsgCodec.decode(in)).isEqualTo(expected));
        }
      }
      check(
          failures,
          name + " decode ByteBuf",
          () -> {
            ByteBuf buf = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
            try {
              assertThat(StreamMsgCodec.decode(buf)).isEqualTo(expected);
              assertThat(buf.readerIndex()).isZero();
            } finally {
              buf.release();
            }
          });
      if (!c.has("fields") || c.path("decode_only").asBoolean(false)) {
        continue;
      }
      check(
          failures,
          name + " encode",
          () -> {
            StreamMsg m = msgFrom(c.get("fields"));
            boolean compressed = c.get("compressed").asBoolean();
            byte[] ours = StreamMsgCodec.encode(m);
            if (!compressed) {
              assertThat(hex(ours)).isEqualTo(c.get("hex").asText());
              assertThat(hex(StreamMsgCodec.encodeUncompressed(m))).isEqualTo(c.get("hex").asText());
            } else {
              assertThat(hex(StreamMsgCodec.encodeUncompressed(m)))
                  .isEqualTo(c.get("uncompressed_hex").asText());
              assertThat(ours[0]).as("compress decision").isEqualTo((byte) 14);
              assertThat(ours.length).isLessThan(hex(c, "uncompressed_hex").length);
            }
            assertThat(StreamMsgCodec.decode(ours)).isEqualTo(expected);
            assertByteBufEncodingMatches(ours, buf -> StreamMsgCodec.encode(m, buf));
          });
    }
    System.out.println(
        "golden stream_msg: " + cases.size() + " cases, " + failures.size() + " failures");
    assertThat(failures).isEmpty();
  }

  @Test
  void batchMsgVectors() {
    List<JsonNode> cases = VectorFile.cases("batch_msg.json");
    List<String> failures = new ArrayList<>();
    for (JsonNode c : cases) {
      String name = c.get("name").asText();
      byte[] bytes = hex(c, "hex");
      if (c.has("error")) {
        check(
            failures,
            name,
            () -> {
              expectFailure(() -> BatchMsgCodec.decodeFrame(bytes, 0, bytes.length));
              expectFailure(() -> BatchMsgCodec.decode(bytes));
            });
        continue;
      }
      JsonNode d = c.get("decoded");
      for (String field : new String[] {"hex", "hex_s2_pure_go"}) {
        byte[] in = hex(c, field);
        if (in == null) {
          continue;
        }
        check(
            failures,
            name + " decode " + field,
            () -> {
              int op = d.get("op").asInt();
              if (op == 4) {
                assertThat(StreamMsgCodec.decode(in)).isEqualTo(expectedFrom(d.get("msg")));
                return;
              }
              BatchMsgCodec.Frame f = BatchMsgCodec.decodeFrame(in, 0, in.length);
              assertThat(f.commit()).isEqualTo(op == 17);
              assertThat(f.batchId()).isEqualTo(d.get("batch_id").asText());
              assertThat(f.batchSeq()).isEqualTo(u64(d.get("batch_seq")));
              assertThat(f.innerOp()).isEqualTo(d.get("inner_op").asInt());
              if (d.has("inner_hex")) {
                assertThat(hex(java.util.Arrays.copyOfRange(
                        in, f.bodyOffset(), f.bodyOffset() + f.bodyLength())))
                    .isEqualTo(d.get("inner_hex").asText());
                // The body itself is not a stream message, so the full decode fails.
                expectFailure(() -> BatchMsgCodec.decode(in));
                return;
              }
              BatchMsg b = BatchMsgCodec.decode(in);
              assertThat(b.batchId()).isEqualTo(f.batchId());
              assertThat(b.batchSeq()).isEqualTo(f.batchSeq());
              assertThat(b.commit()).isEqualTo(f.commit());
              assertThat(b.msg()).isEqualTo(expectedFrom(d.get("msg")));
            });
      }
      if (!c.has("fields") || c.path("decode_only").asBoolean(false)) {
        continue;
      }
      check(
          failures,
          name + " encode",
          () -> {
            JsonNode fl = c.get("fields");
            BatchMsg b =
                new BatchMsg(
                    fl.get("batch_id").asText(),
                    u64(fl.get("batch_seq")),
                    fl.get("batch_commit").asBoolean(),
                    msgFrom(fl));
            byte[] ours = BatchMsgCodec.encode(b);
            boolean compressed = c.get("compressed").asBoolean();
            if (!compressed) {
              assertThat(hex(ours)).isEqualTo(c.get("hex").asText());
            } else {
              byte[] plain = hex(c, "uncompressed_hex");
              assertThat(hex(BatchMsgCodec.encodeUncompressed(b))).isEqualTo(hex(plain));
              BatchMsgCodec.Frame f = BatchMsgCodec.decodeFrame(ours, 0, ours.length);
              assertThat(f.innerOp()).as("compress decision").isEqualTo(14);
              assertThat(BatchMsgCodec.decode(ours).msg())
                  .isEqualTo(expectedFrom(c.get("decoded").get("msg")));
            }
            assertByteBufEncodingMatches(ours, buf -> BatchMsgCodec.encode(b, buf));
          });
    }
    System.out.println(
        "golden batch_msg: " + cases.size() + " cases, " + failures.size() + " failures");
    assertThat(failures).isEmpty();
  }
}
