package io.jscluster.codec.json;

import io.jscluster.codec.CodecException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A seeded generator of hostile inputs for a decoder: truncations, bit flips, byte edits, lying
 * lengths and numbers, duplicated or deleted spans, deep nesting and random bytes, all derived
 * from valid seed encodings. Only {@link CodecException} may escape the decoder.
 */
public final class HostileInputs {

  private static final byte[][] TOKENS = {
      "null".getBytes(), "true".getBytes(), "\"\"".getBytes(), "{}".getBytes(), "[]".getBytes(),
      "18446744073709551616".getBytes(), "-9223372036854775809".getBytes(), "1e999".getBytes(),
      "-0".getBytes(), "1.5".getBytes(), "\"\\ud800\"".getBytes(), "\"\\u12".getBytes(),
      "\"0001-01-01T00:00:00Z\"".getBytes(), "\"9999-12-31T23:59:59.999999999+23:59\"".getBytes(),
      {(byte) 0xff, (byte) 0xfe}, {(byte) 0xe2, (byte) 0x80}, "\"limits\"".getBytes(),
      "\"file\"".getBytes(), "\"memory\"".getBytes(), "99999999999999999999999".getBytes(),
      {'\\'}, {'"'}, {','}, {':'}, {'{'}, {'['}, {']'}, {'}'}};

  private HostileInputs() {}

  /** The number of cases per decoder: {@code -Djscluster.fuzz.cases}, default 100000. */
  public static int cases() {
    return Integer.getInteger("jscluster.fuzz.cases", 100_000);
  }

  /** The seed: {@code -Djscluster.fuzz.seed}, else fixed per decoder name so runs replay. */
  public static long seed(String decoder) {
    Long fixed = Long.getLong("jscluster.fuzz.seed");
    return fixed != null ? fixed : decoder.hashCode() * 0x9E3779B97F4A7C15L;
  }

  /**
   * Runs {@code cases} hostile inputs through {@code decoder}, throwing AssertionError naming the
   * seed, case and input on the first exception that is not a CodecException. Prints the seed,
   * the case count and the time taken.
   */
  public static void run(String decoderName, List<byte[]> seeds, Consumer<byte[]> decoder) {
    long seed = seed(decoderName);
    int n = cases();
    SplittableRandom rnd = new SplittableRandom(seed);
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long cpu0 = mx.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    int rejected = 0;
    for (int i = 0; i < n; i++) {
      byte[] input = mutate(rnd, seeds.get(rnd.nextInt(seeds.size())));
      try {
        decoder.accept(input);
      } catch (CodecException e) {
        rejected++;
      } catch (Throwable t) {
        String hex = HexFormat.of().formatHex(input, 0, Math.min(input.length, 4096));
        throw new AssertionError("fuzz " + decoderName + " seed=" + seed + " case=" + i + ": "
            + t + " on input (" + input.length + " bytes) " + hex, t);
      }
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    long cpuMs = (mx.getCurrentThreadCpuTime() - cpu0) / 1_000_000;
    System.out.println("fuzz " + decoderName + ": seed=" + seed + " (replay with -Djscluster.fuzz.seed=" + seed
        + "), " + n + " cases, " + rejected + " rejected, " + ms + " ms wall, " + cpuMs + " ms CPU");
  }

  /** One hostile variant of {@code base}. */
  public static byte[] mutate(SplittableRandom rnd, byte[] base) {
    byte[] b = base.clone();
    int rounds = 1 + rnd.nextInt(3);
    for (int r = 0; r < rounds; r++) {
      b = mutateOnce(rnd, b);
    }
    return b;
  }

  private static byte[] mutateOnce(SplittableRandom rnd, byte[] b) {
    int len = b.length;
    switch (rnd.nextInt(12)) {
      case 0: // truncate
        return Arrays.copyOf(b, len == 0 ? 0 : rnd.nextInt(len));
      case 1: { // flip bits
        if (len == 0) {
          return b;
        }
        int flips = 1 + rnd.nextInt(4);
        for (int i = 0; i < flips; i++) {
          b[rnd.nextInt(len)] ^= (byte) (1 << rnd.nextInt(8));
        }
        return b;
      }
      case 2: { // random byte values
        if (len == 0) {
          return b;
        }
        b[rnd.nextInt(len)] = (byte) rnd.nextInt(256);
        return b;
      }
      case 3: { // delete a span
        if (len < 2) {
          return b;
        }
        int s = rnd.nextInt(len);
        int e = s + 1 + rnd.nextInt(Math.min(32, len - s));
        byte[] out = new byte[len - (e - s)];
        System.arraycopy(b, 0, out, 0, s);
        System.arraycopy(b, e, out, s, len - e);
        return out;
      }
      case 4: { // duplicate a span
        if (len < 2) {
          return b;
        }
        int s = rnd.nextInt(len);
        int e = s + 1 + rnd.nextInt(Math.min(64, len - s));
        return insert(b, rnd.nextInt(len + 1), Arrays.copyOfRange(b, s, e));
      }
      case 5: // insert a token
        return insert(b, len == 0 ? 0 : rnd.nextInt(len + 1), TOKENS[rnd.nextInt(TOKENS.length)]);
      case 6: { // lie about a number: replace a digit run with a huge one
        int at = findDigit(b, rnd);
        if (at < 0) {
          return b;
        }
        int e = at;
        while (e < len && b[e] >= '0' && b[e] <= '9') {
          e++;
        }
        byte[] big = ("" + (rnd.nextBoolean() ? "18446744073709551615" : "9" + rnd.nextLong())).getBytes();
        return splice(b, at, e, big);
      }
      case 7: { // deep nesting
        // Mostly shallow; sometimes just past Go's 10000-level limit.
        int depth = rnd.nextInt(8) == 0 ? 9_990 + rnd.nextInt(20) : 1 + rnd.nextInt(64);
        byte[] open = new byte[depth];
        Arrays.fill(open, rnd.nextBoolean() ? (byte) '[' : (byte) '{');
        return insert(b, len == 0 ? 0 : rnd.nextInt(len + 1), open);
      }
      case 8: { // random bytes
        byte[] out = new byte[rnd.nextInt(64)];
        for (int i = 0; i < out.length; i++) {
          out[i] = (byte) rnd.nextInt(256);
        }
        return out;
      }
      case 9: { // lying length fields: overwrite 3-4 bytes with large values (binary framings)
        if (len < 4) {
          return b;
        }
        int at = rnd.nextInt(len - 3);
        b[at] = (byte) 0xff;
        b[at + 1] = (byte) 0xff;
        b[at + 2] = (byte) rnd.nextInt(256);
        return b;
      }
      case 10: { // swap a case of a key letter
        if (len == 0) {
          return b;
        }
        int at = rnd.nextInt(len);
        if (b[at] >= 'a' && b[at] <= 'z') {
          b[at] -= 32;
        }
        return b;
      }
      default: { // change a value to another type
        int at = findDigit(b, rnd);
        if (at < 0) {
          return b;
        }
        return splice(b, at, at + 1, TOKENS[rnd.nextInt(5)]);
      }
    }
  }

  private static int findDigit(byte[] b, SplittableRandom rnd) {
    if (b.length == 0) {
      return -1;
    }
    int start = rnd.nextInt(b.length);
    for (int i = 0; i < b.length; i++) {
      int p = (start + i) % b.length;
      if (b[p] >= '0' && b[p] <= '9') {
        return p;
      }
    }
    return -1;
  }

  private static byte[] insert(byte[] b, int at, byte[] what) {
    return splice(b, at, at, what);
  }

  private static byte[] splice(byte[] b, int s, int e, byte[] what) {
    byte[] out = new byte[b.length - (e - s) + what.length];
    System.arraycopy(b, 0, out, 0, s);
    System.arraycopy(what, 0, out, s, what.length);
    System.arraycopy(b, e, out, s + what.length, b.length - e);
    return out;
  }
}
