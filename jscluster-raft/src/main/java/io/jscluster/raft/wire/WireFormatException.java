package io.jscluster.raft.wire;

/**
 * Thrown by the Raft wire and disk decoders of this module for bad input: too few bytes, counts
 * that do not fit, values an encoder must refuse.
 *
 * <p>It names the field being read and the byte offset where decoding stopped. Decoders never let
 * an {@code IndexOutOfBounds}, {@code NegativeArraySize} or {@code OutOfMemoryError} escape in its
 * place.
 */
public class WireFormatException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String field;
  private final long offset;

  /**
   * Creates an exception for a failure reading (or writing) {@code field} at byte {@code offset}.
   *
   * @param field the field or structure concerned
   * @param offset the byte offset in the input, or -1 when not meaningful
   * @param message what was wrong
   */
  public WireFormatException(String field, long offset, String message) {
    super(offset >= 0 ? field + " at offset " + offset + ": " + message : field + ": " + message);
    this.field = field;
    this.offset = offset;
  }

  /** The field or structure that failed. */
  public String field() {
    return field;
  }

  /** The byte offset at which decoding failed, or -1 when unknown. */
  public long offset() {
    return offset;
  }
}
