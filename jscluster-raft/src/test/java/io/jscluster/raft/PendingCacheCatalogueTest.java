package io.jscluster.raft;

import static io.jscluster.raft.CatalogueProbe.msgs;
import static io.jscluster.raft.NodeHarness.S2;
import static io.jscluster.raft.NodeHarness.S3;
import static io.jscluster.raft.NodeHarness.ae;
import static io.jscluster.raft.NodeHarness.entry;
import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.wire.AppendEntry;
import io.jscluster.raft.wire.Entry;
import io.jscluster.raft.wire.EntryType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The pending-AE cache never serves entries the log no longer holds, and replaying membership
 * keeps the cluster size (raft.md §10.3/§10.4), ported from nats-server's raft_test.go.
 */
class PendingCacheCatalogueTest {

  private static final Entry E = entry("foo");

  private static NodeHarness threeStored() {
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 0, 0, 0, E));
    h.deliverAe(ae(S2, 1, 0, 1, 1, E));
    h.deliverAe(ae(S2, 1, 0, 1, 2, E));
    assertThat(h.node.lastIndex()).isEqualTo(3);
    assertThat(msgs(h.log)).isEqualTo(3);
    assertThat(h.node.pendingCacheSize()).isEqualTo(3);
    return h;
  }

  @Test
  @DisplayName("TestNRGTruncateWALClearsPendingAppendEntryCache")
  void truncateWalClearsPendingAppendEntryCache() {
    NodeHarness h = threeStored();
    // Go truncates directly; here a new leader's heartbeat after index 1 truncates 2 and 3.
    h.deliverAe(ae(S3, 2, 0, 1, 1));
    assertThat(h.node.lastIndex()).isEqualTo(1);
    assertThat(msgs(h.log)).isEqualTo(1);
    assertThat(h.node.pendingCacheSize()).isEqualTo(1);
  }

  @Test
  @DisplayName("TestNRGResetWALClearsPendingAppendEntryCache")
  void resetWalClearsPendingAppendEntryCache() {
    NodeHarness h = threeStored();
    // Go calls resetWAL; here §7.2 rule 2d resets it (predecessor at 0 with another term).
    h.deliverAe(ae(S2, 1, 0, 7, 0));
    assertThat(h.node.lastIndex()).isZero();
    assertThat(msgs(h.log)).isZero();
    assertThat(h.node.pendingCacheSize()).isZero();
  }

  // Go: TestNRGPendingAppendEntryCacheInvalidation
  @ParameterizedTest(name = "TestNRGPendingAppendEntryCacheInvalidation ({0} stale entries)")
  @ValueSource(ints = {1, RaftNode.PAE_LIMIT, RaftNode.PAE_LIMIT + 1})
  void pendingAppendEntryCacheInvalidation(int stale) {
    NodeHarness h = new NodeHarness();
    h.autoApply = true;
    h.deliverAe(ae(S2, 1, 1, 0, 0, E));
    assertThat(h.node.appliedIndex()).isEqualTo(1);
    // Fill the cache above the log with entries that must never be applied.
    AppendEntry bogus = ae("", 0, 0, 0, 0, new Entry(EntryType.NORMAL, "bogus".getBytes(
        StandardCharsets.UTF_8)));
    for (int i = 0; i < stale; i++) {
      h.node.pendingCachePut(h.node.lastIndex() + 1 + i, bogus);
    }
    Entry real = entry("real");
    h.deliverAe(ae(S2, 1, 1, 1, 1, real));
    h.deliverAe(ae(S2, 1, 2, 1, 2));
    assertThat(h.node.appliedIndex()).isEqualTo(2);
    assertThat(h.applied.get(h.applied.size() - 1).entries()).containsExactly(real);
  }

  @Test
  @DisplayName("TestNRGReplayAddPeerKeepsClusterSize")
  void replayAddPeerKeepsClusterSize() {
    NodeHarness h = new NodeHarness();
    assertThat(h.node.clusterSize()).isEqualTo(3);
    h.deliverAe(ae(S2, 2, 0, 0, 0, E));
    h.deliverAe(ae(S2, 2, 2, 2, 1, new Entry(EntryType.ADD_PEER,
        S3.getBytes(StandardCharsets.ISO_8859_1))));
    assertThat(h.node.commitIndex()).isEqualTo(2);
    NodeHarness r = h.restart();
    assertThat(r.node.lastIndex()).isEqualTo(2);
    assertThat(r.node.clusterSize()).isEqualTo(3);
    assertThat(r.node.quorumNeeded()).isEqualTo(2);
    assertThat(r.node.peerIds()).hasSize(3);
  }
}
