package io.jscluster.raft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.RaftConfig;
import io.jscluster.raft.log.MemoryPeerStateStore;
import io.jscluster.raft.log.MemoryRaftLog;
import io.jscluster.raft.log.MemoryTermVoteStore;
import io.jscluster.raft.snapshot.MemorySnapshotStorage;
import io.jscluster.raft.wire.NodeIds;
import io.jscluster.raft.wire.PeerState;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The event-loop runtime hands a member's membership store ({@code peers.idx}) to its node: a
 * stored membership wins over the configured peers at start-up, and a new group stores its
 * bootstrap membership. Manual clock, no threads.
 */
class EventLoopPeerStateTest {

  private final AtomicLong time = new AtomicLong(1);
  private final List<String> configured = List.of(NodeIds.fromServerName("n1"),
      NodeIds.fromServerName("n2"), NodeIds.fromServerName("n3"));

  @Test
  void aStoredMembershipReplacesTheConfiguredPeers() throws Exception {
    List<String> stored = List.of(configured.get(0), configured.get(1),
        NodeIds.fromServerName("n4"), NodeIds.fromServerName("n5"));
    MemoryPeerStateStore peers = new MemoryPeerStateStore();
    peers.save(new PeerState(5, stored, 0));
    try (EventLoopRuntime runtime = EventLoopRuntime.manual(1, time::get)) {
      RaftMember m = runtime.add(0, RaftConfig.of("G", configured.get(0), configured),
          new MemoryRaftLog(), new MemoryTermVoteStore(), peers, new MemorySnapshotStorage("G"),
          new SplittableRandom(1), new LocalNetwork().endpoint("n1"), ce -> { });
      runtime.runUntilQuiet();
      var size = m.call((node, now) -> node.clusterSize());
      var ids = m.call((node, now) -> node.peerIds());
      runtime.runUntilQuiet();
      assertThat(size.get()).isEqualTo(5);
      assertThat(ids.get()).containsExactlyInAnyOrderElementsOf(stored);
    }
  }

  @Test
  void aNewGroupStoresItsConfiguredMembership() {
    MemoryPeerStateStore peers = new MemoryPeerStateStore();
    try (EventLoopRuntime runtime = EventLoopRuntime.manual(1, time::get)) {
      runtime.add(0, RaftConfig.of("G", configured.get(0), configured), new MemoryRaftLog(),
          new MemoryTermVoteStore(), peers, new MemorySnapshotStorage("G"),
          new SplittableRandom(1), new LocalNetwork().endpoint("n1"), ce -> { });
      runtime.runUntilQuiet();
      assertThat(peers.load()).hasValueSatisfying(ps -> {
        assertThat(ps.clusterSize()).isEqualTo(3);
        assertThat(ps.knownPeers()).containsExactlyInAnyOrderElementsOf(configured);
      });
    }
  }
}
