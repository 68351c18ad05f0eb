package io.jscluster.codec.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.CodecException;
import io.jscluster.codec.msg.BatchMsg;
import io.jscluster.codec.msg.BatchMsgCodec;
import io.jscluster.codec.msg.StreamMsg;
import io.jscluster.codec.msg.StreamMsgCodec;
import io.jscluster.codec.s2.S2Block;
import io.jscluster.codec.s2.S2Stream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Seeded hostile-input campaigns, one per binary decoder: valid encodings truncated, bit-flipped,
 * overwritten with lying lengths, spliced, or replaced by random bytes. Only {@link
 * CodecException} may escape, and each decode may allocate no more than its input (and the
 * caller's decompression cap) justifies, measured per call on this thread.
 *
 * <p>Cases per decoder: {@code -Djscluster.fuzz.cases} (default 100000). Seed: {@code
 * -Djscluster.fuzz.seed} (default fixed); every run prints it so a failure can be replayed.
 */
class HostileInputTest {

  private static final int CASES = Integer.getInteger("jscluster.fuzz.cases", 100_000);
  private static final long SEED = Long.getLong("jscluster.fuzz.seed", 0x6a73636c75737465L);
  /** Decompression cap given to the S2-based decoders in these campaigns. */
  private static final int CAP = 1 << 20;
  /** Allocation every decode may use regardless of input (exception, small objects). */
  private static final long BASE_ALLOWANCE = 256 << 10;
  /** Calls skipped before allocation is checked: class loading and first-use caches. */
  private static final int WARMUP = 2_000;

  private static final com.sun.management.ThreadMXBean THREADS =
      ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
              && t.isThreadAllocatedMemorySupported()
          ? t
          : null;

  /** How much a decoder may allocate for an input of {@code len} bytes. */
  private interface Allowance {
    long bytes(int len);
  }

  private static void campaign(
      String name, List<byte[]> corpus, Consumer<byte[]> decoder, Allowance allowance) {
    long seed = SEED ^ name.hashCode();
    System.out.println("hostile " + name + ": seed=" + seed + " cases=" + CASES
        + " (replay with -Djscluster.fuzz.seed=" + SEED + ")");
    SplittableRandom r = new SplittableRandom(seed);
    long start = System.nanoTime();
    long cpuStart = cpuNanos();
    int rejected = 0;
    long worstRatioAlloc = 0;
    long threadId = Thread.currentThread().getId();
    for (int i = 0; i < CASES; i++) {
      byte[] in = mutate(corpus, r);
      long before = THREADS == null ? 0 : THREADS.getThreadAllocatedBytes(threadId);
      try {
        decoder.accept(in);
      } catch (CodecException expected) {
        rejected++;
      } catch (Throwable t) {
        throw new AssertionError(
            name + " case " + i + " (seed " + seed + ") input " + hex(in) + " threw " + t, t);
      }
      if (THREADS != null && i >= WARMUP) {
        long used = THREADS.getThreadAllocatedBytes(threadId) - before;
        long allowed = BASE_ALLOWANCE + allowance.bytes(in.length);
        if (used > allowed) {
          // The first run of a code path links call sites (string concatenation, lambdas) and
          // loads classes; what the input itself costs is what a second decode allocates.
          used = measureAgain(decoder, in, threadId);
        }
        if (used > allowed) {
          throw new AssertionError(
              name + " case " + i + " (seed " + seed + ") allocated " + used + " > " + allowed
                  + " for " + in.length + " input bytes: " + hex(in));
        }
        worstRatioAlloc = Math.max(worstRatioAlloc, used);
      }
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    long cpuMs = (cpuNanos() - cpuStart) / 1_000_000;
    System.out.println("hostile " + name + ": " + CASES + " cases, " + rejected
        + " rejected with CodecException, max allocation " + worstRatioAlloc + " B, " + ms
        + " ms wall, " + cpuMs + " ms CPU"
        + (THREADS == null ? " (allocation not measurable on this JVM)" : ""));
    assertThat(rejected).isPositive();
  }

  /** CPU time of this thread, or 0 where the JVM cannot tell (then only wall time means anything). */
  private static long cpuNanos() {
    java.lang.management.ThreadMXBean t = ManagementFactory.getThreadMXBean();
    return t.isCurrentThreadCpuTimeSupported() ? t.getCurrentThreadCpuTime() : 0;
  }

  private static long measureAgain(Consumer<byte[]> decoder, byte[] in, long threadId) {
    long before = THREADS.getThreadAllocatedBytes(threadId);
    try {
      decoder.accept(in);
    } catch (CodecException expected) {
      // same outcome as the first run
    }
    return THREADS.getThreadAllocatedBytes(threadId) - before;
  }

  private static String hex(byte[] b) {
    return b.length > 512 ? java.util.HexFormat.of().formatHex(b, 0, 512) + "..."
        : java.util.HexFormat.of().formatHex(b);
  }

  /** One hostile input derived from the corpus. */
  static byte[] mutate(List<byte[]> corpus, SplittableRandom r) {
    byte[] base = corpus.get(r.nextInt(corpus.size()));
    byte[] b = base.clone();
    int kind = r.nextInt(8);
    switch (kind) {
      case 0 -> b = Arrays.copyOf(b, r.nextInt(b.length + 1)); // truncated
      case 1 -> { // bit flips
        int flips = 1 + r.nextInt(8);
        for (int i = 0; i < flips && b.length > 0; i++) {
          int p = r.nextInt(b.length);
          b[p] ^= (byte) (1 << r.nextInt(8));
        }
      }
      case 2 -> { // lying length: big little-endian or varint values written over a field
        if (b.length > 0) {
          int p = r.nextInt(b.length);
          int n = 1 + r.nextInt(5);
          for (int i = 0; i < n && p + i < b.length; i++) {
            b[p + i] = (byte) (r.nextBoolean() ? 0xff : 0x80 | r.nextInt(128));
          }
        }
      }
      case 3 -> { // random bytes after a valid-looking prefix
        int keep = Math.min(b.length, r.nextInt(12));
        byte[] out = new byte[keep + r.nextInt(300)];
        System.arraycopy(b, 0, out, 0, keep);
        for (int i = keep; i < out.length; i++) {
          out[i] = (byte) r.nextInt(256);
        }
        b = out;
      }
      case 4 -> { // delete or duplicate a span
        if (b.length > 2) {
          int from = r.nextInt(b.length);
          int to = Math.min(b.length, from + 1 + r.nextInt(16));
          byte[] out;
          if (r.nextBoolean()) {
            out = new byte[b.length - (to - from)];
            System.arraycopy(b, 0, out, 0, from);
            System.arraycopy(b, to, out, from, b.length - to);
          } else {
            out = new byte[b.length + (to - from)];
            System.arraycopy(b, 0, out, 0, to);
            System.arraycopy(b, from, out, to, b.length - to);
          }
          b = out;
        }
      }
      case 5 -> { // splice two corpus entries
        byte[] other = corpus.get(r.nextInt(corpus.size()));
        int cut = r.nextInt(b.length + 1);
        int cut2 = r.nextInt(other.length + 1);
        byte[] out = new byte[cut + other.length - cut2];
        System.arraycopy(b, 0, out, 0, cut);
        System.arraycopy(other, cut2, out, cut, other.length - cut2);
        b = out;
      }
      case 6 -> { // overwrite a random byte with any value
        if (b.length > 0) {
          b[r.nextInt(b.length)] = (byte) r.nextInt(256);
        }
      }
      default -> { // pure random
        b = new byte[r.nextInt(64)];
        for (int i = 0; i < b.length; i++) {
          b[i] = (byte) r.nextInt(256);
        }
      }
    }
    return b;
  }

  // ---------------------------------------------------------------------------------------------
  // Corpora: valid encodings built here, so the campaigns need no vectors folder.

  private static byte[] text(int n, SplittableRandom r) {
    byte[] out = new byte[n];
    for (int i = 0; i < n; i++) {
      out[i] = (byte) ("abcabcdxyz ".charAt(r.nextInt(11)));
    }
    return out;
  }

  private static List<StreamMsg> messages() {
    SplittableRandom r = new SplittableRandom(7);
    List<StreamMsg> out = new ArrayList<>();
    int[] sizes = {0, 1, 30, 200, 1000, 9000};
    for (int size : sizes) {
      out.add(
          new StreamMsg(
              "orders." + size,
              size % 2 == 0 ? "_INBOX.abc" : "",
              size > 100 ? "NATS/1.0\r\nA: b\r\n\r\n".getBytes(StandardCharsets.US_ASCII) : null,
              size == 0 ? null : text(size, r),
              size * 3L,
              size * 1_000_000L,
              size % 3 == 0));
    }
    return out;
  }

  @Test
  void s2Block() {
    SplittableRandom r = new SplittableRandom(1);
    List<byte[]> corpus = new ArrayList<>();
    for (int n : new int[] {0, 5, 20, 100, 700, 3000, 9000}) {
      corpus.add(S2Block.encode(text(n, r)));
    }
    // Hand-made S2 elements the encoder never emits: repeats and 4-byte offsets.
    corpus.add(new byte[] {20, 8, 'a', 'b', 'c', 1, 0, (byte) 0x15, 0, 3, 3, 2, 0, 0, 0});
    campaign(
        "s2 block",
        corpus,
        in -> S2Block.decode(in, 0, in.length, CAP),
        len -> 3L * CAP + 64L * len);
  }

  @Test
  void s2Stream() {
    SplittableRandom r = new SplittableRandom(2);
    List<byte[]> corpus = new ArrayList<>();
    for (int n : new int[] {0, 10, 300, 2000, 9000}) {
      corpus.add(S2Stream.encode(text(n, r)));
    }
    byte[] random = new byte[200];
    r.nextBytes(random);
    corpus.add(S2Stream.encode(random)); // an uncompressed chunk
    campaign(
        "s2 stream",
        corpus,
        in -> S2Stream.decode(in, 0, in.length, CAP),
        len -> 5L * CAP + 64L * len);
  }

  @Test
  void streamMsg() {
    List<byte[]> corpus = new ArrayList<>();
    for (StreamMsg m : messages()) {
      corpus.add(StreamMsgCodec.encode(m));
      corpus.add(StreamMsgCodec.encodeUncompressed(m));
    }
    campaign(
        "stream msg",
        corpus,
        in -> StreamMsgCodec.decodeView(in, 0, in.length, CAP).toStreamMsg(),
        len -> 4L * CAP + 64L * len);
  }

  @Test
  void batchMsg() {
    List<byte[]> corpus = new ArrayList<>();
    long seq = 1;
    for (StreamMsg m : messages()) {
      BatchMsg b = new BatchMsg("j04Vaz1rMkDE3B49pFoMPG", seq++, seq % 2 == 0, m);
      corpus.add(BatchMsgCodec.encode(b));
      corpus.add(BatchMsgCodec.encodeUncompressed(b));
    }
    campaign(
        "batch msg",
        corpus,
        in -> BatchMsgCodec.decodeView(in, 0, in.length, CAP).toBatchMsg(),
        len -> 4L * CAP + 64L * len);
  }

  private static SequenceSet set(long from, long to, int step) {
    SequenceSet ss = new SequenceSet();
    for (long s = from; s <= to; s += step) {
      ss.insert(s);
    }
    return ss;
  }

  @Test
  void seqset() {
    List<byte[]> corpus = new ArrayList<>();
    corpus.add(new SequenceSet().encode());
    corpus.add(set(1, 10, 1).encode());
    corpus.add(set(1, 20_000, 3).encode());
    corpus.add(set(5000, 9000, 700).encode());
    SequenceSet seeded = new SequenceSet();
    seeded.setInitialMin(1000);
    seeded.insert(1001);
    corpus.add(seeded.encode());
    // A version 1 encoding: 64 buckets per node.
    byte[] v1 = new byte[10 + 522];
    v1[0] = 22;
    v1[1] = 1;
    v1[2] = 1;
    v1[6] = 3;
    v1[18] = 0x0e;
    corpus.add(v1);
    campaign(
        "seqset",
        corpus,
        in -> {
          SequenceSet ss = SequenceSet.decode(in, 0, in.length).set();
          ss.encode();
          ss.forEach(s -> true);
          ss.insert(12_345);
          ss.delete(12_345);
        },
        // Version 1 nodes (522 bytes) can expand into two 2,048-wide nodes of ~330 bytes.
        len -> 8L * len);
  }

  @Test
  void streamState() {
    List<byte[]> corpus = new ArrayList<>();
    Map<String, StreamSourceState> sources = new LinkedHashMap<>();
    sources.put("ORIGIN > >", new StreamSourceState(77, "ident"));
    sources.put("B", new StreamSourceState(9_007_199_254_740_993L, ""));
    corpus.add(StreamStateCodec.encode(
        new StreamReplicatedState(0, 0, 0, 0, 0, List.of(), Map.of()), 0, false));
    corpus.add(StreamStateCodec.encode(
        new StreamReplicatedState(90, 9000, 1, 100, 2,
            List.of(new DeleteRange(41, 10)), Map.of()), 10, false));
    corpus.add(StreamStateCodec.encode(
        new StreamReplicatedState(3000, 3_000_000, 10, 3119, 0,
            List.of(new DeleteRange(50, 50), set(2100, 2200, 50), new DeleteRange(2500, 50)),
            sources), 110, true));
    corpus.add(StreamStateCodec.encode(
        new StreamReplicatedState(7, 700, 1, 20, 0, List.of(set(2, 15, 1)), Map.of()), 13, false));
    campaign(
        "stream state",
        corpus,
        in -> StreamStateCodec.decode(in, 0, in.length).numDeleted(),
        len -> 8L * len);
  }

  @Test
  void legacySnapshot() {
    List<byte[]> corpus = new ArrayList<>();
    for (String s : new String[] {
        "{\"messages\":5,\"bytes\":50,\"first_seq\":1,\"last_seq\":8,\"clfs\":1,\"deleted\":[2,4,6]}",
        "{\"messages\":1,\"bytes\":2,\"first_seq\":3,\"last_seq\":3}",
        "{\"MESSAGES\":18446744073709551615,\"x\":{\"y\":[1,{}]},\"deleted\":null}",
        " { \"deleted\" : [ 1 , 2 , 3 , 10000000000 ] , \"clfs\" : 0 } "}) {
      corpus.add(s.getBytes(StandardCharsets.UTF_8));
    }
    campaign(
        "legacy snapshot",
        corpus,
        in -> StreamStateCodec.decodeSnapshot(in, 0, in.length),
        len -> 64L * 1024 + 64L * len);
  }
}
