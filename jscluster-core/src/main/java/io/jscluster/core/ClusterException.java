package io.jscluster.core;

/** A cluster operation failed with a JetStream API error. */
public final class ClusterException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient ApiError error;

  /** Wraps {@code error}. */
  public ClusterException(ApiError error) {
    super(error.description() + " (" + error.errCode() + ")");
    this.error = error;
  }

  /** The API error. */
  public ApiError error() {
    return error;
  }
}
