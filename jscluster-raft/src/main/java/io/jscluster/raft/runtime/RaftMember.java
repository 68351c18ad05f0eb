package io.jscluster.raft.runtime;

import io.jscluster.raft.CommittedEntry;
import io.jscluster.raft.RaftConfig;
import io.jscluster.raft.RaftEffects;
import io.jscluster.raft.RaftException;
import io.jscluster.raft.RaftNode;
import io.jscluster.raft.RaftState;
import io.jscluster.raft.log.PeerStateStore;
import io.jscluster.raft.log.RaftLog;
import io.jscluster.raft.log.TermVoteStore;
import io.jscluster.raft.snapshot.SnapshotStorage;
import io.jscluster.raft.transport.Subscription;
import io.jscluster.raft.transport.Transport;
import io.jscluster.raft.wire.Entry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Raft group member hosted by an {@link EventLoopRuntime}: the thread-safe handle around a
 * {@link RaftNode} that only its loop thread ever touches.
 *
 * <p>Threading: every public method may be called from any thread; they enqueue work for the
 * loop. The {@link RaftApplier}, {@link LeaderListener}s, {@link ProposalCallback}s, the futures'
 * dependent actions and actions passed to {@link #call} run on the loop thread and must not block.
 * The accessors ({@link #isLeader()}, {@link #term()}, {@link #state()}) read a snapshot the loop
 * publishes after every input, so they may lag the node by one iteration.
 *
 * <p>Proposals are term-fenced by the core; {@link #propose(byte[], ProposalCallback)} proposes at
 * the term the node leads when the loop drains it. All proposals drained in one loop iteration go
 * to the core as one {@code proposeMulti} per log batch (the core's batch limits), so a burst of
 * proposals costs one append entry per batch, not per proposal.
 */
public final class RaftMember extends TimerHeap.Slot {

  private static final Logger LOG = LoggerFactory.getLogger(RaftMember.class);
  private static final Object MARKER = new Object();

  /** Proposals stored in one log index, waiting to be seen committed. */
  private record Inflight(long term, long index, ProposalCallback[] callbacks) {}

  private final EventLoop loop;
  private final RaftNode raft;
  private final RaftConfig config;
  private final Transport transport;
  private final RaftApplier applier;
  private final Map<String, Subscription> subscriptions = new HashMap<>();
  private final ArrayDeque<Object> applyQueue = new ArrayDeque<>();
  private final ArrayList<byte[]> proposalData = new ArrayList<>();
  private final ArrayList<ProposalCallback> proposalCallbacks = new ArrayList<>();
  private final ArrayList<Entry> batch = new ArrayList<>();
  private final ArrayDeque<Inflight> inflight = new ArrayDeque<>();
  private final ArrayList<long[]> leaderEvents = new ArrayList<>();
  private final List<LeaderListener> listeners = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private long leaderCommitted;
  private long leaderCommittedTerm = -1;
  private boolean closed;
  /** Set by the loop while this member waits in its "touched" list. */
  boolean touched;
  /**
   * Set when a proposal was queued since the last submit: an idle member's finishing step then
   * reads only its own fields, not its (cold) proposal lists.
   */
  private boolean proposalsQueued;

  private volatile boolean publishedLeader;
  private volatile long publishedTerm;
  private volatile RaftState publishedState = RaftState.FOLLOWER;

  RaftMember(EventLoop loop, RaftConfig config, RaftLog log, TermVoteStore termVoteStore,
      PeerStateStore peerStateStore, SnapshotStorage snapshots, RandomGenerator random,
      Transport transport, RaftApplier applier) {
    this.loop = loop;
    this.config = config;
    this.transport = transport;
    this.applier = applier;
    this.raft = new RaftNode(config, log, termVoteStore, peerStateStore, snapshots, random,
        new Effects());
  }

  // =================================================================== public API

  /** The node id. */
  public String id() {
    return config.selfId();
  }

  /** The group name. */
  public String group() {
    return config.group();
  }

  /** Index of the loop this member is pinned to. */
  public int loopIndex() {
    return loop.index;
  }

  /** True when this member was a complete leader after its last input. */
  public boolean isLeader() {
    return publishedLeader;
  }

  /** The term after the member's last input. */
  public long term() {
    return publishedTerm;
  }

  /** The state after the member's last input. */
  public RaftState state() {
    return publishedState;
  }

  /**
   * Proposes {@code data} as one normal entry. The future completes on the loop thread with the
   * committed log index once the leader applied it, or exceptionally (see {@link
   * ProposalCallback#failed}). The array must not be modified afterwards.
   */
  public CompletableFuture<Long> propose(byte[] data) {
    CompletableFuture<Long> f = new CompletableFuture<>();
    propose(data, new ProposalCallback() {
      @Override
      public void committed(long index) {
        f.complete(index);
      }

      @Override
      public void failed(Throwable cause) {
        f.completeExceptionally(cause);
      }
    });
    return f;
  }

  /** Proposes {@code data}; {@code callback} learns the outcome on the loop thread. */
  public void propose(byte[] data, ProposalCallback callback) {
    loop.enqueue(new ProposeCommand(this, data, callback));
  }

  /**
   * Runs {@code action} against the node on its loop thread (for the operations without a
   * dedicated method: step-down, campaign, membership, health, peer reports...). The node must not
   * be kept or used outside the action. The future completes with the action's result, or
   * exceptionally with what it threw.
   */
  public <T> CompletableFuture<T> call(NodeAction<T> action) {
    CompletableFuture<T> f = new CompletableFuture<>();
    loop.enqueue(new EventLoop.Command(this) {
      @Override
      void execute(long now) {
        if (closed) {
          f.completeExceptionally(new RaftException(RaftException.Error.CLOSED, "stopped"));
          return;
        }
        try {
          f.complete(action.apply(raft, now));
        } catch (RuntimeException e) {
          f.completeExceptionally(e);
        }
      }
    });
    return f;
  }

  /**
   * Takes a snapshot on the loop thread. {@code state} runs on the loop thread right before the
   * install and must return the upper layer's state as of everything its {@link RaftApplier} has
   * applied so far: the runtime confirms each index once {@code apply} returns, so that is exactly
   * the node's applied index then (see {@link RaftNode#installSnapshot(long, byte[], boolean)}).
   * Completes with the log bytes freed, or exceptionally with the {@link RaftException} the core
   * raised (for example NO_SNAPSHOT_AVAILABLE, or SNAPSHOT_FAILED, which may be retried).
   */
  public CompletableFuture<Long> installSnapshot(java.util.function.Supplier<byte[]> state,
      boolean force) {
    return call((node, now) -> node.installSnapshot(now, state.get(), force));
  }

  /** Adds a leader-change listener (called on the loop thread). */
  public void addLeaderListener(LeaderListener l) {
    listeners.add(l);
  }

  /** Removes a listener added before. */
  public void removeLeaderListener(LeaderListener l) {
    listeners.remove(l);
  }

  /**
   * Stops the node (idempotent): unsubscribes, disarms its timer, fails queued and in-flight
   * proposals. The future completes on the loop thread when done.
   */
  public CompletableFuture<Void> stop() {
    loop.enqueue(new EventLoop.Command(this) {
      @Override
      void execute(long now) {
        stopOnLoop();
      }
    });
    return stopped;
  }

  /** Completes when the member stopped. */
  public CompletableFuture<Void> stopFuture() {
    return stopped;
  }

  @Override
  public String toString() {
    return "RaftMember[" + config.group() + ":" + config.selfId() + "]";
  }

  // =================================================================== loop side

  /** Loop thread: starts the core and registers with the loop. */
  void startOnLoop(long now) {
    loop.register(this);
    raft.start(now);
  }

  void stopOnLoop() {
    if (closed) {
      return;
    }
    raft.stop();
    // The core may emit effects while stopping (lead change); deliver them before going quiet.
    drainApplies(loop.now());
    publish();
    deliverLeaderEvents();
    closed = true;
    for (Subscription s : subscriptions.values()) {
      s.unsubscribe();
    }
    subscriptions.clear();
    RaftException e = new RaftException(RaftException.Error.CLOSED, "member stopped");
    failQueued(e);
    failInflight(e);
    loop.unregister(this);
    publish();
    stopped.complete(null);
  }

  /**
   * Loop thread: this member's heap entry came due. Ticks the node if its real deadline passed and
   * returns true; otherwise (the deadline moved later since the entry was armed) re-arms it.
   */
  boolean timerDue(long now) {
    if (closed) {
      loop.rearmExactly(this, Long.MAX_VALUE);
      return false;
    }
    long d = raft.nextDeadline();
    if (d > now) {
      loop.rearmExactly(this, d);
      return false;
    }
    raft.tick(now);
    // Re-key now so the loop's due scan moves on; never at or before now, or it would spin.
    long next = raft.nextDeadline();
    loop.rearmExactly(this, next == Long.MAX_VALUE ? next : Math.max(next, now + 1));
    return true;
  }

  /** Loop thread: everything that follows a burst of inputs to this member. */
  void afterInput(long now) {
    if (closed) {
      return;
    }
    submitProposals(now);
    raft.flush(now);
    drainApplies(now);
    completeInflight();
    // Publish before notifying: a listener that reads isLeader() must see the state it is told of.
    publish();
    deliverLeaderEvents();
    if (!inflight.isEmpty()) {
      long t = inflight.peekFirst().term();
      if (raft.state() != RaftState.LEADER || raft.term() != t) {
        failInflight(null);
      }
    }
    publish();
    if (raft.state() == RaftState.CLOSED) {
      stopOnLoop();
      return;
    }
    loop.arm(this, raft.nextDeadline());
  }

  /** Publishes the snapshot the accessors read; writes only what changed (the usual case is nothing). */
  private void publish() {
    long t = raft.term();
    if (t != publishedTerm) {
      publishedTerm = t;
    }
    RaftState st = raft.state();
    if (st != publishedState) {
      publishedState = st;
    }
    boolean l = raft.isLeader();
    if (l != publishedLeader) {
      publishedLeader = l;
    }
  }

  private void submitProposals(long now) {
    if (!proposalsQueued) {
      return;
    }
    proposalsQueued = false;
    int n = proposalData.size();
    if (n == 0) {
      return;
    }
    if (raft.state() != RaftState.LEADER) {
      failQueued(new RaftException(RaftException.Error.NOT_LEADER, "not leader"));
      return;
    }
    long term = raft.term();
    // Anything the core queued itself (forwarded proposals) goes first, so the log index of each
    // batch below is known exactly.
    raft.flush(now);
    int maxEntries = config.maxBatchEntries();
    long maxBytes = config.maxBatchBytes();
    int from = 0;
    try {
      while (from < n) {
        batch.clear();
        long bytes = 0;
        int to = from;
        // Same cut as the core's flush: close the batch once it reaches either limit.
        while (to < n) {
          byte[] d = proposalData.get(to++);
          batch.add(Entry.normal(d));
          bytes += d.length + 1L;
          if (batch.size() >= maxEntries || bytes >= maxBytes) {
            break;
          }
        }
        long before = raft.lastIndex();
        raft.proposeMulti(now, term, batch);
        raft.flush(now);
        long after = raft.lastIndex();
        ProposalCallback[] cbs = new ProposalCallback[to - from];
        for (int i = from; i < to; i++) {
          cbs[i - from] = proposalCallbacks.get(i);
        }
        from = to;
        if (after == before + 1 && raft.term() == term) {
          inflight.addLast(new Inflight(term, after, cbs));
        } else {
          failAll(cbs, new ProposalOutcomeUnknownException(term, before + 1));
        }
      }
    } catch (RaftException e) {
      for (int i = from; i < n; i++) {
        fail(proposalCallbacks.get(i), e);
      }
    } finally {
      batch.clear();
      proposalData.clear();
      proposalCallbacks.clear();
    }
  }

  private void drainApplies(long now) {
    Object o;
    while ((o = applyQueue.poll()) != null) {
      if (o == MARKER) {
        try {
          applier.marker();
        } catch (RuntimeException e) {
          LOG.error("[{}:{}] applier marker failed", config.group(), config.selfId(), e);
        }
        continue;
      }
      CommittedEntry ce = (CommittedEntry) o;
      try {
        applier.apply(ce);
      } catch (RuntimeException e) {
        // Not confirmed: the index stays unapplied, which the core's health reports surface.
        LOG.error("[{}:{}] applying index {} failed", config.group(), config.selfId(),
            ce.index(), e);
        continue;
      }
      if (ce.index() > 0 && !closed) {
        raft.applied(now, ce.index());
      }
    }
  }

  private void completeInflight() {
    Inflight f;
    while ((f = inflight.peekFirst()) != null && f.term() == leaderCommittedTerm
        && f.index() <= leaderCommitted) {
      inflight.pollFirst();
      for (ProposalCallback cb : f.callbacks()) {
        try {
          cb.committed(f.index());
        } catch (RuntimeException e) {
          LOG.error("proposal callback failed", e);
        }
      }
    }
  }

  private void deliverLeaderEvents() {
    if (leaderEvents.isEmpty()) {
      return;
    }
    for (long[] ev : leaderEvents) {
      for (LeaderListener l : listeners) {
        try {
          l.leaderChanged(ev[0] != 0, ev[1]);
        } catch (RuntimeException e) {
          LOG.error("leader listener failed", e);
        }
      }
    }
    leaderEvents.clear();
  }

  private void failQueued(Throwable cause) {
    for (ProposalCallback cb : proposalCallbacks) {
      fail(cb, cause);
    }
    proposalData.clear();
    proposalCallbacks.clear();
  }

  /** Fails every in-flight batch; {@code cause} null means "outcome unknown" per batch. */
  private void failInflight(Throwable cause) {
    Inflight f;
    while ((f = inflight.pollFirst()) != null) {
      failAll(f.callbacks(),
          cause != null ? cause : new ProposalOutcomeUnknownException(f.term(), f.index()));
    }
  }

  private static void failAll(ProposalCallback[] cbs, Throwable cause) {
    for (ProposalCallback cb : cbs) {
      fail(cb, cause);
    }
  }

  private static void fail(ProposalCallback cb, Throwable cause) {
    try {
      cb.failed(cause);
    } catch (RuntimeException e) {
      LOG.error("proposal callback failed", e);
    }
  }

  /** A proposal on its way to the loop. */
  private static final class ProposeCommand extends EventLoop.Command {
    final byte[] data;
    final ProposalCallback callback;

    ProposeCommand(RaftMember m, byte[] data, ProposalCallback callback) {
      super(m);
      this.data = data;
      this.callback = callback;
    }

    @Override
    void execute(long now) {
      RaftMember m = member;
      if (m.closed) {
        fail(callback, new RaftException(RaftException.Error.CLOSED, "member stopped"));
        return;
      }
      m.proposalData.add(data);
      m.proposalCallbacks.add(callback);
      m.proposalsQueued = true;
    }
  }

  /** A message received on one of the member's subscriptions. */
  private static final class Delivery extends EventLoop.Command {
    final String subject;
    final String reply;
    final byte[] payload;

    Delivery(RaftMember m, String subject, String reply, byte[] payload) {
      super(m);
      this.subject = subject;
      this.reply = reply;
      this.payload = payload;
    }

    @Override
    void execute(long now) {
      if (!member.closed) {
        member.raft.receive(now, subject, reply, payload);
      }
    }
  }

  /** The core's effects; called synchronously inside its inputs on the loop thread. */
  private final class Effects implements RaftEffects {

    @Override
    public void send(String subject, String reply, byte[] payload) {
      if (!closed) {
        transport.send(subject, reply, payload);
      }
    }

    @Override
    public void subscribe(String subject) {
      if (closed || subscriptions.containsKey(subject)) {
        return;
      }
      RaftMember self = RaftMember.this;
      subscriptions.put(subject, transport.subscribe(subject,
          (s, r, p) -> loop.enqueue(new Delivery(self, s, r, p))));
    }

    @Override
    public void unsubscribe(String subject) {
      Subscription s = subscriptions.remove(subject);
      if (s != null) {
        s.unsubscribe();
      }
    }

    @Override
    public void apply(CommittedEntry entry) {
      // A leader surfaces an index only from its own commit rule, in its own term: that is the
      // proof an in-flight batch at or below this index committed as stored.
      if (raft.state() == RaftState.LEADER) {
        leaderCommitted = entry.index();
        leaderCommittedTerm = raft.term();
      }
      applyQueue.add(entry);
    }

    @Override
    public void applyMarker() {
      applyQueue.add(MARKER);
    }

    @Override
    public void drainApplyQueue() {
      applyQueue.clear();
    }

    @Override
    public void leaderChanged(boolean isLeader, long term) {
      leaderEvents.add(new long[] {isLeader ? 1 : 0, term});
    }
  }
}
