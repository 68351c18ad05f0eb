package io.jscluster.raft.log;

import java.util.Objects;

/** A {@link TermVoteStore} held in memory; "durable" means it survives a simulated restart. */
public final class MemoryTermVoteStore implements TermVoteStore {

  private TermVote value = TermVote.NONE;
  private long dataLossTerm;
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

  @Override
  public long dataLossTerm() {
    return dataLossTerm;
  }

  @Override
  public void saveDataLossTerm(long term) {
    if (term < 0) {
      throw new IllegalArgumentException("negative term");
    }
    dataLossTerm = term;
  }

  /** How many saves actually changed the stored value. */
  public long saveCount() {
    return saves;
  }
}
