package io.jscluster.codec;

/**
 * The one exception every decoder in this module throws for bad input: truncated bytes, lengths
 * that lie, unknown op codes, malformed JSON, checksum mismatches.
 *
 * <p>It names the field being read and the byte offset where decoding stopped, so a corrupt
 * entry can be located in a WAL or a capture. Decoders never let an {@code IndexOutOfBounds},
 * {@code NegativeArraySize} or {@code OutOfMemoryError} escape in its place.
 */
public class CodecException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String field;
  private final long offset;

  /**
   * Creates an exception for a failure reading {@code field} at byte {@code offset}.
   *
   * @param field the field (or structure) being decoded
   * @param offset the byte offset in the input, or -1 when not meaningful
   * @param message what was wrong
   */
  public CodecException(String field, long offset, String message) {
    super(format(field, offset, message));
    this.field = field;
    this.offset = offset;
  }

  /** As {@link #CodecException(String, long, String)}, with the underlying cause. */
  public CodecException(String field, long offset, String message, Throwable cause) {
    super(format(field, offset, message), cause);
    this.field = field;
    this.offset = offset;
  }

  /** The field or structure that failed to decode. */
  public String field() {
    return field;
  }

  /** The byte offset at which decoding failed, or -1 when unknown. */
  public long offset() {
    return offset;
  }

  private static String format(String field, long offset, String message) {
    return offset >= 0
        ? field + " at offset " + offset + ": " + message
        : field + ": " + message;
  }
}
