package io.jscluster.raft;

/** A refused Raft operation; {@link #error()} says which NRG error it corresponds to. */
public class RaftException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The NRG error kinds the API can report. */
  public enum Error {
    /** Not the leader, or the term given is not the current term. */
    NOT_LEADER,
    /** Already leader (campaign, pause). */
    ALREADY_LEADER,
    /** More than one preferred leader was given to step-down. */
    TOO_MANY_PREFS,
    /** A membership change is already in flight, or the peer is already a member. */
    MEMBERSHIP_CHANGE,
    /** The peer to remove is not a member. */
    PEER_NOT_FOUND,
    /** Removing the peer would leave no member. */
    REMOVE_LAST_NODE,
    /** The node is closed. */
    CLOSED,
    /** A storage write failed earlier; the node is shutting down. */
    WRITE_ERROR,
    /** The operation is switched off in the configuration. */
    DISABLED
  }

  private final Error error;

  /** Creates an exception of kind {@code error}. */
  public RaftException(Error error, String message) {
    super(error + ": " + message);
    this.error = error;
  }

  /** The error kind. */
  public Error error() {
    return error;
  }
}
