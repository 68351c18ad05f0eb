package io.jscluster.raft;

import static io.jscluster.raft.CatalogueProbe.catchupRequest;
import static io.jscluster.raft.NodeHarness.S2;
import static io.jscluster.raft.NodeHarness.ae;
import static io.jscluster.raft.NodeHarness.entry;
import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.wire.AppendEntry;
import io.jscluster.raft.wire.AppendEntryResponse;
import io.jscluster.raft.wire.Entry;
import io.jscluster.raft.wire.NodeIds;
import io.jscluster.raft.wire.RaftCodec;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Health during catch-up and leader-side re-requests (raft.md §10.1/§10.2), from raft_test.go. */
class CatchupCatalogue3Test {

  private static final Entry E = entry("foo");

  @Test
  @DisplayName("TestNRGHealthCheckWaitForCatchup")
  void healthCheckWaitForCatchup() {
    NodeHarness h = new NodeHarness();
    AppendEntry aeMsg1 = ae(S2, 1, 0, 0, 0, E);
    AppendEntry aeMsg2 = ae(S2, 1, 1, 1, 1, E);
    AppendEntry aeMsg3 = ae(S2, 1, 2, 1, 2, E);
    AppendEntry aeHeartbeat = ae(S2, 1, 3, 1, 3);

    h.deliverAe(aeHeartbeat);
    assertThat(h.node.isCatchingUp()).isTrue();
    AppendEntryResponse req = catchupRequest(h);
    assertThat(req.term()).isZero();
    assertThat(req.index()).isZero();

    h.deliverCatchup(aeMsg1);
    assertThat(h.node.lastIndex()).isEqualTo(1);
    assertThat(h.node.healthy(h.now)).isFalse();

    h.deliverCatchup(aeMsg2);
    assertThat(h.node.lastIndex()).isEqualTo(2);
    assertThat(h.node.commitIndex()).isEqualTo(1);
    assertThat(h.node.healthy(h.now)).isFalse();

    // Applied everything committed, but still catching up.
    h.node.applied(h.now, 1);
    assertThat(h.node.healthy(h.now)).isFalse();

    h.deliverCatchup(aeMsg3);
    assertThat(h.node.lastIndex()).isEqualTo(3);
    assertThat(h.node.commitIndex()).isEqualTo(2);
    h.node.applied(h.now, 2);
    assertThat(h.node.healthy(h.now)).isFalse();

    h.deliverAe(aeHeartbeat);
    assertThat(h.node.isCatchingUp()).isFalse();
    assertThat(h.node.lastIndex()).isEqualTo(3);
    assertThat(h.node.commitIndex()).isEqualTo(3);
    assertThat(h.node.healthy(h.now)).isFalse();

    h.node.applied(h.now, 3);
    assertThat(h.node.healthy(h.now)).isTrue();
  }

  /**
   * Go checks the old streamer's exit removes only its own progress queue. Here the streamer
   * state is the leader's per-peer stream: after the re-request, progress from the follower must
   * drive the new stream (new inbox), and nothing more goes to the old inbox.
   */
  @Test
  @DisplayName("TestNRGCatchupRerequestDoesNotOrphanProgressQueue")
  void catchupRerequestDoesNotOrphanProgressQueue() {
    // 1 MiB entries so one stream exceeds its 2 MiB window and waits for progress.
    Entry big = Entry.normal(new byte[1024 * 1024]);
    NodeHarness h = NodeHarness.withHistory(List.of(ae(S2, 1, 0, 0, 0, big),
        ae(S2, 1, 0, 1, 1, big), ae(S2, 1, 0, 1, 2, big)), 1);
    h.electSelf();
    assertThat(h.node.state()).isEqualTo(RaftState.LEADER);
    assertThat(h.node.lastIndex()).isEqualTo(4);
    String follower = NodeIds.fromServerName("S-9");
    String aeInbox = h.node.appendEntryResponseInbox();

    String inbox1 = "$NRG.CR.TEST1";
    h.node.receive(h.now, aeInbox, inbox1,
        RaftCodec.encode(new AppendEntryResponse(1, 0, follower, false)));
    assertThat(h.node.catchupStreams()).isEqualTo(1);
    List<NodeHarness.Sent> first = h.sentOn(inbox1);
    // Window full before the end: indexes 1 and 2 sent (2 MiB plus framing), 3 and 4 held back.
    assertThat(first).hasSize(2);

    // Another entry, then the follower re-requests from scratch.
    h.node.propose(h.now, h.node.term(), new byte[1024 * 1024]);
    h.node.flush(h.now);
    assertThat(h.node.lastIndex()).isEqualTo(5);
    String inbox2 = "$NRG.CR.TEST2";
    h.node.receive(h.now, aeInbox, inbox2,
        RaftCodec.encode(new AppendEntryResponse(1, 0, follower, false)));
    assertThat(h.node.catchupStreams()).isEqualTo(1);
    assertThat(h.sentOn(inbox2)).hasSize(2);

    // Progress from the follower reaches the new stream only.
    h.deliverAr(new AppendEntryResponse(1, 1, follower, true));
    h.deliverAr(new AppendEntryResponse(1, 2, follower, true));
    assertThat(h.sentOn(inbox1)).hasSize(2);
    List<NodeHarness.Sent> second = h.sentOn(inbox2);
    assertThat(second.size()).isGreaterThanOrEqualTo(4);
    assertThat(RaftCodec.decodeAppendEntry(second.get(2).payload()).pindex()).isEqualTo(2);
    assertThat(RaftCodec.decodeAppendEntry(second.get(3).payload()).pindex()).isEqualTo(3);
    assertThat(h.node.catchupStreams()).isEqualTo(1);
  }
}
