package io.jscluster.raft;

import static io.jscluster.raft.NodeHarness.S2;
import static io.jscluster.raft.NodeHarness.S3;
import static io.jscluster.raft.NodeHarness.ae;
import static io.jscluster.raft.NodeHarness.entry;
import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.wire.AppendEntry;
import io.jscluster.raft.wire.AppendEntryResponse;
import io.jscluster.raft.wire.Entry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Follower overrun (raft.md §5 step 8) scenarios of §10.1. nats-server sets {@code commit} and
 * {@code applied} by hand; here the node really holds {@link RaftNode#OVERRUN} + 1 entries whose
 * replay commits {@link RaftNode#OVERRUN} of them while the upper layer has applied nothing.
 */
class OverrunCatalogueTest {

  private static final Entry E = entry("foo");
  private static final long LAST = RaftNode.OVERRUN + 1;

  /** Node whose log holds 1..LAST (term 1) and whose replay committed up to OVERRUN. */
  private static NodeHarness overrunCandidate() {
    List<AppendEntry> history = new ArrayList<>((int) LAST);
    for (long i = 1; i <= LAST; i++) {
      history.add(ae(S2, 1, i - 1, i == 1 ? 0 : 1, i - 1, E));
    }
    NodeHarness h = NodeHarness.withHistory(history, 1);
    assertThat(h.node.lastIndex()).isEqualTo(LAST);
    assertThat(h.node.commitIndex()).isEqualTo(RaftNode.OVERRUN);
    assertThat(h.node.appliedIndex()).isZero();
    return h;
  }

  /**
   * The "New" sub-test (live AEs). The "Replay" sub-test's point, that replays never respond, and
   * the papplied underflow guard (needs an installed snapshot) are not covered here.
   */
  @Test
  @DisplayName("TestNRGFollowerPausesQuorumIfOverrun")
  void followerPausesQuorumIfOverrun() {
    NodeHarness h = overrunCandidate();

    // Exactly at the threshold: still processed and acknowledged.
    h.deliverAe(ae(S2, 1, RaftNode.OVERRUN, 1, LAST));
    AppendEntryResponse ar = h.lastResponse();
    assertThat(ar.success()).isTrue();
    assertThat(ar.index()).isEqualTo(LAST);
    assertThat(h.lastSentTo(NodeHarness.AE_REPLY).reply()).isNull();

    // Commit one more (the check runs before this AE's commit is applied).
    h.deliverAe(ae(S2, 1, LAST, 1, LAST));
    assertThat(h.node.commitIndex()).isEqualTo(LAST);
    int before = h.responses().size();

    // Over the threshold: paused, no response.
    h.deliverAe(ae(S2, 1, LAST, 1, LAST));
    assertThat(h.responses()).hasSize(before);
    assertThat(h.node.overrunCount()).isEqualTo(1);

    // Still paused while the backlog is above the resume threshold.
    h.node.applied(h.now, LAST - RaftNode.QUORUM_RESUME - 1);
    h.deliverAe(ae(S2, 1, LAST, 1, LAST));
    assertThat(h.responses()).hasSize(before);
    assertThat(h.node.overrunCount()).isEqualTo(1);

    // At the resume threshold: unpaused and acknowledging again.
    h.node.applied(h.now, LAST - RaftNode.QUORUM_RESUME);
    h.deliverAe(ae(S2, 1, LAST, 1, LAST));
    assertThat(h.responses()).hasSize(before + 1);
    ar = h.lastResponse();
    assertThat(ar.success()).isTrue();
    assertThat(ar.index()).isEqualTo(LAST);
    assertThat(h.lastSentTo(NodeHarness.AE_REPLY).reply()).isNull();

    // Unpaused for good: the next one is acknowledged too, no new overrun counted.
    h.deliverAe(ae(S2, 1, LAST, 1, LAST));
    assertThat(h.responses()).hasSize(before + 2);
    assertThat(h.node.overrunCount()).isEqualTo(1);
  }

  /**
   * The "EnteringPause" sub-test. "AlreadyPaused" needs a catch-up that started while paused,
   * which only Go's direct state edits can produce (a paused follower drops the live AE before
   * it could start one).
   */
  @Test
  @DisplayName("TestNRGPausingQuorumCancelsCatchup")
  void pausingQuorumCancelsCatchup() {
    NodeHarness h = overrunCandidate();

    // New leader S-3 references an index we do not have: catch-up.
    h.deliverAe(ae(S3, 2, RaftNode.OVERRUN, 2, LAST + 3, E));
    assertThat(h.node.isCatchingUp()).isTrue();
    String csub = h.node.catchupInbox();

    // First catch-up entry is stored and raises commit past the pause threshold.
    h.deliverCatchup(ae(S3, 2, LAST, 1, LAST, E).withLterm(2));
    assertThat(h.node.lastIndex()).isEqualTo(LAST + 1);
    assertThat(h.node.commitIndex()).isEqualTo(LAST);
    assertThat(h.node.isCatchingUp()).isTrue();

    // The next one trips the pause check: catch-up cancelled, entry not stored.
    h.deliverCatchup(ae(S3, 2, LAST, 2, LAST + 1, E).withLterm(2));
    assertThat(h.node.isCatchingUp()).isFalse();
    assertThat(h.node.overrunCount()).isEqualTo(1);
    assertThat(h.node.lastIndex()).isEqualTo(LAST + 1);
    assertThat(h.subscriptions).doesNotContain(csub);
  }
}
