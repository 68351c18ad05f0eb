package io.jscluster.core;

import java.nio.charset.StandardCharsets;

/**
 * NATS header blocks ({@code NATS/1.0\r\nKey: Value\r\n...\r\n}): building them and reading one
 * value, with the header names JetStream's publish path understands. Lookups match the key
 * exactly (case-sensitive), as nats-server's header scanner does.
 */
public final class Headers {

  /** De-duplication id. */
  public static final String MSG_ID = "Nats-Msg-Id";
  /** The publish is only valid on this stream. */
  public static final String EXPECTED_STREAM = "Nats-Expected-Stream";
  /** The stream's last sequence must be this. */
  public static final String EXPECTED_LAST_SEQ = "Nats-Expected-Last-Sequence";
  /** The stream's last message id must be this. */
  public static final String EXPECTED_LAST_MSG_ID = "Nats-Expected-Last-Msg-Id";
  /** The last message on the subject (or on the one named by {@link #EXPECTED_LAST_SUBJECT_SEQ_SUBJECT}) must have this sequence. */
  public static final String EXPECTED_LAST_SUBJECT_SEQ = "Nats-Expected-Last-Subject-Sequence";
  /** The subject {@link #EXPECTED_LAST_SUBJECT_SEQ} is checked against instead of the message's own. */
  public static final String EXPECTED_LAST_SUBJECT_SEQ_SUBJECT = "Nats-Expected-Last-Subject-Sequence-Subject";
  /** Longest header block a stream message can carry. */
  public static final int MAX_HEADER_BYTES = 65_535;

  private static final byte[] PREFIX = "NATS/1.0".getBytes(StandardCharsets.US_ASCII);

  private Headers() {}

  /** Builds a header block from alternating keys and values. */
  public static byte[] of(String... keyValues) {
    if (keyValues.length % 2 != 0) {
      throw new IllegalArgumentException("keys and values must alternate");
    }
    StringBuilder b = new StringBuilder("NATS/1.0\r\n");
    for (int i = 0; i < keyValues.length; i += 2) {
      b.append(keyValues[i]).append(": ").append(keyValues[i + 1]).append("\r\n");
    }
    return b.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The value of {@code key} in {@code hdr} (trimmed), or null when absent or when {@code hdr} is
   * not a NATS header block.
   */
  public static String get(byte[] hdr, String key) {
    if (hdr == null || hdr.length < PREFIX.length) {
      return null;
    }
    for (int i = 0; i < PREFIX.length; i++) {
      if (hdr[i] != PREFIX[i]) {
        return null;
      }
    }
    byte[] k = key.getBytes(StandardCharsets.US_ASCII);
    int pos = indexOfLineEnd(hdr, 0);
    while (pos >= 0 && pos + 2 <= hdr.length) {
      int start = pos + 2;
      int end = indexOfLineEnd(hdr, start);
      int lineEnd = end < 0 ? hdr.length : end;
      if (lineEnd == start) {
        return null;
      }
      if (lineEnd - start > k.length && hdr[start + k.length] == ':' && regionEquals(hdr, start, k)) {
        return new String(hdr, start + k.length + 1, lineEnd - start - k.length - 1,
            StandardCharsets.UTF_8).trim();
      }
      pos = end;
    }
    return null;
  }

  /** Whether {@code hdr} is a flow-control status header ({@code NATS/1.0 100 ...}). */
  public static boolean isFlowControl(byte[] hdr) {
    byte[] fc = "NATS/1.0 100 ".getBytes(StandardCharsets.US_ASCII);
    return hdr != null && hdr.length >= fc.length && regionEquals(hdr, 0, fc);
  }

  private static boolean regionEquals(byte[] b, int off, byte[] k) {
    for (int i = 0; i < k.length; i++) {
      if (b[off + i] != k[i]) {
        return false;
      }
    }
    return true;
  }

  private static int indexOfLineEnd(byte[] b, int from) {
    for (int i = from; i + 1 < b.length; i++) {
      if (b[i] == '\r' && b[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }
}
