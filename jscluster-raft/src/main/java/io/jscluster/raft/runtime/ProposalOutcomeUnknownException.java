package io.jscluster.raft.runtime;

/**
 * Leadership was lost after a proposal was stored but before it was seen to commit: it may still
 * commit under the next leader, or be discarded. Callers that need certainty re-read state.
 */
public final class ProposalOutcomeUnknownException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Creates the exception for log index {@code index} proposed in {@code term}. */
  public ProposalOutcomeUnknownException(long term, long index) {
    super("leadership lost before index " + index + " of term " + term + " was seen to commit");
  }
}
