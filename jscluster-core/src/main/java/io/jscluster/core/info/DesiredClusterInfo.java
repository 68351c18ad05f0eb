package io.jscluster.core.info;

import io.jscluster.codec.meta.Placement;
import io.jscluster.codec.meta.RetentionPolicy;
import java.util.List;

/**
 * The desired shape of a group being moved or scaled (Go {@code DesiredClusterInfo}). JSON:
 * {@code name}, {@code replicas}, {@code origin}, {@code status}, all omitempty.
 *
 * @param name target cluster, or ""
 * @param replicas generated entries for the desired peers; never null
 * @param origin what the group can be rolled back to, or null
 * @param status the group leader's migration status, or null
 */
public record DesiredClusterInfo(
    String name, List<PeerInfo> replicas, Origin origin, MigrationStatus status) {

  /** Normalises nulls and copies the list. */
  public DesiredClusterInfo {
    name = name == null ? "" : name;
    replicas = replicas == null ? List.of() : List.copyOf(replicas);
  }

  /**
   * The origin of a move or scale (Go {@code DesiredClusterInfoOrigin}). JSON: {@code replicas}
   * (always), {@code placement} (omitempty: cluster, tags, preferred), {@code retention}
   * (omitempty; a pointer in Go, so {@code limits} is written when set).
   *
   * @param replicas original replica count
   * @param placement original placement, or null
   * @param retention retention kept while changing, or null
   */
  public record Origin(long replicas, Placement placement, RetentionPolicy retention) {}
}
