package io.jscluster.core;

import io.jscluster.raft.CommittedEntry;
import io.jscluster.raft.RaftConfig;
import io.jscluster.raft.RaftEffects;
import io.jscluster.raft.RaftException;
import io.jscluster.raft.RaftNode;
import io.jscluster.raft.RaftState;
import io.jscluster.raft.log.RaftLog;
import io.jscluster.raft.log.TermVoteStore;
import io.jscluster.raft.transport.Subscription;
import io.jscluster.raft.transport.Transport;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Drives one {@link RaftNode} on a {@link Scheduler}: routes its subscriptions through the
 * {@link Transport} (deliveries re-enter on the logical thread), keeps one timer at the node's next
 * deadline, and hands the upper layer ({@link Listener}) committed entries, the replay-done marker
 * and leader changes in the order the node produced them, after the node's input returned (so the
 * upper layer may call back into the node). Upcalls are delivered in bursts inside
 * {@link Listener#applyBatch}; the highest committed index of a burst is confirmed with
 * {@code applied} once the batch returns, except entries the listener still holds ({@link
 * Listener#heldFrom()}), which it confirms itself with {@link #confirmApplied} once really
 * applied. Proposals are flushed once per burst of tasks. Used by the meta layer and by every
 * replicated stream.
 *
 * <p><b>Background WAL forces.</b> When the log is a {@link BackgroundSyncLog}, the node's syncs
 * return before the disk confirmed them, so the host withholds everything the node emits after a
 * sync request — messages to peers and every upcall — until that sync's force completed, then
 * releases it in order. Seen from outside, the node behaves exactly like one whose syncs block
 * (an append response, a vote, a commit index or an applied entry never leaves before the state it
 * vouches for is on disk), while its thread goes on accepting and batching proposals during the
 * force. A failed force stops the node and drops what was withheld. One exception: a leader's
 * append entries go out at once, because the leader counts its own copy toward a commit only up to
 * {@link RaftLog#durableIndex()} (the host reports each completed force with {@link
 * RaftNode#logDurable}); so its followers write and force the next batch while its own force runs.
 */
public final class RaftGroupHost {

  /** The upper layer of one group. Called on the logical thread. */
  public interface Listener {
    /** Apply what was committed at {@code ce.index()} (index 0: a Raft catch-up signal). */
    void committed(CommittedEntry ce);

    /** The apply queue's nil marker: replay done, or end of Raft catch-up entries. */
    void marker();

    /** Leadership changed; {@code term} is the term proposals must carry. */
    void leaderChanged(boolean isLeader, long term);

    /**
     * Runs {@code body}, which delivers a burst of upcalls (committed entries, markers, leader
     * changes), as one unit: a stream replica wraps it in one store batch so that one fsync covers
     * every entry of the burst. Nothing the body acknowledges may reach a caller before the unit is
     * durable. By default the body just runs.
     */
    default void applyBatch(Runnable body) {
      body.run();
    }

    /**
     * The lowest committed index the listener was handed but has not fully applied yet (a stream
     * replica waiting for a snapshot catch-up holds the snapshot entry and every entry queued
     * behind it), or 0 when it holds nothing. The host never reports an index at or above it as
     * applied to Raft, so neither a snapshot nor a compaction can pass it; the listener confirms
     * such entries with {@link RaftGroupHost#confirmApplied} once they are applied. By default
     * nothing is held.
     */
    default long heldFrom() {
      return 0;
    }
  }

  private final Scheduler scheduler;
  private final Transport transport;
  private final RaftNode node;
  private final RaftLog log;
  private final Listener listener;
  /** The group's append-entry subject: a leader's sends on it are not withheld. */
  private final String aeSubject;
  private final Map<String, Subscription> subs = new LinkedHashMap<>();
  /** An upcall and the sync generation it must wait for. */
  private record Upcall(Runnable action, long gen) {}

  /** A withheld message and the sync generation it must wait for. */
  private record HeldSend(String subject, String reply, byte[] payload, long gen) {}

  private final ArrayDeque<Upcall> upcalls = new ArrayDeque<>();
  /** Non-null when the log forces in the background. */
  private final BackgroundSyncLog background;
  private final ArrayDeque<HeldSend> heldSends = new ArrayDeque<>();
  /** The newest sync generation whose force completed. */
  private long durableGen;
  private boolean drainScheduled;
  private boolean draining;
  private boolean flushScheduled;
  private long drainedUpTo;
  private final Runnable drainBody = this::drainUpcalls;
  private final Runnable drainTask = this::drain;
  private final Runnable flushTask = this::deferredFlush;
  private Scheduler.Timer timer;
  private long timerAt = Long.MAX_VALUE;
  private boolean stopped;
  /** The group's heartbeat interval: how long probes of a reconnected peer go on at most. */
  private final long heartbeatMillis;
  /** Reconnected peers not yet heard from in this group, by peer id. */
  private final Map<String, Probe> probes = new java.util.HashMap<>();

  /** Probing of one reconnected peer: since when, and the delay before the next probe. */
  private static final class Probe {
    final String peer;
    final long since;
    long delay = FIRST_PROBE_DELAY_MILLIS;
    Scheduler.Timer timer;

    Probe(String peer, long since) {
      this.peer = peer;
      this.since = since;
    }
  }

  /**
   * Delay between the heartbeat sent on {@link #peerConnected} and the first re-probe; each later
   * one waits twice as long, so a probe of a peer that takes a while to start the group costs
   * a handful of heartbeats, not one per interval.
   */
  static final long FIRST_PROBE_DELAY_MILLIS = 10;

  /** Creates the node (not yet started). */
  public RaftGroupHost(Scheduler scheduler, Transport transport, RaftConfig config, RaftLog log,
      TermVoteStore termVote, RandomGenerator random, Listener listener) {
    this(scheduler, transport, config, log, termVote,
        new io.jscluster.raft.snapshot.MemorySnapshotStorage(config.group()), random, listener);
  }

  /** Creates the node (not yet started) with its snapshots kept in {@code snapshots}. */
  public RaftGroupHost(Scheduler scheduler, Transport transport, RaftConfig config, RaftLog log,
      TermVoteStore termVote, io.jscluster.raft.snapshot.SnapshotStorage snapshots, RandomGenerator random,
      Listener listener) {
    this(scheduler, transport, config, log, termVote, new io.jscluster.raft.log.MemoryPeerStateStore(),
        snapshots, random, listener);
  }

  /**
   * Creates the node (not yet started) with its committed membership kept in {@code peerState}
   * (read at start-up when no snapshot supplies it) and its snapshots in {@code snapshots}.
   */
  public RaftGroupHost(Scheduler scheduler, Transport transport, RaftConfig config, RaftLog log,
      TermVoteStore termVote, io.jscluster.raft.log.PeerStateStore peerState,
      io.jscluster.raft.snapshot.SnapshotStorage snapshots, RandomGenerator random, Listener listener) {
    this.scheduler = scheduler;
    this.transport = transport;
    this.log = log;
    this.listener = listener;
    this.aeSubject = io.jscluster.raft.wire.Subjects.appendEntry(config.group());
    this.node = new RaftNode(config, log, termVote, peerState, snapshots, random, new Effects());
    this.heartbeatMillis = config.timing().heartbeat();
    this.background = log instanceof BackgroundSyncLog b ? b : null;
    if (background != null) {
      background.bind(scheduler, new BackgroundSyncLog.Listener() {
        @Override
        public void durable(long gen) {
          onDurable(gen);
        }

        @Override
        public void failed(io.jscluster.raft.log.LogException e) {
          onForceFailed();
        }
      });
    }
    // Group commit: the flush that ends each burst of inputs forces the WAL once for every append
    // entry of the burst and only then releases the responses that acknowledge them.
    node.setDeferredSync(true);
  }

  /** Apply upcalls queued before the last {@code drainApplyQueue} carry an older generation and are skipped. */
  private long applyGeneration;

  /** Starts the node: replays its log and arms its timers. */
  public void start() {
    node.start(scheduler.nowMillis());
    afterInput();
  }

  /** The Raft node (call only on the logical thread). */
  public RaftNode node() {
    return node;
  }

  /** Whether {@link #stop()} was called. */
  public boolean stopped() {
    return stopped;
  }

  /**
   * Proposes {@code data} at {@code term}. The proposal is queued; it is sent (and stored) by a
   * flush that runs after the tasks already due on the scheduler, so a burst of proposals becomes
   * one append entry with one WAL sync instead of one each.
   *
   * @throws RaftException when not leader in {@code term} or after a write error
   */
  public void propose(long term, byte[] data) {
    node.propose(scheduler.nowMillis(), term, data);
    scheduleFlush();
  }

  /** Flushes (sync, held responses, queued proposals) after the tasks already due. */
  private void scheduleFlush() {
    if (!flushScheduled) {
      flushScheduled = true;
      scheduler.execute(flushTask);
    }
  }

  private void deferredFlush() {
    flushScheduled = false;
    afterInput();
  }

  /** Runs {@code action} against the node as one input, then flushes and re-arms the timer. */
  public void input(java.util.function.Consumer<RaftNode> action) {
    if (stopped) {
      return;
    }
    action.accept(node);
    afterInput();
  }

  /**
   * The transport's connection to {@code peer} (a Raft node id) came up: the peer restarted or a
   * partition between us healed. When this node leads the group and {@code peer} is a member, it
   * sends a heartbeat now ({@link RaftNode#peerReachable}), so the peer's replica learns the
   * commit index or asks for its catch-up within one round trip rather than at the next regular
   * heartbeat. A restarted node starts some groups only later — a stream's group once its meta
   * group learned the commit of the stream's assignment, itself a round trip after the connection
   * — and a heartbeat sent before the group subscribed is lost; so until the peer answers in this
   * group, the heartbeat is repeated after {@value #FIRST_PROBE_DELAY_MILLIS} ms and then at
   * doubling intervals, for at most one heartbeat interval, after which the regular heartbeats
   * take over. Probing stops early if this node stops leading. Safe at any time: a heartbeat only
   * restates the leader's position. Call on the logical thread.
   */
  public void peerConnected(String peer) {
    if (stopped) {
      return;
    }
    Probe old = probes.remove(peer);
    if (old != null && old.timer != null) {
      old.timer.cancel();
    }
    long now = scheduler.nowMillis();
    if (!node.peerReachable(now, peer)) {
      return;
    }
    afterInput();
    Probe p = new Probe(peer, now);
    probes.put(peer, p);
    armProbe(p);
  }

  private void armProbe(Probe p) {
    p.timer = scheduler.schedule(scheduler.nowMillis() + p.delay, () -> reprobe(p));
  }

  private void reprobe(Probe p) {
    if (stopped || probes.get(p.peer) != p) {
      return;
    }
    long now = scheduler.nowMillis();
    // Heard after the signal: the peer's replica of this group is up and talking to us.
    if (node.lastHeardFrom(p.peer) > p.since || now - p.since >= heartbeatMillis
        || !node.peerReachable(now, p.peer)) {
      probes.remove(p.peer);
      return;
    }
    afterInput();
    p.delay *= 2;
    armProbe(p);
  }

  /**
   * Reconnected peers this group is still probing: not heard from since their connection came up
   * (for tests and inspection). Call on the logical thread.
   */
  public int probingPeers() {
    probes.values().removeIf(p -> {
      boolean answered = node.lastHeardFrom(p.peer) > p.since;
      if (answered && p.timer != null) {
        p.timer.cancel();
      }
      return answered;
    });
    return probes.size();
  }

  /** Stops the node and drops its subscriptions and timers; the log stays open. Idempotent. */
  public void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    node.stop();
    for (Subscription s : List.copyOf(subs.values())) {
      s.unsubscribe();
    }
    subs.clear();
    if (timer != null) {
      timer.cancel();
    }
    for (Probe p : probes.values()) {
      if (p.timer != null) {
        p.timer.cancel();
      }
    }
    probes.clear();
    upcalls.clear();
    heldSends.clear();
  }

  /**
   * The generation the apply of committed index {@code index} must wait for. Only the node's own
   * copy of the entry can be pending: the commit counted it (a leader counts its copy only after
   * the sync covering it), the peers' copies were acknowledged after their forces, and nothing
   * else the apply carries depends on later syncs. So it waits for the force covering that index,
   * not for the newest sync, which a busy leader has usually requested for the next batch already.
   */
  private long applyGate(long index) {
    if (background == null) {
      return 0;
    }
    long g = background.generationCovering(index);
    return g > durableGen ? g : 0;
  }

  /** The generation a message or upcall emitted now must wait for (0: none). */
  private long gate() {
    if (background == null) {
      return 0;
    }
    long g = background.requestedGeneration();
    return g > durableGen ? g : 0;
  }

  private void onDurable(long gen) {
    if (gen <= durableGen) {
      return;
    }
    durableGen = gen;
    background.durableUpTo(gen);
    if (stopped) {
      return;
    }
    // A leader may now count its own copy of entries its followers acknowledged meanwhile.
    node.logDurable(scheduler.nowMillis());
    HeldSend h;
    while ((h = heldSends.peek()) != null && h.gen() <= durableGen) {
      heldSends.poll();
      transport.send(h.subject(), h.reply(), h.payload());
    }
    if (releasable() && !drainScheduled) {
      drainScheduled = true;
      scheduler.execute(drainTask);
    }
    afterInput();
  }

  private void onForceFailed() {
    if (stopped) {
      return;
    }
    // Everything withheld vouches for state that may not be on disk: it never goes out.
    heldSends.clear();
    upcalls.clear();
    node.stop();
  }

  /** Whether the next queued upcall may run. */
  private boolean releasable() {
    Upcall u = upcalls.peek();
    return u != null && u.gen() <= durableGen;
  }

  /** The log the node writes (released by the owner through its {@link NodeStorage}). */
  public RaftLog log() {
    return log;
  }

  private void afterInput() {
    if (stopped) {
      return;
    }
    long now = scheduler.nowMillis();
    node.flush(now);
    if (node.state() == RaftState.CLOSED) {
      return;
    }
    long d = node.nextDeadline();
    if (d != timerAt) {
      if (timer != null) {
        timer.cancel();
      }
      timerAt = d;
      timer = d == Long.MAX_VALUE ? null : scheduler.schedule(d, this::onTimer);
    }
  }

  private void onTimer() {
    if (stopped) {
      return;
    }
    timerAt = Long.MAX_VALUE;
    timer = null;
    node.tick(scheduler.nowMillis());
    afterInput();
  }

  private void enqueue(Runnable upcall) {
    enqueue(upcall, gate());
  }

  private void enqueue(Runnable upcall, long g) {
    upcalls.add(new Upcall(upcall, g));
    if (!drainScheduled && (g == 0 || releasable())) {
      drainScheduled = true;
      scheduler.execute(drainTask);
    }
  }

  private void drain() {
    drainScheduled = false;
    if (!releasable()) {
      return;
    }
    drainedUpTo = 0;
    draining = true;
    try {
      listener.applyBatch(drainBody);
    } finally {
      draining = false;
    }
    // Confirmed only now: the listener's batch (and its store sync) is complete.
    if (!stopped && drainedUpTo > 0) {
      node.applied(scheduler.nowMillis(), drainedUpTo);
    }
    afterInput();
  }

  /**
   * The listener applied everything up to {@code index}, including entries it held back (see
   * {@link Listener#heldFrom()}). Raft learns it at once, or when the running burst ends if called
   * from inside one (the burst's store batch is not durable before then). An index at or above what
   * the listener still holds is capped below it. Call on the logical thread.
   */
  public void confirmApplied(long index) {
    if (stopped) {
      return;
    }
    long held = listener.heldFrom();
    long upTo = held > 0 ? Math.min(index, held - 1) : index;
    if (upTo <= 0) {
      return;
    }
    if (draining) {
      if (upTo > drainedUpTo) {
        drainedUpTo = upTo;
      }
      return;
    }
    node.applied(scheduler.nowMillis(), upTo);
    afterInput();
  }

  private void drainUpcalls() {
    while (!stopped && releasable()) {
      upcalls.poll().action().run();
    }
  }

  private final class Effects implements RaftEffects {
    @Override
    public void send(String subject, String reply, byte[] payload) {
      if (stopped) {
        return;
      }
      if (background != null && subject.equals(aeSubject) && node.state() == RaftState.LEADER) {
        // A leader's append entries go out while its own force runs (Raft lets a leader replicate
        // before its copy is durable): the commit index they carry counts the leader's copy only
        // up to the index the log reports forced (RaftNode#logDurable), their entries are merely
        // uncommitted on the followers if the leader loses them, and its term is saved before it
        // leads. Everything else it emits still waits for the forces requested before it.
        transport.send(subject, reply, payload);
        return;
      }
      long g = gate();
      if (g != 0 || !heldSends.isEmpty()) {
        heldSends.add(new HeldSend(subject, reply, payload, Math.max(g, durableGen)));
      } else {
        transport.send(subject, reply, payload);
      }
    }

    @Override
    public void subscribe(String subject) {
      if (stopped || subs.containsKey(subject)) {
        return;
      }
      subs.put(subject, transport.subscribe(subject, (s, r, p) -> scheduler.execute(() -> {
        if (!stopped && subs.containsKey(s)) {
          node.receive(scheduler.nowMillis(), s, r, p);
          // Deliveries already queued are handled before the flush, so one WAL force covers all
          // of their appends.
          scheduleFlush();
        }
      })));
    }

    @Override
    public void unsubscribe(String subject) {
      Subscription s = subs.remove(subject);
      if (s != null) {
        s.unsubscribe();
      }
    }

    @Override
    public void drainApplyQueue() {
      applyGeneration++;
    }

    @Override
    public void apply(CommittedEntry entry) {
      long gen = applyGeneration;
      enqueue(() -> {
        if (gen != applyGeneration) {
          return;
        }
        listener.committed(entry);
        long held = listener.heldFrom();
        // Held entries (and everything after them) are confirmed by the listener itself.
        if ((held == 0 || entry.index() < held) && entry.index() > drainedUpTo) {
          drainedUpTo = entry.index();
        }
      }, applyGate(entry.index()));
    }

    @Override
    public void applyMarker() {
      enqueue(listener::marker);
    }

    @Override
    public void leaderChanged(boolean isLeader, long term) {
      enqueue(() -> listener.leaderChanged(isLeader, term));
    }
  }
}
