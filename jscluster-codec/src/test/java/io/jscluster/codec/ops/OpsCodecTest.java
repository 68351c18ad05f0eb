package io.jscluster.codec.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jscluster.codec.CodecException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Stream-op codec behaviour beyond the golden vectors. */
class OpsCodecTest {

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void syncRequestIsMarshalFormWithoutNewline() {
    StreamSyncRequest req = new StreamSyncRequest("S1Nunr6R", 10, -1, true, 77);
    byte[] json = StreamSyncRequestCodec.encode(req);
    assertThat(text(json)).isEqualTo(
        "{\"peer\":\"S1Nunr6R\",\"first_seq\":10,\"last_seq\":18446744073709551615,\"delete_ranges\":true,\"min_applied\":77}");
    assertThat(StreamSyncRequestCodec.decode(json)).isEqualTo(req);
    assertThat(text(StreamSyncRequestCodec.encode(new StreamSyncRequest(null, 0, 0, false, 0))))
        .isEqualTo("{\"first_seq\":0,\"last_seq\":0,\"delete_ranges\":false,\"min_applied\":0}");
    assertThat(StreamSyncRequestCodec.decode(" {\"PEER\":\"x\",\"extra\":[1],\"Delete_Ranges\":true}\n".getBytes()))
        .isEqualTo(new StreamSyncRequest("x", 0, 0, true, 0));
    assertThatThrownBy(() -> StreamSyncRequestCodec.decode("{\"first_seq\":-1}".getBytes()))
        .isInstanceOf(CodecException.class);
    assertThatThrownBy(() -> StreamSyncRequestCodec.decode(new byte[0])).isInstanceOf(CodecException.class);
  }

  @Test
  void deleteRangeStateWrapsLikeUint64() {
    assertThat(new DeleteRange(42, 0).state()).isEqualTo(new DeleteRange.State(42, 42, 0));
    assertThat(new DeleteRange(-1, -1).state()).isEqualTo(new DeleteRange.State(-1, -3, -1));
    assertThat(new DeleteRange(1001, 250).state()).isEqualTo(new DeleteRange.State(1001, 1250, 250));
  }

  @Test
  void deleteRangeIntoByteBufMatchesTheWriter() {
    long seed = 20261127L;
    System.out.println("OpsCodecTest.deleteRangeIntoByteBufMatchesTheWriter seed=" + seed);
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
    long[] edges = {0, 1, 9, 10, 99, 100, Long.MAX_VALUE, Long.MIN_VALUE, -1, -8_446_744_073_709_551_616L,
        -8_446_744_073_709_551_617L, 999_999_999_999_999_999L, 1_000_000_000_000_000_000L};
    io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer(8);
    try {
      for (int i = 0; i < 20_000; i++) {
        long first = i < edges.length ? edges[i] : rnd.nextLong() >>> rnd.nextInt(64);
        long num = i < edges.length ? edges[edges.length - 1 - i] : rnd.nextLong() >>> rnd.nextInt(64);
        DeleteRange dr = new DeleteRange(first, num);
        buf.clear();
        DeleteRangeCodec.encode(dr, buf);
        byte[] viaBuf = new byte[buf.readableBytes()];
        buf.getBytes(0, viaBuf);
        byte[] expected = JsonEntryCheck.deleteRangeViaWriter(dr);
        assertThat(viaBuf).as("%s", dr).isEqualTo(expected);
        assertThat(DeleteRangeCodec.decode(buf)).isEqualTo(dr);
      }
    } finally {
      buf.release();
    }
  }

  /** The general writer path, as the reference for the hand-written ByteBuf encoder. */
  static final class JsonEntryCheck {
    static byte[] deleteRangeViaWriter(DeleteRange dr) {
      return io.jscluster.codec.json.JsonEntry.encode(io.jscluster.codec.EntryOp.DELETE_RANGE,
          w -> DeleteRangeCodec.write(w, dr));
    }
  }

  @Test
  void wrongOpsAndTrailingDataAreRejected() {
    byte[] dr = DeleteRangeCodec.encode(new DeleteRange(1, 2));
    assertThatThrownBy(() -> StreamPurgeCodec.decode(dr)).isInstanceOf(CodecException.class);
    assertThatThrownBy(() -> MsgDeleteCodec.decode(dr)).isInstanceOf(CodecException.class);
    byte[] trailing = (text(dr) + "{}").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> DeleteRangeCodec.decode(trailing)).isInstanceOf(CodecException.class);
    byte[] noNewline = java.util.Arrays.copyOf(dr, dr.length - 1);
    assertThat(DeleteRangeCodec.decode(noNewline)).isEqualTo(new DeleteRange(1, 2));
  }

  @Test
  void nullMembersLeaveGoZeroValues() {
    byte[] e = "\u0005{\"stream\":null,\"last_seq\":null,\"client\":null,\"request\":{\"seq\":null,\"filter\":\"f\"}}"
        .getBytes(StandardCharsets.UTF_8);
    assertThat(StreamPurgeCodec.decode(e)).isEqualTo(new StreamPurge(null, "", 0, "", "", new PurgeRequest(0, "f", 0)));
  }
}
