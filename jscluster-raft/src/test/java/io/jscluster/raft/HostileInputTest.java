package io.jscluster.raft;

import static io.jscluster.raft.NodeHarness.S2;
import static io.jscluster.raft.NodeHarness.S3;
import static io.jscluster.raft.NodeHarness.ae;
import static io.jscluster.raft.NodeHarness.entry;
import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.wire.AppendEntry;
import io.jscluster.raft.wire.AppendEntryResponse;
import io.jscluster.raft.wire.RaftCodec;
import io.jscluster.raft.wire.Subjects;
import io.jscluster.raft.wire.VoteRequest;
import io.jscluster.raft.wire.VoteResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Malformed and hostile wire messages are dropped and counted: they never throw out of the node
 * and never change its state, whatever subject they arrive on.
 */
class HostileInputTest {

  private record Snapshot(RaftState state, long term, String vote, String leader, long pindex,
      long pterm, long commit, long applied, long logLast, int clusterSize, boolean catchingUp) {
    static Snapshot of(NodeHarness h) {
      RaftNode n = h.node;
      return new Snapshot(n.state(), n.term(), n.vote(), n.leaderId(), n.lastIndex(), n.lastTerm(),
          n.commitIndex(), n.appliedIndex(), h.log.lastIndex(), n.clusterSize(), n.isCatchingUp());
    }
  }

  private static List<byte[]> validMessages(long term) {
    return List.of(
        RaftCodec.encode(ae(S2, term + 3, 9, term + 3, 90, entry("x"), entry("y"))),
        RaftCodec.encode(new AppendEntryResponse(term + 3, 7, S2, true)),
        RaftCodec.encode(new VoteRequest(term + 3, term + 3, 99, S3)),
        RaftCodec.encode(new VoteResponse(term + 3, S3, true, false)));
  }

  private static void bombard(NodeHarness h, long seed, int count) {
    Snapshot before = Snapshot.of(h);
    int sentBefore = h.sent.size();
    long malformedBefore = h.node.malformedCount();
    List<String> subjects = new ArrayList<>(h.subscriptions);
    List<byte[]> valid = validMessages(h.node.term());
    Random rnd = new Random(seed);
    for (int i = 0; i < count; i++) {
      String subject = subjects.get(rnd.nextInt(subjects.size()));
      byte[] base = valid.get(rnd.nextInt(valid.size()));
      byte[] b;
      switch (rnd.nextInt(4)) {
        case 0 -> {
          b = new byte[rnd.nextInt(80)];
          rnd.nextBytes(b);
        }
        // An AE may legally lose its trailing lterm byte, so cut at least two bytes.
        case 1 -> b = Arrays.copyOf(base, rnd.nextInt(base.length - 1));
        case 2 -> {
          // Right shape, but a term with the top bit set.
          b = base.clone();
          b[base == valid.get(0) ? 15 : 7] |= (byte) 0x80;
        }
        default -> {
          // Right shape, but the sender id is not a node id.
          b = base.clone();
          int idAt = b.length == 32 ? 24 : b.length == 25 ? 16 : b.length == 17 ? 8 : 0;
          b[idAt + rnd.nextInt(8)] = (byte) rnd.nextInt(48);
        }
      }
      h.node.receive(h.now, subject, rnd.nextBoolean() ? "$NRG.R.x" : null, b);
      h.node.flush(h.now);
    }
    System.out.println("HostileInputTest seed=" + seed + " messages=" + count + " malformed="
        + (h.node.malformedCount() - malformedBefore));
    assertThat(Snapshot.of(h)).as("seed %d", seed).isEqualTo(before);
    assertThat(h.sent).as("seed %d", seed).hasSize(sentBefore);
    assertThat(h.node.malformedCount() - malformedBefore).isEqualTo(count);
  }

  @Test
  void followerIgnoresHostileTraffic() {
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    h.deliverAe(ae(S2, 1, 1, 1, 1, entry("b")));
    bombard(h, 101, 20_000);
  }

  @Test
  void catchingUpFollowerIgnoresHostileTraffic() {
    NodeHarness h = new NodeHarness();
    h.deliverAe(ae(S2, 1, 0, 0, 0, entry("a")));
    h.deliverAe(ae(S2, 1, 1, 1, 5, entry("gap")));
    assertThat(h.node.isCatchingUp()).isTrue();
    h.subscriptions.add(h.node.catchupInbox());
    bombard(h, 102, 20_000);
  }

  @Test
  void leaderIgnoresHostileTraffic() {
    NodeHarness h = new NodeHarness();
    h.electSelf();
    h.deliverAr(new AppendEntryResponse(h.node.term(), 1, S2, true));
    h.node.applied(h.now, 1);
    assertThat(h.node.isLeader()).isTrue();
    // Any payload is a valid proposal, and any node id a valid forwarded removal: not hostile.
    h.subscriptions.remove(Subjects.proposal(NodeHarness.GROUP));
    h.subscriptions.remove(Subjects.removePeer(NodeHarness.GROUP));
    bombard(h, 103, 20_000);
    h.node.receive(h.now, Subjects.removePeer(NodeHarness.GROUP), null, new byte[8]);
    h.node.receive(h.now, Subjects.removePeer(NodeHarness.GROUP), null, new byte[9]);
    h.node.flush(h.now);
    assertThat(h.node.membershipChangeInProgress()).isFalse();
    assertThat(h.node.clusterSize()).isEqualTo(3);
  }

  @Test
  void hostileAppendEntryWithUnknownEntryTypeIsDropped() {
    NodeHarness h = new NodeHarness();
    AppendEntry a = ae(S2, 1, 0, 0, 0, entry("a"));
    byte[] b = RaftCodec.encode(a);
    b[46] = 42;
    h.node.receive(h.now, Subjects.appendEntry(NodeHarness.GROUP), "$NRG.R.x", b);
    assertThat(h.node.lastIndex()).isZero();
    assertThat(h.node.malformedCount()).isEqualTo(1);
  }
}
