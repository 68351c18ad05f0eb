package io.jscluster.codec.meta;

import java.util.List;

/**
 * A Raft group of a stream or consumer (Go {@code raftGroup}, JSON member {@code group}).
 * Members: {@code name}, {@code peers} (null for nil), {@code store} (always), then
 * {@code cluster}, {@code preferred}, {@code scale_up}, {@code excluded}, {@code desired}
 * (omitempty). Runtime-only state (the node, migration status) is not part of it.
 *
 * @param name group name
 * @param peers peer ids, or null
 * @param storage storage type; {@link StorageType#UNSPECIFIED} cannot be encoded
 * @param cluster cluster name
 * @param preferred preferred leader
 * @param scaleUp scale-up marker
 * @param excluded evacuated peers, or null
 * @param desired target placement while moving or scaling, or null
 */
public record RaftGroup(
    String name,
    List<String> peers,
    StorageType storage,
    String cluster,
    String preferred,
    boolean scaleUp,
    List<String> excluded,
    DesiredRaftGroup desired) {

  /** Normalises nulls and copies lists. */
  public RaftGroup {
    name = Values.str(name);
    peers = Values.list(peers);
    storage = storage == null ? StorageType.UNSPECIFIED : storage;
    cluster = Values.str(cluster);
    preferred = Values.str(preferred);
    excluded = Values.list(excluded);
  }
}
