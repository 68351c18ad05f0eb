package io.jscluster.raft.log;

import java.util.Objects;

/** A {@link TermVoteStore} held in memory; "durable" means it survives a simulated restart. */
public final class MemoryTermVoteStore implements TermVoteStore {

  private TermVote value = TermVote.NONE;
  private long saves;

  @Override
  public TermVote load() {
    return value;
  }

  @Override
  public void save(TermVote v) {
    Objects.requireNonNull(v, "value");
    if (!v.equals(value)) {
      value = v;
      saves++;
    }
  }

  /** How many saves actually changed the stored value. */
  public long saveCount() {
    return saves;
  }
}
