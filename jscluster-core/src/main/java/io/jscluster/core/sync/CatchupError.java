package io.jscluster.core.sync;

/**
 * Why a follower catch-up ended without success. The texts are nats-server's error strings; a
 * follower sends them to the leader as its abort reason.
 */
public enum CatchupError {
  /** The stream's assignment has no sync subject. */
  CORRUPT_SNAPSHOT("corrupt stream snapshot detected"),
  /** No message arrived in time. */
  STALLED("catchup stalled"),
  /** The stream or its Raft node went away. */
  STREAM_STOPPED("stream has been stopped"),
  /** A catch-up message could not be decoded; retrying would fetch the same bytes. */
  BAD_MSG("bad catchup msg"),
  /** A skip or delete range did not start at the next sequence. */
  WRONG_SEQ_FOR_SKIP("wrong sequence for skipped msg"),
  /** No leader to ask (after one wait). A cluster-reset error. */
  ABORTED_NO_LEADER("catchup aborted, no leader"),
  /** Every attempt failed. A cluster-reset error. */
  TOO_MANY_RETRIES("catchup failed, too many retries"),
  /** The server is shutting down. */
  SERVER_NOT_RUNNING("server is not running"),
  /** Server storage limits are exceeded (nats-server's JSInsufficientResourcesErr). */
  INSUFFICIENT_RESOURCES("insufficient resources (10023)"),
  /** This node is the Raft leader and could not pause its applies even after stepping down. */
  ALREADY_LEADER("raft: already leader"),
  /** The store ran out of disk space. */
  OUT_OF_SPACE("no space left on device"),
  /** Another store failure (message carries the store's text). */
  STORE_FAILURE("store failure");

  private final String text;

  CatchupError(String text) {
    this.text = text;
  }

  /** nats-server's error text. */
  public String text() {
    return text;
  }

  /** Whether the stream's monitor treats this as a cluster-reset error. */
  public boolean isClusterReset() {
    return this == ABORTED_NO_LEADER || this == TOO_MANY_RETRIES || this == ALREADY_LEADER;
  }
}
