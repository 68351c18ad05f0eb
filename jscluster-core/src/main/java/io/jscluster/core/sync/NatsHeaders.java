package io.jscluster.core.sync;

import java.nio.charset.StandardCharsets;

/** The header lookup nats-server's catch-up uses ({@code getHeader}): first match, exact case. */
final class NatsHeaders {

  private NatsHeaders() {}

  /**
   * The value of {@code key} in a NATS header block ({@code NATS/1.0\r\nKey: value\r\n...}), or
   * null. The key must start a line and be followed directly by {@code ':'}; leading spaces of
   * the value are skipped and it runs to the next CRLF (or the end).
   */
  static String value(byte[] hdr, String key) {
    if (hdr == null || hdr.length == 0) {
      return null;
    }
    byte[] k = (key + ":").getBytes(StandardCharsets.US_ASCII);
    int index = indexOf(hdr, k);
    int len = hdr.length;
    if (index < 2 || index >= len - 1 || hdr[index - 1] != '\n' || hdr[index - 2] != '\r') {
      return null;
    }
    index += k.length;
    if (index > len) {
      return null;
    }
    while (index < len && hdr[index] == ' ') {
      index++;
    }
    int start = index;
    while (index < len && !(hdr[index] == '\r' && index < len - 1 && hdr[index + 1] == '\n')) {
      index++;
    }
    return new String(hdr, start, index - start, StandardCharsets.UTF_8);
  }

  private static int indexOf(byte[] h, byte[] n) {
    outer:
    for (int i = 0; i + n.length <= h.length; i++) {
      for (int j = 0; j < n.length; j++) {
        if (h[i + j] != n[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
