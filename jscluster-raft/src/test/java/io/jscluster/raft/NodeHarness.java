package io.jscluster.raft;

import io.jscluster.raft.log.MemoryPeerStateStore;
import io.jscluster.raft.log.MemoryRaftLog;
import io.jscluster.raft.log.MemoryTermVoteStore;
import io.jscluster.raft.log.TermVote;
import io.jscluster.raft.snapshot.MemorySnapshotStorage;
import io.jscluster.raft.wire.AppendEntry;
import io.jscluster.raft.wire.AppendEntryResponse;
import io.jscluster.raft.wire.Entry;
import io.jscluster.raft.wire.NodeIds;
import io.jscluster.raft.wire.RaftCodec;
import io.jscluster.raft.wire.Subjects;
import io.jscluster.raft.wire.VoteRequest;
import io.jscluster.raft.wire.VoteResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Drives one {@link RaftNode} by hand in virtual time, the way nats-server's unit tests drive a
 * single raft with hand-built messages: it records every effect and offers builders for the wire
 * messages peers would send.
 */
final class NodeHarness implements RaftEffects {

  record Sent(String subject, String reply, byte[] payload) {}

  static final String S1 = NodeIds.fromServerName("S-1");
  static final String S2 = NodeIds.fromServerName("S-2");
  static final String S3 = NodeIds.fromServerName("S-3");
  static final String GROUP = "TEST";
  static final String AE_REPLY = Subjects.inbox("leaderAR");

  final MemoryRaftLog log;
  final MemoryTermVoteStore tv;
  final MemorySnapshotStorage snapshots;
  final MemoryPeerStateStore peerStates;
  final RaftNode node;
  long now = 1_000;
  final List<Sent> sent = new ArrayList<>();
  final List<CommittedEntry> applied = new ArrayList<>();
  /** Surfaced elements not yet confirmed nor drained: NRG's apply queue. */
  final List<CommittedEntry> queue = new ArrayList<>();
  final List<Boolean> leaderSignals = new ArrayList<>();
  final Set<String> subscriptions = new LinkedHashSet<>();
  final List<Long> readsReady = new ArrayList<>();
  final List<Long> readsFailed = new ArrayList<>();
  int markers;
  boolean autoApply;

  /** Self is S-1, peers S-2 and S-3. */
  NodeHarness() {
    this(c -> c, new MemoryRaftLog(), new MemoryTermVoteStore());
  }

  NodeHarness(UnaryOperator<RaftConfig> customize) {
    this(customize, new MemoryRaftLog(), new MemoryTermVoteStore());
  }

  NodeHarness(UnaryOperator<RaftConfig> customize, MemoryRaftLog log, MemoryTermVoteStore tv) {
    this(customize, log, tv, new MemorySnapshotStorage(GROUP));
  }

  NodeHarness(UnaryOperator<RaftConfig> customize, MemoryRaftLog log, MemoryTermVoteStore tv,
      MemorySnapshotStorage snapshots) {
    this(customize, log, tv, snapshots, new MemoryPeerStateStore());
  }

  NodeHarness(UnaryOperator<RaftConfig> customize, MemoryRaftLog log, MemoryTermVoteStore tv,
      MemorySnapshotStorage snapshots, MemoryPeerStateStore peerStates) {
    this.log = log;
    this.tv = tv;
    this.snapshots = snapshots;
    this.peerStates = peerStates;
    RaftConfig cfg = customize.apply(RaftConfig.of(GROUP, S1, List.of(S1, S2, S3)));
    this.node = new RaftNode(cfg, log, tv, peerStates, snapshots, new Random(7), this);
    node.start(now);
  }

  /** Stops this node and starts a new one over what its storage durably holds. */
  NodeHarness restart() {
    node.stop();
    NodeHarness h = new NodeHarness(c -> c.withRecovering(true), log.afterCrash(0), tv, snapshots,
        peerStates);
    return h;
  }

  // ------------------------------------------------------------------ effects
  @Override
  public void send(String subject, String reply, byte[] payload) {
    sent.add(new Sent(subject, reply, payload));
  }

  @Override
  public void subscribe(String subject) {
    subscriptions.add(subject);
  }

  @Override
  public void unsubscribe(String subject) {
    subscriptions.remove(subject);
  }

  @Override
  public void apply(CommittedEntry entry) {
    applied.add(entry);
    queue.add(entry);
  }

  @Override
  public void drainApplyQueue() {
    queue.clear();
  }

  @Override
  public void applyMarker() {
    markers++;
  }

  @Override
  public void leaderChanged(boolean isLeader, long term) {
    leaderSignals.add(isLeader);
  }

  @Override
  public void readIndexReady(long requestId, long index) {
    readsReady.add(requestId);
  }

  @Override
  public void readIndexFailed(long requestId) {
    readsFailed.add(requestId);
  }

  // ------------------------------------------------------------------ driving
  void advance(long millis) {
    long end = now + millis;
    while (node.nextDeadline() <= end) {
      now = Math.max(now, node.nextDeadline());
      node.tick(now);
      applyAll();
    }
    now = end;
  }

  /** Confirms every surfaced entry (the upper layer applying), when auto-apply is on. */
  void applyAll() {
    if (!autoApply) {
      return;
    }
    for (CommittedEntry ce : new ArrayList<>(applied)) {
      if (ce.index() > node.appliedIndex()) {
        node.applied(now, ce.index());
      }
    }
    queue.clear();
  }

  void deliverAe(AppendEntry ae) {
    node.receive(now, Subjects.appendEntry(GROUP), AE_REPLY, RaftCodec.encode(ae));
    node.flush(now);
    applyAll();
  }

  void deliverCatchup(AppendEntry ae) {
    String inbox = node.catchupInbox();
    node.receive(now, inbox == null ? "$NRG.CR.none" : inbox, AE_REPLY, RaftCodec.encode(ae));
    applyAll();
  }

  void deliverAr(AppendEntryResponse ar) {
    node.receive(now, node.appendEntryResponseInbox(), null, RaftCodec.encode(ar));
    node.flush(now);
    applyAll();
  }

  void deliverVoteRequest(VoteRequest vr) {
    node.receive(now, Subjects.vote(GROUP), Subjects.inbox("cand" + vr.candidate().substring(0, 4)),
        RaftCodec.encode(vr));
  }

  void deliverVote(VoteResponse vr) {
    node.receive(now, node.voteInbox(), null, RaftCodec.encode(vr));
    node.flush(now);
    applyAll();
  }

  /** Makes the node leader of the next term with votes from S-2 (and S-3 if needed). */
  void electSelf() {
    node.campaignImmediately(now);
    advance(100);
    long term = node.term();
    deliverVote(new VoteResponse(term, S2, true, false));
    if (node.state() != RaftState.LEADER) {
      deliverVote(new VoteResponse(term, S3, true, false));
    }
  }

  /** Pre-loads the log and term/vote store as if the node had run before (call before start). */
  static NodeHarness withHistory(List<AppendEntry> history, long term) {
    MemoryRaftLog log = new MemoryRaftLog();
    for (AppendEntry ae : history) {
      log.append(ae.pindex() + 1, ae.term(), RaftCodec.encode(ae));
    }
    log.sync();
    MemoryTermVoteStore tv = new MemoryTermVoteStore();
    tv.save(new TermVote(term, ""));
    return new NodeHarness(c -> c, log, tv);
  }

  // ------------------------------------------------------------------ builders and inspection
  static Entry entry(String s) {
    return Entry.normal(s.getBytes(StandardCharsets.UTF_8));
  }

  static AppendEntry ae(String leader, long term, long commit, long pterm, long pindex,
      Entry... entries) {
    return new AppendEntry(leader, term, commit, pterm, pindex, List.of(entries), 0);
  }

  List<Sent> sentOn(String subject) {
    List<Sent> out = new ArrayList<>();
    for (Sent s : sent) {
      if (s.subject().equals(subject)) {
        out.add(s);
      }
    }
    return out;
  }

  /** Responses sent to the fake leader's AE reply inbox. */
  List<AppendEntryResponse> responses() {
    List<AppendEntryResponse> out = new ArrayList<>();
    for (Sent s : sentOn(AE_REPLY)) {
      out.add(RaftCodec.decodeAppendEntryResponse(s.payload()));
    }
    return out;
  }

  AppendEntryResponse lastResponse() {
    List<AppendEntryResponse> r = responses();
    return r.isEmpty() ? null : r.get(r.size() - 1);
  }

  Sent lastSentTo(String subject) {
    List<Sent> l = sentOn(subject);
    return l.isEmpty() ? null : l.get(l.size() - 1);
  }

  List<AppendEntry> appendEntriesSent() {
    List<AppendEntry> out = new ArrayList<>();
    for (Sent s : sentOn(Subjects.appendEntry(GROUP))) {
      out.add(RaftCodec.decodeAppendEntry(s.payload()));
    }
    return out;
  }
}
