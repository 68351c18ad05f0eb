package io.jscluster.codec.state;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A stream snapshot as replicated through Raft: counters, the clustered-failure count and the
 * deleted sequences, plus (version 2) the state of each source. All numbers are unsigned.
 *
 * @param msgs number of messages stored
 * @param bytes bytes stored
 * @param firstSeq first sequence
 * @param lastSeq last sequence
 * @param failed proposals that failed after being assigned a clustered sequence (CLFS)
 * @param deleted delete blocks in snapshot order; never null
 * @param sources source index-name to state; empty when the snapshot carries none; iteration
 *     order is the order the encoder writes
 */
public record StreamReplicatedState(
    long msgs,
    long bytes,
    long firstSeq,
    long lastSeq,
    long failed,
    List<DeleteBlock> deleted,
    Map<String, StreamSourceState> sources) {

  /** Creates a state; null lists or maps are rejected. */
  public StreamReplicatedState {
    Objects.requireNonNull(deleted, "deleted");
    Objects.requireNonNull(sources, "sources");
  }

  /** The sum of the blocks' {@code num}: how many sequences the blocks delete. */
  public long numDeleted() {
    return DeleteBlock.numDeleted(deleted);
  }
}
