package io.jscluster.codec.meta;

import java.util.List;

/**
 * A group's properties before a move or scale (Go {@code desiredRaftGroupOrigin}). Members:
 * {@code peers} (always), {@code cluster} (omitempty), {@code replicas} (always),
 * {@code placement} and {@code retention} (omitempty; retention is a pointer in Go, so null
 * differs from limits).
 *
 * @param peers original peers, or null
 * @param cluster original cluster
 * @param replicas original replica count
 * @param placement original placement, or null
 * @param retention retention kept while changing, or null
 */
public record DesiredRaftGroupOrigin(
    List<String> peers, String cluster, long replicas, Placement placement, RetentionPolicy retention) {

  /** Normalises nulls and copies lists. */
  public DesiredRaftGroupOrigin {
    peers = Values.list(peers);
    cluster = Values.str(cluster);
  }
}
