package io.jscluster.raft.runtime;

/**
 * Outcome of one proposal, delivered on the member's loop thread. Exactly one method is called,
 * once. Implementations must not block.
 */
public interface ProposalCallback {

  /** The proposal is committed at log index {@code index} and the leader applied it. */
  void committed(long index);

  /**
   * The proposal was refused (for example {@link io.jscluster.raft.RaftException} NOT_LEADER), or
   * leadership was lost before it committed: it then may or may not commit later under another
   * leader ({@link ProposalOutcomeUnknownException}).
   */
  void failed(Throwable cause);
}
