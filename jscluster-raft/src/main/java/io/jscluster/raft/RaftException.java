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
    DISABLED,
    /**
     * No snapshot can be taken (nothing applied, or the entry at the applied index is already
     * covered by a snapshot), or no snapshot exists to load.
     */
    NO_SNAPSHOT_AVAILABLE,
    /** A snapshot checkpoint is in progress and the request was not forced. */
    SNAPSHOT_IN_PROGRESS,
    /** This leader is streaming a catch-up and the snapshot request was not forced. */
    CATCHUPS_RUNNING,
    /**
     * Writing or reading a snapshot failed (I/O error, corrupt file, or another snapshot was
     * installed meanwhile). Not sticky: the node keeps running and the call may be retried.
     */
    SNAPSHOT_FAILED,
    /** The snapshot checkpoint was aborted, or superseded by another snapshot install. */
    SNAPSHOT_ABORTED
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
