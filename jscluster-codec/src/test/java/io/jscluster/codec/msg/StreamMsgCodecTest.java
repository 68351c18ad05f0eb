package io.jscluster.codec.msg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jscluster.codec.CodecException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StreamMsgCodecTest {

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void randomMessagesRoundTripThroughArraysAndBuffers() {
    long seed = 42;
    System.out.println("StreamMsgCodecTest seed=" + seed);
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < 2000; i++) {
      int size = r.nextInt(4) == 0 ? r.nextInt(40_000) : r.nextInt(300);
      byte[] payload = new byte[size];
      boolean compressible = r.nextBoolean();
      for (int j = 0; j < size; j++) {
        payload[j] = compressible ? (byte) ('a' + (j / 7) % 5) : (byte) r.nextInt(256);
      }
      StreamMsg m =
          new StreamMsg(
              r.nextBoolean() ? "orders." + i : "ünïcødé." + i,
              r.nextBoolean() ? "" : "_INBOX." + i,
              r.nextBoolean() ? null : bytes("NATS/1.0\r\nK: " + i + "\r\n\r\n"),
              size == 0 ? null : payload,
              r.nextLong(),
              r.nextLong(),
              r.nextBoolean());
      byte[] enc = StreamMsgCodec.encode(m);
      assertThat(StreamMsgCodec.decode(enc)).isEqualTo(m);
      byte[] plain = StreamMsgCodec.encodeUncompressed(m);
      assertThat(plain.length).isEqualTo(StreamMsgCodec.uncompressedLength(m));
      assertThat(enc.length).isLessThanOrEqualTo(plain.length);
      if (enc[0] == 14) {
        assertThat(StreamMsgCodec.compressionCandidate(m)).isTrue();
      }
      BatchMsg b = new BatchMsg("batch-" + i, i + 1, r.nextBoolean(), m);
      assertThat(BatchMsgCodec.decode(BatchMsgCodec.encode(b))).isEqualTo(b);
    }
  }

  @Test
  void viewSharesTheInputArray() {
    StreamMsg m = new StreamMsg("a.b", "r", bytes("NATS/1.0\r\n\r\n"), bytes("hello"), 5, 6, true);
    byte[] enc = StreamMsgCodec.encode(m);
    byte[] framed = new byte[enc.length + 3];
    System.arraycopy(enc, 0, framed, 3, enc.length);
    StreamMsgView v = StreamMsgCodec.decodeView(framed, 3, enc.length);
    assertThat(v.buf()).isSameAs(framed);
    assertThat(v.subject()).isEqualTo("a.b");
    assertThat(v.msgBuffer()).isEqualTo(ByteBuffer.wrap(bytes("hello")));
    assertThat(v.toStreamMsg()).isEqualTo(m);

    ByteBuf heap = Unpooled.wrappedBuffer(framed, 3, enc.length);
    try {
      assertThat(StreamMsgCodec.decodeView(heap).buf()).isSameAs(framed);
      assertThat(heap.readerIndex()).isEqualTo(0);
    } finally {
      heap.release();
    }
  }

  @Test
  void clipsLongFieldsLikeNatsServer() {
    String longSubject = "s".repeat(70_000);
    byte[] hdr = new byte[70_000];
    Arrays.fill(hdr, (byte) 'h');
    StreamMsg m = new StreamMsg(longSubject, "", hdr, null, 1, 2, false);
    StreamMsg back = StreamMsgCodec.decode(StreamMsgCodec.encode(m));
    assertThat(back.subject()).hasSize(65_535);
    assertThat(back.hdr()).hasSize(65_535);
  }

  @Test
  void rejectsWrongOpsAndTruncation() {
    byte[] enc = StreamMsgCodec.encode(new StreamMsg("x", "", null, bytes("y"), 1, 1, false));
    byte[] wrongOp = enc.clone();
    wrongOp[0] = 5;
    assertThatThrownBy(() -> StreamMsgCodec.decode(wrongOp)).isInstanceOf(CodecException.class);
    assertThat(enc).hasSize(30);
    // Every cut that loses part of the fixed fields or the payload fails.
    for (int n = 0; n <= 27; n++) {
      byte[] cut = Arrays.copyOf(enc, n);
      assertThatThrownBy(() -> StreamMsgCodec.decode(cut)).isInstanceOf(CodecException.class);
    }
    // Dropping only the flags byte is the legacy form and still decodes.
    assertThat(StreamMsgCodec.decode(Arrays.copyOf(enc, enc.length - 1)).msg()).isEqualTo(bytes("y"));
    byte[] batch = BatchMsgCodec.encode(new BatchMsg("id", 1, false, StreamMsgCodec.decode(enc)));
    byte[] badInner = batch.clone();
    badInner[1 + 2 + 2 + 1] = 7;
    assertThatThrownBy(() -> BatchMsgCodec.decode(badInner)).isInstanceOf(CodecException.class);
  }
}
