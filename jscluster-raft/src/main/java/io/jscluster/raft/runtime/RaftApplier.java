package io.jscluster.raft.runtime;

import io.jscluster.raft.CommittedEntry;

/**
 * The upper layer of one Raft member: receives NRG's apply queue. Every method runs on the member's
 * loop thread, never concurrently with itself or with anything else of that member, and must not
 * block (it delays every group on the same loop).
 */
public interface RaftApplier {

  /**
   * One committed index. When this returns the runtime confirms it to the core ({@code
   * applied(index)}); index 0 (the catch-up signal) is not confirmed.
   */
  void apply(CommittedEntry entry);

  /** NRG's {@code nil} marker: "startup replay done" or "end of catch-up entries". */
  default void marker() {}
}
