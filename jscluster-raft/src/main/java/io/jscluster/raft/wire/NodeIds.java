package io.jscluster.raft.wire;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.random.RandomGenerator;

/** NRG's 8-character node ids and inbox tokens. */
public final class NodeIds {

  /** The 62 characters ids are drawn from. */
  public static final String ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  /** Length of every id and inbox token. */
  public static final int LENGTH = 8;

  private NodeIds() {}

  /**
   * The node id of a server: SHA-256 of its name (UTF-8); each of the first 8 digest bytes {@code
   * b} (unsigned) becomes {@code ALPHABET[b % 62]}.
   */
  public static String fromServerName(String serverName) {
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256")
          .digest(serverName.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
    char[] c = new char[LENGTH];
    for (int i = 0; i < LENGTH; i++) {
      c[i] = ALPHABET.charAt((digest[i] & 0xFF) % ALPHABET.length());
    }
    return new String(c);
  }

  /**
   * An 8-character token from the unsigned value {@code v}: repeatedly {@code ALPHABET[v % 62]},
   * {@code v /= 62}, least significant digit first.
   */
  public static String token(long v) {
    char[] c = new char[LENGTH];
    for (int i = 0; i < LENGTH; i++) {
      c[i] = ALPHABET.charAt((int) Long.remainderUnsigned(v, ALPHABET.length()));
      v = Long.divideUnsigned(v, ALPHABET.length());
    }
    return new String(c);
  }

  /** A token from the next value of {@code random} (deterministic for a seeded generator). */
  public static String token(RandomGenerator random) {
    return token(random.nextLong());
  }
}
