package io.jscluster.raft.log;

import io.jscluster.raft.wire.PeerState;
import java.util.Objects;
import java.util.Optional;

/** A {@link PeerStateStore} held in memory; "durable" means it survives a simulated restart. */
public final class MemoryPeerStateStore implements PeerStateStore {

  private PeerState value;
  private long saves;

  @Override
  public Optional<PeerState> load() {
    return Optional.ofNullable(value);
  }

  @Override
  public void save(PeerState v) {
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
