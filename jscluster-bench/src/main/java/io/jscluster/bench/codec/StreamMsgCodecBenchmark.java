package io.jscluster.bench.codec;

import io.jscluster.codec.msg.StreamMsg;
import io.jscluster.codec.msg.StreamMsgCodec;
import io.jscluster.codec.msg.StreamMsgView;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Encode-then-decode of one replicated stream message (op 4, or op 14 above the 8 KiB threshold
 * when S2 pays). Throughput in ops/s; the {@code bytes} counter row gives payload bytes/s.
 *
 * <ul>
 *   <li>{@code byteBuf}: encode into a reused heap {@link ByteBuf}, decode a zero-copy view and
 *       read its fields without copying the payload (the replication hot path).
 *   <li>{@code array}: encode to a fresh {@code byte[]} and decode the copying {@link StreamMsg}.
 * </ul>
 *
 * {@code payload=text} is JSON-like and compresses about 3x (64 KiB goes through S2 both ways);
 * {@code random} is
 * incompressible, so nats-server's rule keeps it plain after trying S2.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StreamMsgCodecBenchmark {

  /** Payload size in bytes. */
  @Param({"128", "1024", "65536"})
  public int size;

  /** Payload content: compressible text or random bytes. */
  @Param({"text", "random"})
  public String payload;

  private StreamMsg msg;
  private ByteBuf buf;

  /** Builds the message and the reused buffer. */
  @Setup(Level.Trial)
  public void setUp() {
    byte[] body = new byte[size];
    SplittableRandom r = new SplittableRandom(size);
    if (payload.equals("text")) {
      // JSON-ish records built from a small vocabulary: compresses about 3-4x, like real events.
      String[] words = {"{\"order\":", "\"created\"", "\"shipped\"", ",\"qty\":", "\"eu-west\"",
          ",\"sku\":\"", "\"}", "17", "4096", "true", "null", "\n"};
      for (int i = 0; i < size; ) {
        String w = r.nextInt(4) == 0 ? Integer.toString(r.nextInt(100_000)) : words[r.nextInt(words.length)];
        for (int j = 0; j < w.length() && i < size; j++) {
          body[i++] = (byte) w.charAt(j);
        }
      }
    } else {
      r.nextBytes(body);
    }
    msg =
        new StreamMsg(
            "orders.eu.created",
            "_INBOX.abcdefgh.1234",
            "NATS/1.0\r\nNats-Msg-Id: 0123456789\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
            body,
            123_456_789L,
            1_710_505_845_123_456_789L,
            false);
    buf = Unpooled.buffer(2 * size + 256);
  }

  /** Releases the reused buffer. */
  @TearDown(Level.Trial)
  public void tearDown() {
    buf.release();
  }

  /** Encode into a reused ByteBuf, decode a view, read every field without copying payload. */
  @Benchmark
  public long byteBuf(ByteCounter counter) {
    counter.bytes += size;
    buf.clear();
    StreamMsgCodec.encode(msg, buf);
    StreamMsgView v = StreamMsgCodec.decodeView(buf);
    return v.lseq() + v.ts() + v.subjectLen() + v.msgLen() + v.hdrLen() + v.buf()[v.msgOff()];
  }

  /** Encode to a new array and decode the self-contained copying record. */
  @Benchmark
  public StreamMsg array(ByteCounter counter) {
    counter.bytes += size;
    return StreamMsgCodec.decode(StreamMsgCodec.encode(msg));
  }
}
