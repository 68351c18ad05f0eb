package io.jscluster.core;

/**
 * The answer to a publish (nats-server {@code PubAck} inside {@code JSPubAckResponse}).
 *
 * @param stream the stream name
 * @param seq the stream sequence the message was stored at (0 on error)
 * @param duplicate whether the message was a duplicate of {@code seq} (by {@code Nats-Msg-Id})
 * @param error the error, or null on success
 */
public record PubAck(String stream, long seq, boolean duplicate, ApiError error) {

  /** A successful acknowledgement. */
  public static PubAck ok(String stream, long seq) {
    return new PubAck(stream, seq, false, null);
  }

  /** A duplicate acknowledgement naming the original sequence. */
  public static PubAck duplicateOf(String stream, long seq) {
    return new PubAck(stream, seq, true, null);
  }

  /** A failed publish. */
  public static PubAck failed(String stream, ApiError error) {
    return new PubAck(stream, 0, false, error);
  }

  /** Whether the publish succeeded (stored or duplicate). */
  public boolean isOk() {
    return error == null;
  }

  /**
   * The JSON nats-server sends. The duplicate form is built from the PubAck template plus
   * {@code ,"duplicate": true}} with the space after the colon, as nats-server writes it.
   */
  public String toJson() {
    if (error != null) {
      return "{\"error\":" + error.toJson() + ",\"stream\":" + Json.quote(stream) + ",\"seq\":0}";
    }
    String base = "{\"stream\":" + Json.quote(stream) + ",\"seq\":" + Long.toUnsignedString(seq);
    return duplicate ? base + ",\"duplicate\": true}" : base + "}";
  }
}
