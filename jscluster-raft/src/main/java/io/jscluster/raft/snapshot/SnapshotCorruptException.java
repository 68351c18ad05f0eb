package io.jscluster.raft.snapshot;

import io.jscluster.raft.wire.WireFormatException;

/**
 * A snapshot file that must not be used: too short, checksum mismatch (including one computed
 * with another group's key), or lengths that do not fit. nats-server's {@code
 * errSnapshotCorrupt}.
 */
public final class SnapshotCorruptException extends WireFormatException {

  private static final long serialVersionUID = 1L;

  /** A corrupt snapshot, naming the field and offset where the problem was found. */
  public SnapshotCorruptException(String field, long offset, String message) {
    super(field, offset, message);
  }
}
