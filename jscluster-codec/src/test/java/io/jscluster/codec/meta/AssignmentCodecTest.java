package io.jscluster.codec.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jscluster.codec.CodecException;
import io.jscluster.codec.EntryOp;
import io.jscluster.codec.json.RawJsonMember;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Behaviour of the assignment codecs beyond what the golden vectors show. */
class AssignmentCodecTest {

  private static final String GROUP = "\"group\":{\"name\":\"g\",\"peers\":[\"p\"],\"store\":\"file\"}";

  private static byte[] entry(int op, String json) {
    byte[] j = json.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[j.length + 1];
    out[0] = (byte) op;
    System.arraycopy(j, 0, out, 1, j.length);
    return out;
  }

  private static DecodedAssignment<StreamAssignment> stream(String config) {
    return StreamAssignmentCodec.decode(entry(0, "{\"created\":\"2024-01-01T00:00:00Z\",\"stream\":" + config + ","
        + GROUP + ",\"sync\":\"s\"}\n"));
  }

  @Test
  void fullRecordsRoundTrip() {
    StreamAssignment sa = MetaSamples.streamAssignment();
    for (EntryOp op : List.of(EntryOp.ASSIGN_STREAM, EntryOp.UPDATE_STREAM, EntryOp.REMOVE_STREAM)) {
      DecodedAssignment<StreamAssignment> d = StreamAssignmentCodec.decode(StreamAssignmentCodec.encode(op, sa));
      assertThat(d.op()).isEqualTo(op);
      // The proposal strips the client's JWT and issuer key, as nats-server does.
      assertThat(d.assignment()).isEqualTo(new StreamAssignment(sa.client().forProposal(), sa.created(), sa.config(),
          sa.group(), sa.sync(), sa.subject(), sa.reply(), sa.restore()));
    }
    ConsumerAssignment ca = MetaSamples.consumerAssignment();
    for (EntryOp op : List.of(EntryOp.ASSIGN_CONSUMER, EntryOp.REMOVE_CONSUMER, EntryOp.ASSIGN_COMPRESSED_CONSUMER)) {
      DecodedAssignment<ConsumerAssignment> d = ConsumerAssignmentCodec.decode(ConsumerAssignmentCodec.encode(op, ca));
      assertThat(d.op()).isEqualTo(op);
      assertThat(d.unsupported()).isFalse();
      assertThat(d.assignment()).isEqualTo(new ConsumerAssignment(ca.client().forProposal(), ca.created(), ca.name(),
          ca.stream(), ca.config(), ca.group(), ca.subject(), ca.reply(), ca.state()));
    }
  }

  @Test
  void unknownConfigMembersAreKeptAndMarkUnsupported() {
    DecodedAssignment<StreamAssignment> d = stream(
        "{\"future_option\" : { \"x\" : [1, \"<\"] },\"name\":\"S\",\"storage\":\"file\","
            + "\"placement\":{\"cluster\":\"c\",\"zone\":\"z1\"},\"later\":true}");
    assertThat(d.unsupportedReason()).isEqualTo("unsupported - config error: unknown field \"future_option\"");
    StreamConfig c = d.assignment().config();
    assertThat(c.unknown()).containsExactly(RawJsonMember.of("future_option", "{\"x\":[1,\"\\u003c\"]}"),
        RawJsonMember.of("later", "true"));
    assertThat(c.placement().unknown()).containsExactly(RawJsonMember.of("zone", "\"z1\""));
    String json = new String(StreamAssignmentCodec.encode(EntryOp.UPDATE_STREAM, d.assignment()), StandardCharsets.UTF_8);
    assertThat(json).contains("\"placement\":{\"cluster\":\"c\",\"zone\":\"z1\"}")
        .contains("\"allow_msg_ttl\":false,\"future_option\":{\"x\":[1,\"\\u003c\"]},\"later\":true}");
    // Nested unknowns alone also make the config unsupported (Go's strict decode covers nested objects).
    assertThat(stream("{\"name\":\"S\",\"storage\":\"file\",\"consumer_limits\":{\"y\":1}}").unsupportedReason())
        .isEqualTo("unsupported - config error: unknown field \"y\"");
  }

  @Test
  void requiredApiLevel() {
    assertThat(stream("{\"metadata\":{\"_nats.req.level\":\"6\"}}").unsupportedReason())
        .isEqualTo("unsupported - required API level: 6, current API level: 5");
    assertThat(stream("{\"metadata\":{\"_nats.req.level\":\"5\"}}").unsupported()).isFalse();
    assertThat(stream("{\"metadata\":{\"_nats.req.level\":\"\"}}").unsupported()).isFalse();
    assertThat(stream("{\"metadata\":{\"_nats.req.level\":\"+1\"}}").unsupported()).isFalse();
    assertThat(stream("{\"metadata\":{\"_nats.req.level\":\"-9223372036854775808\"}}").unsupported()).isFalse();
    assertThat(stream("{\"metadata\":{\"_nats.req.level\":\"x\"}}").unsupported()).isTrue();
    assertThat(stream("{\"metadata\":{\"_nats.req.level\":\"99999999999999999999\"}}").unsupported()).isTrue();
    assertThat(ApiLevel.supported(Map.of("_nats.req.level", "0000000000000000000000000003"))).isTrue();
  }

  @Test
  void goDecodingQuirks() {
    // A null config decodes as an empty one; a mirror's dedup window is forced to zero.
    assertThat(stream("null").assignment().config()).isEqualTo(StreamConfig.empty());
    StreamConfig mirror = stream("{\"duplicate_window\":5,\"mirror\":{\"name\":\"M\"}}").assignment().config();
    assertThat(mirror.duplicates()).isZero();
    // Keys match case-insensitively; enum text does not (except discard, which Go lower-cases).
    StreamConfig c = stream("{\"NAME\":\"x\",\"Retention\":\"interest\",\"discard\":\"NEW\","
        + "\"compression\":\"\\u0073\\u0032\",\"persist_mode\":\"\"}").assignment().config();
    assertThat(c.name()).isEqualTo("x");
    assertThat(c.retention()).isEqualTo(RetentionPolicy.INTEREST);
    assertThat(c.discard()).isEqualTo(DiscardPolicy.NEW);
    assertThat(c.compression()).isEqualTo(StoreCompression.S2);
    assertThat(c.persistMode()).isEqualTo(PersistMode.DEFAULT);
    for (String bad : List.of("{\"retention\":\"Limits\"}", "{\"retention\":null}", "{\"storage\":\"disk\"}",
        "{\"compression\":null}", "{\"max_msg_size\":2147483648}", "{\"name\":5}", "[]", "\"x\"")) {
      assertThatThrownBy(() -> stream(bad)).as(bad).isInstanceOf(CodecException.class);
    }
    // The config must be present at all.
    assertThatThrownBy(() -> StreamAssignmentCodec.decode(entry(0, "{" + GROUP + "}")))
        .isInstanceOf(CodecException.class);
    assertThatThrownBy(() -> StreamAssignmentCodec.decode(entry(1, "{}"))).isInstanceOf(CodecException.class);
    assertThatThrownBy(() -> StreamAssignmentCodec.decode(new byte[0])).isInstanceOf(CodecException.class);
  }

  @Test
  void unencodableValues() {
    StreamAssignment sa = MetaSamples.streamAssignment();
    // Go cannot marshal a zero storage type: the config is written as null, as Go's encoder does.
    StreamAssignment noStorage = new StreamAssignment(sa.client(), sa.created(), StreamConfig.empty(), sa.group(),
        sa.sync(), sa.subject(), sa.reply(), null);
    assertThat(new String(StreamAssignmentCodec.encode(EntryOp.ASSIGN_STREAM, noStorage), StandardCharsets.UTF_8))
        .contains("\"stream\":null,");
    // A group without storage type makes Go's whole encode fail.
    RaftGroup g = new RaftGroup("g", null, null, "", "", false, null, null);
    StreamAssignment badGroup = new StreamAssignment(null, null, null, g, "", "", "", null);
    assertThatThrownBy(() -> StreamAssignmentCodec.encode(EntryOp.ASSIGN_STREAM, badGroup))
        .isInstanceOf(CodecException.class);
    assertThatThrownBy(() -> StreamAssignmentCodec.encode(EntryOp.ASSIGN_CONSUMER, sa))
        .isInstanceOf(CodecException.class);
  }

  @Test
  void compressedConsumerIgnoresDataAfterTheFirstValue() {
    ConsumerAssignment ca = MetaSamples.consumerAssignment();
    byte[] json = ConsumerAssignmentCodec.encode(EntryOp.ASSIGN_CONSUMER, ca);
    byte[] withTrailer = new byte[json.length - 1 + 3];
    System.arraycopy(json, 1, withTrailer, 0, json.length - 1);
    withTrailer[withTrailer.length - 3] = 'x';
    withTrailer[withTrailer.length - 2] = '{';
    withTrailer[withTrailer.length - 1] = '[';
    byte[] stream = io.jscluster.codec.s2.S2Stream.encode(withTrailer);
    byte[] e = new byte[stream.length + 1];
    e[0] = 9;
    System.arraycopy(stream, 0, e, 1, stream.length);
    assertThat(ConsumerAssignmentCodec.decode(e).assignment().name()).isEqualTo("dur");
    byte[] empty = io.jscluster.codec.s2.S2Stream.encode(new byte[0]);
    byte[] e2 = new byte[empty.length + 1];
    e2[0] = 9;
    System.arraycopy(empty, 0, e2, 1, empty.length);
    assertThatThrownBy(() -> ConsumerAssignmentCodec.decode(e2)).isInstanceOf(CodecException.class);
  }
}
