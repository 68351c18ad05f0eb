package io.jscluster.codec.ops;

/**
 * The optional purge request inside a {@link StreamPurge} (Go {@code JSApiStreamPurgeRequest}):
 * members {@code seq}, {@code filter}, {@code keep}, all omitempty.
 *
 * @param sequence purge up to, not including, this sequence (uint64 bits; 0 = unset)
 * @param filter subject filter, never null
 * @param keep number of messages to keep (uint64 bits)
 */
public record PurgeRequest(long sequence, String filter, long keep) {

  /** Normalises a null filter to "". */
  public PurgeRequest {
    filter = filter == null ? "" : filter;
  }
}
