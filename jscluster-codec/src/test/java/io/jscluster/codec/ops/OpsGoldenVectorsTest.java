package io.jscluster.codec.ops;

import static io.jscluster.codec.meta.VectorValues.bool;
import static io.jscluster.codec.meta.VectorValues.client;
import static io.jscluster.codec.meta.VectorValues.hex;
import static io.jscluster.codec.meta.VectorValues.num;
import static io.jscluster.codec.meta.VectorValues.str;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscluster.codec.CodecException;
import io.jscluster.codec.meta.VectorValues;
import io.jscluster.testing.GoldenVectors;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Golden vectors of nats-server for delete ranges (op 15), purges (op 5) and deletes (op 6). */
class OpsGoldenVectorsTest {

  @Test
  void deleteRange() throws Exception {
    JsonNode root = VectorValues.load(GoldenVectors.require("delete_range.json"));
    GoldenReport report = new GoldenReport("delete_range");
    for (JsonNode c : root.get("cases")) {
      report.countCase();
      String name = c.get("name").asText();
      byte[] bytes = hex(c.get("hex").asText());
      if (c.has("error")) {
        report.check(name, "decode error", () -> assertThatThrownBy(() -> DeleteRangeCodec.decode(bytes))
            .isInstanceOf(CodecException.class));
        continue;
      }
      if (c.has("encode_error")) {
        report.check(name, "encode error", () -> assertThatThrownBy(
            () -> DeleteRangeCodec.encode(deleteRange(c.get("fields")))).isInstanceOf(CodecException.class));
        continue;
      }
      JsonNode expectNode = c.has("decoded") ? c.get("decoded") : c.get("fields");
      DeleteRange expected = deleteRange(expectNode);
      report.check(name, "decode", () -> {
        assertThat(DeleteRangeCodec.decode(bytes)).isEqualTo(expected);
        assertThat((Object) decodeFromBuffers(bytes, DeleteRangeCodec::decode)).isEqualTo(expected);
      });
      JsonNode state = c.path("derived").path("state");
      if (!state.isMissingNode()) {
        report.check(name, "state", () -> assertThat(expected.state()).isEqualTo(
            new DeleteRange.State(num(state.get("first")), num(state.get("last")), num(state.get("num")))));
      }
      if (c.has("fields") && !c.path("decode_only").asBoolean()) {
        DeleteRange dr = deleteRange(c.get("fields"));
        report.check(name, "encode", () -> {
          assertThat(DeleteRangeCodec.encode(dr)).isEqualTo(bytes);
          assertThat(encodeToBuffer(b -> DeleteRangeCodec.encode(dr, b))).isEqualTo(bytes);
        });
      }
    }
    report.finish();
  }

  @Test
  void purgeAndDelete() throws Exception {
    JsonNode root = VectorValues.load(GoldenVectors.require("purge_and_delete.json"));
    GoldenReport report = new GoldenReport("purge_and_delete");
    for (JsonNode c : root.get("cases")) {
      report.countCase();
      String name = c.get("name").asText();
      byte[] bytes = hex(c.get("hex").asText());
      JsonNode fields = c.get("fields");
      boolean purge = fields != null ? fields.has("purge") : bytes.length > 0 && bytes[0] == 5;
      Function<byte[], Object> purgeDecoder = StreamPurgeCodec::decode;
      Function<byte[], Object> deleteDecoder = MsgDeleteCodec::decode;
      Function<byte[], Object> decoder = purge ? purgeDecoder : deleteDecoder;
      Function<ByteBuf, Object> purgeBufDecoder = StreamPurgeCodec::decode;
      Function<ByteBuf, Object> deleteBufDecoder = MsgDeleteCodec::decode;
      Function<ByteBuf, Object> bufDecoder = purge ? purgeBufDecoder : deleteBufDecoder;
      if (c.has("error")) {
        report.check(name, "decode error", () -> assertThatThrownBy(() -> decoder.apply(bytes))
            .isInstanceOf(CodecException.class));
        continue;
      }
      if (c.has("encode_error")) {
        report.check(name, "encode error", () -> assertThatThrownBy(() -> encode(purge, fields))
            .isInstanceOf(CodecException.class));
        continue;
      }
      JsonNode expectNode = c.has("decoded") ? c.get("decoded") : fields.get(purge ? "purge" : "delete");
      Object expected = purge ? purge(expectNode) : delete(expectNode);
      report.check(name, "decode", () -> {
        assertThat(decoder.apply(bytes)).isEqualTo(expected);
        assertThat(decodeFromBuffers(bytes, bufDecoder))
            .isEqualTo(expected);
      });
      if (fields != null && !c.path("decode_only").asBoolean()) {
        report.check(name, "encode", () -> assertThat(encode(purge, fields)).isEqualTo(bytes));
        report.check(name, "encode to ByteBuf", () -> assertThat(encodeToBuffer(b -> {
          if (purge) {
            StreamPurgeCodec.encode(purge(fields.get("purge")), b);
          } else {
            MsgDeleteCodec.encode(delete(fields.get("delete")), b);
          }
        })).isEqualTo(bytes));
      }
    }
    report.finish();
  }

  private static byte[] encode(boolean purge, JsonNode fields) {
    return purge ? StreamPurgeCodec.encode(purge(fields.get("purge")))
        : MsgDeleteCodec.encode(delete(fields.get("delete")));
  }

  static DeleteRange deleteRange(JsonNode n) {
    return new DeleteRange(num(n.get("First")), num(n.get("Num")));
  }

  static StreamPurge purge(JsonNode n) {
    JsonNode q = n.get("Request");
    PurgeRequest request = q == null || q.isNull() ? null
        : new PurgeRequest(num(q.get("Sequence")), str(q.get("Subject")), num(q.get("Keep")));
    return new StreamPurge(client(n.get("Client")), str(n.get("Stream")), num(n.get("LastSeq")),
        str(n.get("Subject")), str(n.get("Reply")), request);
  }

  static MsgDelete delete(JsonNode n) {
    return new MsgDelete(client(n.get("Client")), str(n.get("Stream")), num(n.get("Seq")),
        bool(n.get("NoErase")), str(n.get("Subject")), str(n.get("Reply")));
  }

  /** Decodes from a heap buffer with an offset and from a direct buffer; both must agree. */
  static <T> T decodeFromBuffers(byte[] bytes, Function<ByteBuf, T> decoder) {
    ByteBuf heap = Unpooled.buffer(bytes.length + 3);
    ByteBuf direct = Unpooled.directBuffer(bytes.length);
    try {
      heap.writeBytes(new byte[] {9, 9, 9}).writeBytes(bytes).readerIndex(3);
      direct.writeBytes(bytes);
      T a = decoder.apply(heap);
      T b = decoder.apply(direct);
      assertThat(b).isEqualTo(a);
      assertThat(heap.readerIndex()).isEqualTo(3);
      return a;
    } finally {
      heap.release();
      direct.release();
    }
  }

  /** Runs an encoder into a pooled-style direct buffer and returns the bytes written. */
  static byte[] encodeToBuffer(java.util.function.Consumer<ByteBuf> encoder) {
    ByteBuf buf = Unpooled.directBuffer(16);
    try {
      buf.writeByte(0x7f);
      encoder.accept(buf);
      byte[] out = new byte[buf.readableBytes() - 1];
      buf.getBytes(1, out);
      return out;
    } finally {
      buf.release();
    }
  }
}
