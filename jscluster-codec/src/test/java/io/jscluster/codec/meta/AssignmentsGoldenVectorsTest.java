package io.jscluster.codec.meta;

import static io.jscluster.codec.meta.VectorValues.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscluster.codec.CodecException;
import io.jscluster.codec.EntryOp;
import io.jscluster.codec.ops.GoldenReport;
import io.jscluster.codec.s2.S2Stream;
import io.jscluster.testing.GoldenVectors;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Golden vectors of nats-server for stream and consumer assignments (ops 0, 1, 2, 3, 9, 11). */
class AssignmentsGoldenVectorsTest {

  @Test
  void assignments() throws Exception {
    JsonNode root = VectorValues.load(GoldenVectors.require("assignments.json"));
    GoldenReport report = new GoldenReport("assignments");
    for (JsonNode c : root.get("cases")) {
      report.countCase();
      String name = c.get("name").asText();
      byte[] bytes = hex(c.get("hex").asText());
      JsonNode fields = c.get("fields");
      int opCode = fields != null ? fields.get("op_code").asInt() : (bytes.length > 0 ? bytes[0] & 0xff : -1);
      boolean consumer = opCode == 1 || opCode == 3 || opCode == 9;
      if (c.has("error")) {
        report.check(name, "decode error", () -> assertThatThrownBy(() -> decode(consumer, bytes))
            .isInstanceOf(CodecException.class));
        continue;
      }
      if (c.has("encode_error")) {
        report.check(name, "encode error", () -> assertThatThrownBy(() -> encode(opCode, consumer, fields))
            .isInstanceOf(CodecException.class));
        continue;
      }
      JsonNode expectNode = c.has("decoded") ? c.get("decoded") : fields.get("assignment");
      Object expected = consumer ? AssignmentVectors.consumer(expectNode) : AssignmentVectors.stream(expectNode);
      boolean unsupported = c.path("decoded_unsupported").asBoolean(false);
      report.check(name, "decode", () -> checkDecoded(decode(consumer, bytes), opCode, expected, unsupported));
      report.check(name, "decode ByteBuf", () -> {
        ByteBuf buf = Unpooled.directBuffer(bytes.length);
        try {
          buf.writeBytes(bytes);
          DecodedAssignment<?> d = consumer ? ConsumerAssignmentCodec.decode(buf) : StreamAssignmentCodec.decode(buf);
          checkDecoded(d, opCode, expected, unsupported);
          assertThat(buf.readerIndex()).isZero();
        } finally {
          buf.release();
        }
      });
      if (c.has("hex_s2_pure_go")) {
        byte[] pure = hex(c.get("hex_s2_pure_go").asText());
        report.check(name, "decode pure-Go S2", () -> checkDecoded(decode(true, pure), opCode, expected, unsupported));
      }
      if (fields == null || c.path("decode_only").asBoolean()) {
        continue;
      }
      if (c.path("compressed").asBoolean()) {
        byte[] plain = hex(c.get("uncompressed_hex").asText());
        report.check(name, "encode compressed", () -> {
          byte[] ours = encode(opCode, true, fields);
          assertThat(ours[0]).isEqualTo(EntryOp.ASSIGN_COMPRESSED_CONSUMER.asByte());
          byte[] inflated = S2Stream.decode(ours, 1, ours.length - 1, 1 << 24);
          assertThat(HexFormat.of().formatHex(inflated))
              .isEqualTo(HexFormat.of().formatHex(Arrays.copyOfRange(plain, 1, plain.length)));
          checkDecoded(ConsumerAssignmentCodec.decode(ours), opCode, expected, unsupported);
        });
      } else {
        report.check(name, "encode", () -> assertThat(new String(encode(opCode, consumer, fields), "UTF-8"))
            .isEqualTo(new String(bytes, "UTF-8")));
        report.check(name, "encode bytes", () -> assertThat(encode(opCode, consumer, fields)).isEqualTo(bytes));
        report.check(name, "encode ByteBuf", () -> {
          ByteBuf buf = Unpooled.directBuffer(16);
          try {
            EntryOp op = EntryOp.of((byte) opCode);
            if (consumer) {
              ConsumerAssignmentCodec.encode(op, AssignmentVectors.consumer(fields.get("assignment")), buf);
            } else {
              StreamAssignmentCodec.encode(op, AssignmentVectors.stream(fields.get("assignment")), buf);
            }
            byte[] out = new byte[buf.readableBytes()];
            buf.readBytes(out);
            assertThat(out).isEqualTo(bytes);
          } finally {
            buf.release();
          }
        });
      }
      // What we decode re-encodes to what Go decodes from our bytes: a stable round trip.
      report.check(name, "re-encode decoded", () -> {
        DecodedAssignment<?> d = decode(consumer, bytes);
        byte[] again = consumer
            ? ConsumerAssignmentCodec.encode(EntryOp.of((byte) opCode), (ConsumerAssignment) d.assignment())
            : StreamAssignmentCodec.encode(EntryOp.of((byte) opCode), (StreamAssignment) d.assignment());
        assertThat(decode(consumer, again).assignment()).isEqualTo(d.assignment());
      });
    }
    report.finish();
  }

  private static DecodedAssignment<?> decode(boolean consumer, byte[] bytes) {
    return consumer ? ConsumerAssignmentCodec.decode(bytes) : StreamAssignmentCodec.decode(bytes);
  }

  private static byte[] encode(int opCode, boolean consumer, JsonNode fields) {
    EntryOp op = EntryOp.of((byte) opCode);
    return consumer ? ConsumerAssignmentCodec.encode(op, AssignmentVectors.consumer(fields.get("assignment")))
        : StreamAssignmentCodec.encode(op, AssignmentVectors.stream(fields.get("assignment")));
  }

  private static void checkDecoded(DecodedAssignment<?> d, int opCode, Object expected, boolean unsupported) {
    assertThat(d.op().code()).isEqualTo(opCode);
    Object actual = d.assignment();
    if (actual instanceof StreamAssignment sa) {
      if (!unsupported && sa.config() != null) {
        assertThat(sa.config().unknown()).isEmpty();
      }
      actual = new StreamAssignment(sa.client(), sa.created(), AssignmentVectors.withoutUnknown(sa.config()),
          sa.group(), sa.sync(), sa.subject(), sa.reply(), sa.restore());
    } else if (actual instanceof ConsumerAssignment ca) {
      if (!unsupported && ca.config() != null) {
        assertThat(ca.config().unknown()).isEmpty();
      }
      actual = new ConsumerAssignment(ca.client(), ca.created(), ca.name(), ca.stream(),
          AssignmentVectors.withoutUnknown(ca.config()), ca.group(), ca.subject(), ca.reply(), ca.state());
    }
    assertThat(actual).isEqualTo(expected);
    assertThat(d.unsupported()).as("unsupported (%s)", d.unsupportedReason()).isEqualTo(unsupported);
  }
}
