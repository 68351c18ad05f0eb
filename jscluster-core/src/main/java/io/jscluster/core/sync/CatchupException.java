package io.jscluster.core.sync;

import java.util.Objects;

/** A follower catch-up failure, classified by {@link #error()}. */
public final class CatchupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final CatchupError error;

  /** Creates the exception with the error's own text. */
  public CatchupException(CatchupError error) {
    super(error.text());
    this.error = error;
  }

  /** Creates the exception with a more specific text and a cause (may be null). */
  public CatchupException(CatchupError error, String message, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.error = error;
  }

  /** The classification. */
  public CatchupError error() {
    return error;
  }
}
