package io.jscluster.codec.meta;

import java.util.List;

/**
 * The target of a group being moved or scaled (Go {@code desiredRaftGroup}). Members: {@code id}
 * (always), {@code term} (omitempty), {@code peers} (always), {@code cluster},
 * {@code preferred}, {@code scale_down}, {@code move}, {@code removed}, {@code origin}
 * (omitempty).
 *
 * @param id desired-state id
 * @param term leader term that set it (uint64 bits)
 * @param peers target peers, or null
 * @param cluster target cluster
 * @param preferred preferred leader
 * @param scaleDown marks a scale down
 * @param move marks a placement move
 * @param removed operator-removed peers, or null
 * @param origin what to roll back to, or null
 */
public record DesiredRaftGroup(
    String id,
    long term,
    List<String> peers,
    String cluster,
    String preferred,
    boolean scaleDown,
    boolean move,
    List<String> removed,
    DesiredRaftGroupOrigin origin) {

  /** Normalises nulls and copies lists. */
  public DesiredRaftGroup {
    id = Values.str(id);
    peers = Values.list(peers);
    cluster = Values.str(cluster);
    preferred = Values.str(preferred);
    removed = Values.list(removed);
  }
}
