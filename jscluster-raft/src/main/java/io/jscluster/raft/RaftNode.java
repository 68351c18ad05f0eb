package io.jscluster.raft;

import io.jscluster.raft.log.LogException;
import io.jscluster.raft.log.LogRecord;
import io.jscluster.raft.log.MemoryPeerStateStore;
import io.jscluster.raft.log.PeerStateStore;
import io.jscluster.raft.log.RaftLog;
import io.jscluster.raft.log.TermVote;
import io.jscluster.raft.log.TermVoteStore;
import io.jscluster.raft.snapshot.MemorySnapshotStorage;
import io.jscluster.raft.snapshot.Snapshot;
import io.jscluster.raft.snapshot.SnapshotRecovery;
import io.jscluster.raft.snapshot.SnapshotStorage;
import io.jscluster.raft.wire.AppendEntry;
import io.jscluster.raft.wire.AppendEntryResponse;
import io.jscluster.raft.wire.Entry;
import io.jscluster.raft.wire.EntryType;
import io.jscluster.raft.wire.NodeIds;
import io.jscluster.raft.wire.PeerState;
import io.jscluster.raft.wire.PeerStateCodec;
import io.jscluster.raft.wire.RaftCodec;
import io.jscluster.raft.wire.Subjects;
import io.jscluster.raft.wire.VoteRequest;
import io.jscluster.raft.wire.VoteResponse;
import io.jscluster.raft.wire.WireFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of an NRG Raft group: a deterministic, single-threaded state machine.
 *
 * <p>It never reads a clock, starts a thread or draws unseeded randomness. Every input method takes
 * the runtime's current time in milliseconds ({@code now}); effects go to the injected {@link
 * RaftEffects}; the log and term/vote store are injected and written synchronously (the node
 * acknowledges nothing before {@link RaftLog#sync()} or {@link TermVoteStore#save} returned). See
 * the package documentation for how a runtime drives it.
 *
 * <p>Not thread-safe: exactly one thread at a time may call into a node, and effects must not call
 * back into it.
 */
public final class RaftNode {

  private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);

  /** Unapplied/uncommitted backlog above which a leader steps down and a follower pauses. */
  static final long OVERRUN = 100_000;
  /** A paused follower rejoins the quorum once its backlog is at most this. */
  static final long QUORUM_RESUME = 10_000;
  /** Most AEs kept in the pending cache. */
  static final int PAE_LIMIT = 20_000;

  private enum Source { LIVE, CATCHUP, STALE_CATCHUP, REPLAY }

  /** What this node knows about one peer. */
  private static final class Peer {
    long heard = -1;
    long lastIndex;
  }

  /** An in-flight membership change. */
  private record MembershipChange(long index, String peer, boolean add, Peer previous) {}

  /** Follower-side catch-up state. */
  private static final class Catchup {
    long cterm;
    long cindex;
    String inbox;
    boolean signalled;
    long lastPindex;
    long lastProgressAt;
  }

  /** Leader-side stream of historic entries to one follower's catch-up inbox. */
  private static final class CatchupStream {
    final String peer;
    final String inbox;
    final long last;
    long next;
    long outstanding;
    long lastProgressAt;
    /** Encoded size of every index sent and not yet reported, in sending (= index) order. */
    final Map<Long, Integer> sizes = new LinkedHashMap<>();

    CatchupStream(String peer, String inbox, long last, long next, long now) {
      this.peer = peer;
      this.inbox = inbox;
      this.last = last;
      this.next = next;
      this.lastProgressAt = now;
    }
  }

  /** A read-index confirmation round. */
  private static final class ReadRound {
    final String inbox;
    final Set<String> acks = new HashSet<>();
    final List<Long> requests;
    final long index;
    final AppendEntry probe;

    ReadRound(String inbox, List<Long> requests, long index, AppendEntry probe) {
      this.inbox = inbox;
      this.requests = requests;
      this.index = index;
      this.probe = probe;
    }
  }

  /** The log position a stored snapshot stands for. */
  private record SnapshotPosition(long term, long index) {}

  // ---------------------------------------------------------------- configuration and SPI
  private final RaftConfig config;
  private final String id;
  private final RaftLog log;
  private final TermVoteStore termVoteStore;
  private final PeerStateStore peerStateStore;
  private final SnapshotStorage snapshots;
  private final RandomGenerator random;
  private final RaftEffects effects;
  private final RaftTiming timing;

  private final String voteSubject;
  private final String preVoteSubject;
  private final String aeSubject;
  private final String proposalSubject;
  private final String removePeerSubject;
  private final String voteInbox;
  private final String preVoteInbox;
  private final String aeInbox;

  // ---------------------------------------------------------------- persistent / volatile state
  private RaftState state = RaftState.FOLLOWER;
  private boolean observer;
  private boolean started;
  private LogException writeError;
  /**
   * Non-zero while this node may have lost log entries it acknowledged (its log was found damaged
   * or cut short): the term it had then. Durable in the term/vote store. While set, the node's
   * votes are "empty" (they count only when every peer answers) and so is its own vote as a
   * candidate, so no quorum can rest on its short log; cleared once its last entry is of a later
   * term, which proves its log equals that term's leader's up to there.
   */
  private long dataLossTerm;
  /** Set while replaying when records had to be cut off. */
  private boolean replayCut;
  private long term;
  private String vote = "";
  private String leader = "";
  private long pterm;
  private long pindex;
  private long commit;
  private long processed;
  private long applied;
  private long papplied;
  private long hcommit;
  private boolean paused;
  /**
   * When this paused node last refused a vote or pre-vote only because the candidate's log was
   * behind its own (scheduler millis). See {@link #mayCampaign(long)}.
   */
  private long blockingRefusalAt = Long.MIN_VALUE / 2;
  /**
   * Peers this paused node refused for a log behind its own, with when (scheduler millis). They
   * campaigned, so they were neither paused nor observers: the hand-off prefers them.
   */
  private final Map<String, Long> blockedCandidates = new LinkedHashMap<>();
  private boolean initializing;
  private boolean quorumPaused;
  private boolean transferTarget;
  private boolean forcedCampaign;
  private boolean hadLeader;
  private final LinkedHashMap<String, Peer> peers = new LinkedHashMap<>();
  private final Map<String, Long> removed = new HashMap<>();
  /**
   * Managed groups: when this node last heard a response from each peer outside its peer set (the
   * meta layer assigns peers before the leader adds them; NRG's observed peers).
   */
  private final Map<String, Long> observed = new HashMap<>();
  private int clusterSize;
  /** The domain extension state, kept as stored so that persisting the peer state keeps it. */
  private int extState = PeerState.EXT_UNDETERMINED;
  private int quorum;
  private MembershipChange membershipChange;
  private final TreeMap<Long, AppendEntry> pendingCache = new TreeMap<>();

  // snapshots
  /** Position of the adopted snapshot (NRG's {@code snapfile}); null when none. */
  private SnapshotPosition snapshot;
  /** A checkpoint is open (NRG's {@code snapshotting}); any install clears it. */
  private boolean snapshotting;
  /** Bumped by every install, so a checkpoint can tell it was superseded. */
  private long snapshotEpoch;
  /** What the start-up scan of the snapshot storage found. */
  private SnapshotRecovery snapshotRecovery;
  /**
   * The last log position (term {@link #lostTerm}, index {@code lostUpTo}) this node held before
   * start-up dropped state (damaged snapshots, log records that no longer followed the adopted
   * snapshot); 0 when nothing was lost. Until its log is at least as up to date as that position
   * again the node's votes count as empty (only when every member grants): it may have
   * acknowledged entries it no longer holds, and its vote alone must not elect a leader that lacks
   * them.
   */
  private long lostUpTo;
  private long lostTerm;

  // timers
  private long electionAt;
  private long heartbeatAt = Long.MAX_VALUE;
  private long quorumCheckAt = Long.MAX_VALUE;
  private long lastAppendSentAt;
  private long clusterGrewAt = Long.MIN_VALUE / 2;
  /** The time of the input being handled, for bookkeeping deep inside (never read as a clock). */
  private long clock;

  // candidate
  private final Set<String> votes = new HashSet<>();
  private final Set<String> emptyVotes = new HashSet<>();
  // pre-vote (follower)
  private long preVoteTerm;
  private final Set<String> preVotes = new HashSet<>();
  private final Set<String> preEmptyVotes = new HashSet<>();

  // leader
  private final TreeMap<Long, Set<String>> acks = new TreeMap<>();
  private long noopIndex;
  private boolean completeLeader;
  /** Queued proposals, all of term {@link #proposalsTerm}; swapped with {@link #spareProposals}. */
  private List<Entry> proposals = new ArrayList<>();
  private long proposalsTerm;
  /** The emptied queue of the previous flush, reused so flushing allocates no queue copy. */
  private List<Entry> spareProposals = new ArrayList<>();
  /** Scratch for one AE batch; {@link AppendEntry} copies it, so it is cleared and reused. */
  private final List<Entry> batchScratch = new ArrayList<>();
  /** True while {@link #flush} runs; a re-entrant flush (from an effect) uses its own batch list. */
  private boolean flushing;
  /** Opt-in group commit: appends are made durable by the next {@link #flush(long)}. */
  private boolean deferredSync;
  /** Deferred mode: something was appended since the last sync. */
  private boolean unsynced;
  /** Deferred mode: append-entry responses held back until the log is durable, in order. */
  private final List<String> heldArSubjects = new ArrayList<>();
  private final List<String> heldArReplies = new ArrayList<>();
  private final List<byte[]> heldArPayloads = new ArrayList<>();
  private final Map<String, CatchupStream> streams = new LinkedHashMap<>();
  private final List<Long> queuedReads = new ArrayList<>();
  private ReadRound readRound;

  // follower
  private Catchup catchup;
  private final Set<String> staleCatchupInboxes = new HashSet<>();

  // counters
  private long malformed;
  private long overruns;
  private long healthCheckBacklog = -1;

  /**
   * Creates a node; call {@link #start(long)} before any other input.
   *
   * @param config the group member configuration
   * @param log the log, possibly holding entries from before a restart
   * @param termVoteStore the term/vote store, possibly holding a previous value
   * @param random the only source of randomness (election timeouts, inbox names); seed it for
   *     reproducible runs
   * @param effects where the node's effects go
   */
  public RaftNode(RaftConfig config, RaftLog log, TermVoteStore termVoteStore,
      RandomGenerator random, RaftEffects effects) {
    this(config, log, termVoteStore, new MemorySnapshotStorage(config.group()), random, effects);
  }

  /**
   * Creates a node with durable snapshots; call {@link #start(long)} before any other input.
   *
   * @param config the group member configuration
   * @param log the log, possibly holding entries from before a restart
   * @param termVoteStore the term/vote store, possibly holding a previous value
   * @param snapshots the snapshot storage, possibly holding snapshots from before a restart; it
   *     must belong to this group (its checksum key is the group name) and to no other node
   * @param random the only source of randomness (election timeouts, inbox names); seed it for
   *     reproducible runs
   * @param effects where the node's effects go
   */
  public RaftNode(RaftConfig config, RaftLog log, TermVoteStore termVoteStore,
      SnapshotStorage snapshots, RandomGenerator random, RaftEffects effects) {
    this(config, log, termVoteStore, new MemoryPeerStateStore(), snapshots, random, effects);
  }

  /**
   * Creates a node with durable membership and snapshots; call {@link #start(long)} before any
   * other input.
   *
   * @param config the group member configuration; its peers and cluster size are only the
   *     bootstrap membership, used when {@code peerStateStore} holds nothing yet
   * @param log the log, possibly holding entries from before a restart
   * @param termVoteStore the term/vote store, possibly holding a previous value
   * @param peerStateStore the membership store ({@code peers.idx}), possibly holding the committed
   *     membership from before a restart
   * @param snapshots the snapshot storage, possibly holding snapshots from before a restart; it
   *     must belong to this group (its checksum key is the group name) and to no other node
   * @param random the only source of randomness (election timeouts, inbox names); seed it for
   *     reproducible runs
   * @param effects where the node's effects go
   */
  public RaftNode(RaftConfig config, RaftLog log, TermVoteStore termVoteStore,
      PeerStateStore peerStateStore, SnapshotStorage snapshots, RandomGenerator random,
      RaftEffects effects) {
    this.peerStateStore = Objects.requireNonNull(peerStateStore, "peerStateStore");
    this.config = Objects.requireNonNull(config, "config");
    this.log = Objects.requireNonNull(log, "log");
    this.termVoteStore = Objects.requireNonNull(termVoteStore, "termVoteStore");
    this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
    this.random = Objects.requireNonNull(random, "random");
    this.effects = Objects.requireNonNull(effects, "effects");
    this.timing = config.timing();
    this.id = config.selfId();
    String g = config.group();
    this.voteSubject = Subjects.vote(g);
    this.preVoteSubject = Subjects.preVote(g);
    this.aeSubject = Subjects.appendEntry(g);
    this.proposalSubject = Subjects.proposal(g);
    this.removePeerSubject = Subjects.removePeer(g);
    this.voteInbox = Subjects.inbox(NodeIds.token(random));
    this.preVoteInbox = Subjects.inbox(NodeIds.token(random));
    this.aeInbox = Subjects.inbox(NodeIds.token(random));
    this.observer = config.observer();
    for (String p : config.peers()) {
      peers.put(p, new Peer());
    }
    peers.computeIfAbsent(id, k -> new Peer());
    this.clusterSize = Math.max(config.clusterSize(), peers.size());
    recalcQuorum();
  }

  // =================================================================== inputs

  /**
   * Starts the node: loads term and vote, adopts the newest valid snapshot (surfacing it as a
   * snapshot element, see {@link CommittedEntry#isSnapshot()}, and compacting the log up to it),
   * takes the membership from that snapshot or else from the peer state store (as NRG reads {@code
   * peers.idx}; an empty store means a new group, whose configured peers are then stored), replays
   * the log (surfacing committed entries above the snapshot, then the replay-done marker),
   * subscribes and arms the election timer.
   *
   * <p>A stored peer state that cannot be read or decoded stops the node with that error ({@link
   * #writeError()}, kind CORRUPT or IO): starting from the configured peers instead could count
   * quorum against a membership the group has left behind.
   *
   * <p>A damaged snapshot is never a reason to discard state: recovery falls back to the newest
   * older snapshot that verifies (or to none, and then to a catch-up from the leader), leaves the
   * damaged file where it is and reports it in {@link #snapshotRecovery()}. Log records that no
   * longer follow the adopted snapshot are truncated as NRG's replay does (§8.4).
   *
   * <p>Beyond NRG: when start-up had to drop state (a damaged snapshot newer than the one adopted,
   * log records that could not be placed, or damage the log's own recovery reported), the node
   * may have acknowledged entries it no longer holds. Until its log reaches the highest index it
   * held before ({@link #lostStateUpTo()}), and until it holds an entry of a term after the one it
   * had ({@link #dataLossTerm()}, durable), its votes and its own vote as a candidate are empty:
   * they count only when every peer answers, so its vote cannot elect a leader that lacks those
   * entries. It still follows a leader and is caught up normally.
   */
  public void start(long now) {
    if (started) {
      throw new IllegalStateException("already started");
    }
    started = true;
    clock = now;
    try {
      TermVote tv = termVoteStore.load();
      term = tv.term();
      vote = tv.vote();
      dataLossTerm = termVoteStore.dataLossTerm();
      boolean membershipFromSnapshot = setupLastSnapshot(now);
      if (!membershipFromSnapshot) {
        restorePeerState(now);
      }
      replay(now);
      java.util.Optional<String> damage = log.recoveryDamage();
      if (damage.isPresent() || replayCut || lostUpTo > 0) {
        LOG.warn("[{}:{}] log recovered short ({}); last entry {}/{}", config.group(), id,
            damage.orElse("state dropped at start-up"), pindex, pterm);
        // The stored term bounds what was acknowledged; replay may have raised the term since.
        markDataLoss(tv.term());
      }
    } catch (LogException e) {
      fail(e);
      return;
    }
    initializing = !config.recovering() && pindex == 0;
    effects.subscribe(voteSubject);
    effects.subscribe(aeSubject);
    effects.subscribe(voteInbox);
    effects.subscribe(aeInbox);
    if (config.preVote()) {
      effects.subscribe(preVoteSubject);
      effects.subscribe(preVoteInbox);
    }
    effects.applyMarker();
    if (observer) {
      armElection(now, timing.observerTimer());
    } else {
      resetElectionTimer(now);
    }
  }

  /**
   * Handles one message delivered on a subject this node subscribed to. Malformed or hostile
   * payloads are dropped and counted ({@link #malformedCount()}); they never change state.
   *
   * @param now the runtime time in ms
   * @param subject the subject the message arrived on
   * @param reply its reply subject, or null
   * @param payload its bytes (not modified, not retained beyond the call unless stored in the log)
   */
  public void receive(long now, String subject, String reply, byte[] payload) {
    if (state == RaftState.CLOSED || !started) {
      return;
    }
    try {
      dispatch(now, subject, reply, payload);
    } catch (WireFormatException e) {
      malformed++;
      LOG.debug("[{}:{}] dropped malformed message on {}: {}", config.group(), id, subject,
          e.getMessage());
    } catch (LogException e) {
      fail(e);
    }
  }

  /**
   * Fires whatever timers are due at {@code now} (election, heartbeat, quorum check, catch-up
   * inactivity) and flushes queued proposals. Calling it early or repeatedly is harmless.
   */
  public void tick(long now) {
    if (state == RaftState.CLOSED || !started) {
      return;
    }
    clock = now;
    try {
      if (state == RaftState.LEADER) {
        leaderTick(now);
      } else if (now >= electionAt) {
        electionTimeout(now);
      }
      flush(now);
    } catch (LogException e) {
      fail(e);
    }
  }

  /**
   * The earliest time at which {@link #tick(long)} has work to do; {@code Long.MAX_VALUE} when
   * closed. A runtime arms one timer per node at this time and re-reads it after every input.
   */
  public long nextDeadline() {
    if (state == RaftState.CLOSED || !started) {
      return Long.MAX_VALUE;
    }
    if (state == RaftState.LEADER) {
      long d = Math.min(heartbeatAt, quorumCheckAt);
      if (!streams.isEmpty()) {
        for (CatchupStream s : streams.values()) {
          d = Math.min(d, s.lastProgressAt + timing.catchupInactivity());
        }
      }
      return d;
    }
    return electionAt;
  }

  /**
   * Proposes one normal entry. Term-fenced: accepted only while leader in exactly {@code term}.
   * The entry is queued and sent with the next {@link #flush(long)}.
   *
   * @throws RaftException NOT_LEADER if not leader or {@code term} is not the current term, or the
   *     leader is overrun (it then steps down); WRITE_ERROR after a storage failure
   */
  public void propose(long now, long term, byte[] data) {
    proposeMulti(now, term, List.of(Entry.normal(data)));
  }

  /** Proposes several entries of any type, in order, under the same checks as {@link #propose}. */
  public void proposeMulti(long now, long term, List<Entry> entries) {
    checkWritable();
    if (state != RaftState.LEADER || term != this.term) {
      throw new RaftException(RaftException.Error.NOT_LEADER,
          "state " + state + " term " + this.term + " proposal term " + term);
    }
    long c = Math.max(commit, papplied);
    long a = Math.max(applied, papplied);
    if (pindex - c > OVERRUN || c - a > OVERRUN) {
      overruns++;
      LOG.warn("[{}:{}] leader overrun (pindex {}, commit {}, applied {}), stepping down",
          config.group(), id, pindex, commit, applied);
      stepDownTo(now, "");
      throw new RaftException(RaftException.Error.NOT_LEADER, "leader overrun");
    }
    for (Entry e : entries) {
      queueProposal(term, e);
    }
  }

  /**
   * Proposes {@code data} wherever the leader is: locally at the current term when leader,
   * otherwise published to the group's proposal subject (best effort, no reply).
   */
  public void forwardProposal(long now, byte[] data) {
    checkWritable();
    if (state == RaftState.LEADER) {
      queueProposal(term, Entry.normal(data));
    } else {
      send(proposalSubject, null, data);
    }
  }

  /**
   * Turns group commit on or off (off by default). When on, appending an entry no longer forces
   * the log at once: the next {@link #flush(long)} forces everything appended since the last
   * force with one sync, and only then sends the append-entry responses held back meanwhile (a
   * response is never sent for an entry that is not durable). The leader also forces before it
   * counts its own copy toward a commit and before a campaign. A runtime that turns this on must
   * call {@code flush} after every burst of inputs, as it already must for proposals.
   */
  public void setDeferredSync(boolean on) {
    if (!on && deferredSync && state != RaftState.CLOSED) {
      try {
        syncPending();
      } catch (LogException e) {
        fail(e);
      }
    }
    deferredSync = on;
  }

  /** Whether appends are group-committed by {@link #flush(long)}. */
  public boolean deferredSync() {
    return deferredSync;
  }

  /**
   * Forces what was appended since the last force, then releases the held responses. A failed
   * force drops them: they would claim entries that may not be on disk.
   */
  private void syncPending() {
    if (!unsynced) {
      return;
    }
    try {
      log.sync();
    } catch (LogException e) {
      clearHeldResponses();
      throw e;
    }
    unsynced = false;
    for (int i = 0, n = heldArSubjects.size(); i < n; i++) {
      send(heldArSubjects.get(i), heldArReplies.get(i), heldArPayloads.get(i));
    }
    clearHeldResponses();
  }

  private void clearHeldResponses() {
    heldArSubjects.clear();
    heldArReplies.clear();
    heldArPayloads.clear();
  }

  /** Forces the log now under the default policy, or marks it for the next flush in deferred mode. */
  private void syncAppend() {
    if (deferredSync) {
      unsynced = true;
    } else {
      log.sync();
    }
  }

  /**
   * Sends queued proposals: membership entries individually, the rest in batches of at most
   * {@code maxBatchEntries} entries / {@code maxBatchBytes} bytes, one log index per batch.
   * Proposals of another term are dropped. A runtime calls this after a burst of inputs.
   */
  public void flush(long now) {
    if (unsynced && state != RaftState.CLOSED) {
      try {
        syncPending();
      } catch (LogException e) {
        fail(e);
        return;
      }
    }
    if (proposals.isEmpty()) {
      return;
    }
    clock = now;
    if (state != RaftState.LEADER) {
      proposals.clear();
      return;
    }
    // Swap the queue out so proposals queued while sending land in a fresh list; the drained
    // list becomes the spare for the next flush.
    List<Entry> todo = proposals;
    long todoTerm = proposalsTerm;
    proposals = spareProposals != null ? spareProposals : new ArrayList<>();
    spareProposals = null;
    boolean outer = !flushing;
    List<Entry> batch = outer ? batchScratch : new ArrayList<>();
    batch.clear();
    flushing = true;
    try {
      if (todoTerm != term) {
        return;
      }
      long bytes = 0;
      for (int k = 0, n = todo.size(); k < n; k++) {
        if (state != RaftState.LEADER) {
          return;
        }
        if (term != todoTerm) {
          break;
        }
        Entry e = todo.get(k);
        EntryType t = e.type();
        if (t == EntryType.ADD_PEER || t == EntryType.REMOVE_PEER) {
          if (!batch.isEmpty()) {
            sendAppendEntry(now, batch);
            batch.clear();
            bytes = 0;
          }
          trySendMembershipChange(now, e);
          continue;
        }
        batch.add(e);
        bytes += e.length() + 1L;
        if (batch.size() >= config.maxBatchEntries() || bytes >= config.maxBatchBytes()) {
          sendAppendEntry(now, batch);
          batch.clear();
          bytes = 0;
        }
      }
      if (!batch.isEmpty() && state == RaftState.LEADER) {
        sendAppendEntry(now, batch);
      }
      // Every AE of this flush is covered by one force.
      if (state != RaftState.CLOSED) {
        syncPending();
      }
    } catch (LogException e) {
      fail(e);
    } finally {
      if (outer) {
        flushing = false;
      }
      batch.clear();
      todo.clear();
      spareProposals = todo;
    }
  }

  /**
   * Queues {@code e} proposed in term {@code t}. Every queued proposal shares one term: entries of
   * an older term would be dropped by the next flush anyway, so they are dropped now.
   */
  private void queueProposal(long t, Entry e) {
    if (proposalsTerm != t) {
      proposals.clear();
      proposalsTerm = t;
    }
    proposals.add(e);
  }

  /** Equivalent to {@code processed(index, index)}. */
  public void applied(long now, long index) {
    processed(now, index, index);
  }

  /**
   * The upper layer processed everything up to {@code index} and applied everything up to {@code
   * appliedIndex}. Ignored when {@code index} is above the commit index. Completes a new leader's
   * election (leader-change signal) once its noop is processed.
   */
  public void processed(long now, long index, long appliedIndex) {
    if (state == RaftState.CLOSED || index > commit) {
      return;
    }
    if (index > processed) {
      processed = index;
    }
    long a = Math.min(appliedIndex, index);
    if (a > applied) {
      applied = a;
    }
    if (state == RaftState.LEADER && !completeLeader && noopIndex > 0 && processed >= noopIndex) {
      completeLeader = true;
      hadLeader = true;
      effects.subscribe(proposalSubject);
      effects.subscribe(removePeerSubject);
      effects.leaderChanged(true, term);
      maybeStartReadRound(now);
    }
  }

  /**
   * Leader only: steps down, first handing leadership to {@code preferred} (if given, known and
   * heard from recently) or to the first recently heard peer.
   *
   * @param preferred at most one preferred peer id (empty string = none)
   * @throws RaftException NOT_LEADER, TOO_MANY_PREFS
   */
  public void stepDown(long now, String... preferred) {
    if (state != RaftState.LEADER) {
      throw new RaftException(RaftException.Error.NOT_LEADER, "not leader");
    }
    if (preferred.length > 1) {
      throw new RaftException(RaftException.Error.TOO_MANY_PREFS, "at most one preferred leader");
    }
    String target = "";
    if (preferred.length == 1 && !preferred[0].isEmpty() && !preferred[0].equals(id)
        && healthyPeer(preferred[0], now)) {
      target = preferred[0];
    }
    if (target.isEmpty()) {
      for (String p : peers.keySet()) {
        if (!p.equals(id) && healthyPeer(p, now)) {
          target = p;
          break;
        }
      }
    }
    try {
      if (!target.isEmpty()) {
        flush(now);
        if (state == RaftState.LEADER) {
          sendAppendEntry(now, List.of(new Entry(EntryType.LEADER_TRANSFER,
              target.getBytes(StandardCharsets.ISO_8859_1))));
        }
      }
    } catch (LogException e) {
      fail(e);
      return;
    }
    if (state == RaftState.LEADER) {
      stepDownTo(now, "");
    }
  }

  /** Arms the election timer at a random campaign timeout (skipping pre-vote). */
  public void campaign(long now) {
    if (state == RaftState.LEADER) {
      throw new RaftException(RaftException.Error.ALREADY_LEADER, "already leader");
    }
    forcedCampaign = true;
    armElection(now, randomBetween(timing.campaignMin(), timing.campaignMax()));
  }

  /** Arms the election timer at the immediate-campaign timeout (skipping pre-vote). */
  public void campaignImmediately(long now) {
    if (state == RaftState.LEADER) {
      throw new RaftException(RaftException.Error.ALREADY_LEADER, "already leader");
    }
    forcedCampaign = true;
    initializing = false;
    armElection(now, timing.campaignImmediate());
  }

  /** Sets the observer flag: an observer replicates, acks and votes but never campaigns. */
  public void setObserver(long now, boolean on) {
    boolean was = observer;
    observer = on;
    if (on && state != RaftState.LEADER) {
      armElection(now, timing.observerTimer());
    } else if (was && !on) {
      resetElectionTimer(now);
    }
  }

  /**
   * Leader only: proposes adding {@code peer} as a voting member.
   *
   * @throws RaftException NOT_LEADER, MEMBERSHIP_CHANGE (one in flight, or already a member)
   */
  public void proposeAddPeer(long now, String peer) {
    checkWritable();
    if (state != RaftState.LEADER) {
      throw new RaftException(RaftException.Error.NOT_LEADER, "not leader");
    }
    if (membershipChange != null) {
      throw new RaftException(RaftException.Error.MEMBERSHIP_CHANGE, "change in flight");
    }
    if (peers.containsKey(peer)) {
      throw new RaftException(RaftException.Error.MEMBERSHIP_CHANGE, "already a member");
    }
    flush(now);
    trySendMembershipChange(now,
        new Entry(EntryType.ADD_PEER, peer.getBytes(StandardCharsets.ISO_8859_1)));
  }

  /**
   * Proposes removing {@code peer}. A follower forwards the request to the leader; the leader
   * checks and replicates it.
   *
   * @throws RaftException MEMBERSHIP_CHANGE, PEER_NOT_FOUND, REMOVE_LAST_NODE (leader)
   */
  public void proposeRemovePeer(long now, String peer) {
    checkWritable();
    if (state != RaftState.LEADER) {
      send(removePeerSubject, null, peer.getBytes(StandardCharsets.ISO_8859_1));
      return;
    }
    if (membershipChange != null) {
      throw new RaftException(RaftException.Error.MEMBERSHIP_CHANGE, "change in flight");
    }
    if (!peers.containsKey(peer)) {
      throw new RaftException(RaftException.Error.PEER_NOT_FOUND, peer);
    }
    if (peers.size() <= 1) {
      throw new RaftException(RaftException.Error.REMOVE_LAST_NODE, peer);
    }
    flush(now);
    trySendMembershipChange(now,
        new Entry(EntryType.REMOVE_PEER, peer.getBytes(StandardCharsets.ISO_8859_1)));
  }

  /**
   * Pauses applying: committed indexes are remembered ({@code hcommit}) but not surfaced until
   * {@link #resumeApply(long)}. Steps down a candidate.
   *
   * @throws RaftException ALREADY_LEADER when leader
   */
  public void pauseApply(long now) {
    if (state == RaftState.LEADER) {
      throw new RaftException(RaftException.Error.ALREADY_LEADER, "leader cannot pause");
    }
    if (state == RaftState.CANDIDATE) {
      stepDownTo(now, "");
    }
    paused = true;
    hcommit = Math.max(hcommit, commit);
    armElection(now, timing.observerTimer());
  }

  /** Resumes applying: surfaces every index committed while paused, then re-arms the timer. */
  public void resumeApply(long now) {
    if (state == RaftState.CLOSED) {
      return;
    }
    if (state == RaftState.LEADER) {
      // Won while paused (handOffCampaign): it never served; a follower applies the backlog.
      stepDownTo(now, "");
    }
    resetElectionTimer(now);
    try {
      for (long i = commit + 1; i <= hcommit && i <= pindex; i++) {
        if (!applyCommit(now, i)) {
          break;
        }
      }
    } catch (LogException e) {
      fail(e);
      return;
    }
    paused = false;
    hcommit = 0;
    blockedCandidates.clear();
    if (transferTarget) {
      armElection(now, timing.transferCampaign());
    } else {
      resetElectionTimer(now);
    }
  }

  /**
   * Leader only: requests a linearizable read barrier. Once leadership is confirmed by a quorum
   * after this call (and the leader's noop is committed), {@link RaftEffects#readIndexReady} reports
   * an index; the read may be served after the upper layer applied it.
   *
   * @throws RaftException DISABLED when switched off, NOT_LEADER when not leader
   */
  public void readIndex(long now, long requestId) {
    if (!config.readIndex()) {
      throw new RaftException(RaftException.Error.DISABLED, "read index is switched off");
    }
    if (state != RaftState.LEADER) {
      throw new RaftException(RaftException.Error.NOT_LEADER, "not leader");
    }
    queuedReads.add(requestId);
    maybeStartReadRound(now);
  }

  /** Stops the node for good: unsubscribes, emits a final leader change if leading. Idempotent. */
  public void stop() {
    if (state == RaftState.CLOSED) {
      return;
    }
    boolean wasLeader = state == RaftState.LEADER;
    if (wasLeader) {
      leaveLeader();
    }
    cancelCatchup();
    // Never durable as far as this node knows: the held responses are dropped.
    clearHeldResponses();
    state = RaftState.CLOSED;
    effects.unsubscribe(voteSubject);
    effects.unsubscribe(aeSubject);
    effects.unsubscribe(voteInbox);
    effects.unsubscribe(aeInbox);
    if (config.preVote()) {
      effects.unsubscribe(preVoteSubject);
      effects.unsubscribe(preVoteInbox);
    }
    if (wasLeader) {
      effects.leaderChanged(false, term);
    }
  }

  // =================================================================== snapshots (§8)

  /**
   * Takes a snapshot at the applied index: the upper layer hands over its state as of {@link
   * #appliedIndex()} and the node stores it and compacts its log up to that index (NRG {@code
   * InstallSnapshot(data, force)}).
   *
   * <p><b>When.</b> On the node's thread, at any time after {@link #start(long)}; typically after
   * confirming entries with {@link #applied(long, long)}. {@code data} must reflect exactly the
   * indexes confirmed as applied, no more and no fewer: the snapshot is recorded as covering
   * {@code appliedIndex()} with the term of the log entry there, and the peer state committed as
   * of that index (an uncommitted membership change is excluded).
   *
   * <p><b>What it does.</b> Writes the snapshot durably through the {@link SnapshotStorage},
   * deletes the previous snapshot, compacts the log up to the index (durable before this returns),
   * clears the pending-entry cache if the index is above the commit index, and aborts any open
   * {@link SnapshotCheckpoint}. Later, a follower that needs compacted entries is sent this
   * snapshot first; after a restart the node starts from it and surfaces it to the upper layer as a
   * snapshot element ({@link CommittedEntry#isSnapshot()}).
   *
   * @param now the runtime time in ms
   * @param data the upper layer's state as of {@link #appliedIndex()} (held, not copied; must not be
   *     modified afterwards)
   * @param force take it even while a checkpoint is open or this leader streams a catch-up (which
   *     may then need to restart with the new snapshot)
   * @return the log bytes the compaction freed
   * @throws RaftException CLOSED or WRITE_ERROR when the node is closed; SNAPSHOT_IN_PROGRESS or
   *     CATCHUPS_RUNNING when not forced; NO_SNAPSHOT_AVAILABLE when nothing is applied or the
   *     entry at the applied index is already covered by a snapshot; SNAPSHOT_FAILED when writing
   *     failed (not sticky, retry later)
   */
  public long installSnapshot(long now, byte[] data, boolean force) {
    clock = now;
    SnapshotCheckpoint c = openCheckpoint(force);
    return c.install(now, data);
  }

  /** {@link #installSnapshot(long, byte[], boolean)} without forcing. */
  public long installSnapshot(long now, byte[] data) {
    return installSnapshot(now, data, false);
  }

  /**
   * Opens a checkpoint at the applied index, for an upper layer that builds its snapshot in
   * several steps (NRG {@code CreateSnapshotCheckpoint}). The checkpoint fixes the index, term and
   * committed peer state now; the upper layer then builds the data (it may read the previous
   * snapshot and the entries in between through the checkpoint) and calls {@link
   * SnapshotCheckpoint#install} or {@link SnapshotCheckpoint#abort}. Every checkpoint method must be
   * called on the node's thread like any other input.
   *
   * <p>At most one checkpoint is open: opening another without {@code force} fails, and any
   * snapshot install (direct, forced, or received from a leader) aborts the open one, so an older
   * snapshot can never replace a newer one.
   *
   * @throws RaftException as {@link #installSnapshot(long, byte[], boolean)} (except
   *     SNAPSHOT_FAILED)
   */
  public SnapshotCheckpoint createSnapshotCheckpoint(long now, boolean force) {
    clock = now;
    return openCheckpoint(force);
  }

  private SnapshotCheckpoint openCheckpoint(boolean force) {
    checkWritable();
    if (writeError != null) {
      throw new RaftException(RaftException.Error.WRITE_ERROR, writeError.getMessage());
    }
    if (!force && snapshotting) {
      throw new RaftException(RaftException.Error.SNAPSHOT_IN_PROGRESS, "checkpoint open");
    }
    if (!force && !streams.isEmpty()) {
      throw new RaftException(RaftException.Error.CATCHUPS_RUNNING,
          streams.size() + " catch-up stream(s) running");
    }
    if (applied == 0) {
      throw new RaftException(RaftException.Error.NO_SNAPSHOT_AVAILABLE, "nothing applied");
    }
    long t;
    try {
      t = log.termAt(applied);
    } catch (LogException e) {
      if (e.kind() == LogException.Kind.CLOSED) {
        throw new RaftException(RaftException.Error.CLOSED, "log closed");
      }
      throw new RaftException(RaftException.Error.NO_SNAPSHOT_AVAILABLE,
          "entry " + applied + " not available: " + e.getMessage());
    }
    byte[] peerState = PeerStateCodec.encode(committedPeerState(applied));
    snapshotting = true;
    return new SnapshotCheckpoint(this, ++snapshotEpoch, t, applied, papplied, peerState);
  }

  /** Checkpoint callback: the checkpoint is still the open one. */
  void checkCheckpoint(SnapshotCheckpoint c) {
    if (state == RaftState.CLOSED) {
      throw new RaftException(writeError != null ? RaftException.Error.WRITE_ERROR
          : RaftException.Error.CLOSED, "node closed");
    }
    if (!snapshotting || c.epoch() != snapshotEpoch) {
      throw new RaftException(RaftException.Error.SNAPSHOT_ABORTED, "checkpoint aborted");
    }
  }

  /** Checkpoint callback: the previous snapshot's data, if it is still the one adopted. */
  byte[] checkpointPreviousData(SnapshotCheckpoint c) {
    checkCheckpoint(c);
    Snapshot snap = loadLastSnapshot();
    if (snap.lastIndex() != c.previousIndex()) {
      throw new RaftException(RaftException.Error.SNAPSHOT_FAILED, "snapshot index mismatch");
    }
    return snap.data();
  }

  /** Checkpoint callback: the surfaced entries stored at {@code index}. */
  List<Entry> checkpointEntries(SnapshotCheckpoint c, long index) {
    checkCheckpoint(c);
    try {
      return loadEntry(index).entries();
    } catch (LogException e) {
      throw new RaftException(RaftException.Error.SNAPSHOT_FAILED,
          "entry " + index + ": " + e.getMessage());
    }
  }

  /** Checkpoint callback: abort. */
  void checkpointAbort(SnapshotCheckpoint c) {
    if (c.epoch() == snapshotEpoch) {
      snapshotting = false;
    }
  }

  /** Checkpoint callback: write the snapshot and compact; returns the log bytes freed. */
  long checkpointInstall(long now, SnapshotCheckpoint c, byte[] data) {
    checkCheckpoint(c);
    clock = now;
    Snapshot snap = new Snapshot(c.term(), c.index(), c.peerState(), data);
    return installFromCheckpoint(snap, () -> snapshots.write(snap), "writing", () -> { });
  }

  /**
   * Checkpoint callback: prepare {@code data} for a write on another thread; the checkpoint stays
   * open until {@link #checkpointAdopt}. A failed preparation closes it.
   */
  SnapshotCheckpoint.Staged checkpointStage(long now, SnapshotCheckpoint c, byte[] data) {
    checkCheckpoint(c);
    clock = now;
    Snapshot snap = new Snapshot(c.term(), c.index(), c.peerState(), data);
    try {
      return new SnapshotCheckpoint.Staged(c, snap, snapshots.stage(snap));
    } catch (IOException e) {
      snapshotting = false;
      snapshotEpoch++;
      LOG.warn("[{}:{}] staging snapshot {} failed: {}", config.group(), id, snap.fileName(),
          e.toString());
      throw new RaftException(RaftException.Error.SNAPSHOT_FAILED, e.toString());
    }
  }

  /**
   * Checkpoint callback: adopt a staged snapshot whose write finished ({@code failure} null) or
   * failed, exactly as {@link #checkpointInstall} does once the file is written; a staged write
   * that is not adopted is discarded.
   */
  long checkpointAdopt(long now, SnapshotCheckpoint.Staged st, IOException failure) {
    SnapshotCheckpoint c = st.checkpoint();
    try {
      checkCheckpoint(c);
    } catch (RaftException e) {
      st.storage().discard();
      throw e;
    }
    clock = now;
    Snapshot snap = st.snapshot();
    if (failure != null) {
      snapshotting = false;
      snapshotEpoch++;
      st.storage().discard();
      LOG.warn("[{}:{}] writing snapshot {} failed: {}", config.group(), id, snap.fileName(),
          failure.toString());
      throw new RaftException(RaftException.Error.SNAPSHOT_FAILED, failure.toString());
    }
    return installFromCheckpoint(snap, st.storage()::publish, "publishing",
        st.storage()::discard);
  }

  /**
   * A checkpoint's install: {@code write} makes the file durable, then the log is compacted. A
   * write failure runs {@code onWriteFailure} and is SNAPSHOT_FAILED; a log failure fails the node.
   * Returns the log bytes the compaction freed.
   */
  private long installFromCheckpoint(Snapshot snap, SnapshotWrite write, String step,
      Runnable onWriteFailure) {
    long before = log.byteSize();
    try {
      installSnapshotFile(snap, write);
    } catch (IOException e) {
      onWriteFailure.run();
      LOG.warn("[{}:{}] {} snapshot {} failed: {}", config.group(), id, step, snap.fileName(),
          e.toString());
      throw new RaftException(RaftException.Error.SNAPSHOT_FAILED, e.toString());
    } catch (LogException e) {
      fail(e);
      throw new RaftException(RaftException.Error.WRITE_ERROR, e.getMessage());
    }
    return Math.max(0, before - log.byteSize());
  }

  /** A step that makes a snapshot durable at its position. */
  @FunctionalInterface
  private interface SnapshotWrite {
    void run() throws IOException;
  }

  /**
   * Writes {@code snap} as the adopted snapshot, deletes the previous one, compacts the log up to
   * it and sets {@code papplied} (NRG {@code installSnapshot}). Closes any checkpoint, even on
   * failure. A write failure leaves everything as it was; a compaction failure is a log failure.
   */
  private void installSnapshotFile(Snapshot snap) throws IOException {
    installSnapshotFile(snap, () -> snapshots.write(snap));
  }

  /** As {@link #installSnapshotFile(Snapshot)}, with {@code write} making the file durable. */
  private void installSnapshotFile(Snapshot snap, SnapshotWrite write) throws IOException {
    snapshotting = false;
    snapshotEpoch++;
    write.run();
    SnapshotPosition pos = new SnapshotPosition(snap.lastTerm(), snap.lastIndex());
    if (snapshot != null && !snapshot.equals(pos)) {
      deleteSnapshotQuietly(snapshot);
    }
    snapshot = pos;
    log.compactUpTo(snap.lastIndex());
    log.sync();
    if (snap.lastIndex() > commit) {
      pendingCache.clear();
    }
    papplied = snap.lastIndex();
  }

  /**
   * Installs {@code snap} at the position it names, bypassing the applied-index rule (NRG's
   * internal {@code installSnapshot}); for catalogue tests that set up such states directly.
   */
  void installSnapshotAt(Snapshot snap) throws IOException {
    installSnapshotFile(snap);
  }

  private void deleteSnapshotQuietly(SnapshotPosition pos) {
    try {
      snapshots.delete(pos.term(), pos.index());
    } catch (IOException e) {
      LOG.warn("[{}:{}] cannot delete snapshot {}: {}", config.group(), id, pos, e.toString());
    }
  }

  /**
   * Reads the adopted snapshot back (NRG {@code loadLastSnapshot}): its position, committed peer
   * state and data.
   *
   * @throws RaftException NO_SNAPSHOT_AVAILABLE when there is none; SNAPSHOT_FAILED when it cannot
   *     be read or fails its checksum
   */
  public Snapshot loadLastSnapshot() {
    SnapshotPosition pos = snapshot;
    if (pos == null) {
      throw new RaftException(RaftException.Error.NO_SNAPSHOT_AVAILABLE, "no snapshot");
    }
    try {
      return snapshots.read(pos.term(), pos.index());
    } catch (IOException | WireFormatException e) {
      throw new RaftException(RaftException.Error.SNAPSHOT_FAILED,
          "snapshot " + pos + ": " + e.getMessage());
    }
  }

  /** True when no snapshot exists yet and something was applied (NRG {@code NeedSnapshot}). */
  public boolean needSnapshot() {
    return snapshot == null && applied > 0;
  }

  /** The index of the adopted snapshot ({@code papplied}: the log starts after it); 0 when none. */
  public long snapshotIndex() {
    return papplied;
  }

  /** The term of the adopted snapshot, or 0 when none. */
  public long snapshotTerm() {
    return snapshot == null ? 0 : snapshot.term();
  }

  /**
   * The index of the last position this node held before start-up dropped state, while its log is
   * not yet as up to date as that position (its votes then count as empty); 0 otherwise.
   */
  public long lostStateUpTo() {
    return lostState() ? lostUpTo : 0;
  }

  /** What the start-up scan of the snapshot storage found (damaged files included), or null. */
  public SnapshotRecovery snapshotRecovery() {
    return snapshotRecovery;
  }

  /**
   * Log entries a snapshot at the applied index would compact away ({@code applied − papplied},
   * 0 when not above); NRG returns it from {@code Applied}.
   */
  public long compactableEntries() {
    return applied > papplied ? applied - papplied : 0;
  }

  /** An estimate of the log bytes {@link #compactableEntries()} occupy. */
  public long compactableBytes() {
    long held = pindex - papplied;
    return held > 0 ? compactableEntries() * log.byteSize() / held : 0;
  }

  /** The number of log indexes held above the snapshot ({@code pindex − papplied}). */
  public long logEntries() {
    return pindex - papplied;
  }

  /** The log's accounted bytes. */
  public long logBytes() {
    return log.byteSize();
  }

  /**
   * Replicates {@code data} as one {@code SNAPSHOT} entry at the next index, without checking
   * leadership (NRG {@code SendSnapshot}, used when a single replica becomes several or a stream is
   * restored). When it commits, every replica surfaces it as a snapshot element, and a replica
   * that has no snapshot yet adopts it as its own at (term of the preceding entry, commit index of
   * the batch).
   *
   * @throws RaftException CLOSED or WRITE_ERROR when closed
   */
  public void sendSnapshot(long now, byte[] data) {
    checkWritable();
    clock = now;
    try {
      sendAppendEntry(now, List.of(new Entry(EntryType.SNAPSHOT, data)));
    } catch (LogException e) {
      fail(e);
      throw new RaftException(RaftException.Error.WRITE_ERROR, e.getMessage());
    }
  }

  /**
   * Replays the adopted snapshot to the upper layer (NRG {@code DrainAndReplaySnapshot}): steps
   * down when leading or campaigning, pauses applying, discards the queued apply elements ({@link RaftEffects#drainApplyQueue()}), cancels
   * a catch-up, lowers the commit index to the snapshot's and surfaces the snapshot again. The
   * upper layer restores from it and then calls {@link #resumeApply(long)}, which surfaces the
   * indexes committed meanwhile.
   *
   * @return false (and nothing changed) when there is no readable snapshot
   */
  public boolean drainAndReplaySnapshot(long now) {
    if (state == RaftState.CLOSED) {
      return false;
    }
    Snapshot snap;
    try {
      snap = loadLastSnapshot();
    } catch (RaftException e) {
      return false;
    }
    LOG.warn("[{}:{}] draining and replaying snapshot {}", config.group(), id, snap.fileName());
    clock = now;
    if (state != RaftState.FOLLOWER) {
      // A leader or candidate replaying its snapshot cannot keep serving: it steps down and waits
      // paused, like any follower restoring from a snapshot.
      stepDownTo(now, "");
    }
    pauseApply(now);
    effects.drainApplyQueue();
    cancelCatchup();
    commit = snap.lastIndex();
    effects.apply(snapshotElement(commit, snap.data()));
    return true;
  }

  /**
   * Discards all local state (NRG {@code Reset}, §7.5): steps down, cancels a catch-up, drops queued
   * proposals and apply elements, deletes every snapshot (damaged ones too), aborts a checkpoint,
   * zeroes commit/applied/processed/papplied, empties the log, shrinks the peer set to this node,
   * and persists term 0 without a vote. The observer flag is kept. A leader will catch the node up
   * from scratch.
   */
  public void reset(long now) {
    if (state == RaftState.CLOSED) {
      return;
    }
    clock = now;
    LOG.info("[{}:{}] resetting Raft state", config.group(), id);
    stepDownTo(now, "");
    cancelCatchup();
    proposals.clear();
    effects.drainApplyQueue();
    try {
      snapshots.deleteAll();
    } catch (IOException e) {
      LOG.warn("[{}:{}] cannot delete snapshots on reset: {}", config.group(), id, e.toString());
    }
    snapshot = null;
    snapshotting = false;
    snapshotEpoch++;
    lostUpTo = 0;
    lostTerm = 0;
    commit = 0;
    hcommit = 0;
    applied = 0;
    processed = 0;
    papplied = 0;
    truncateLog(now, 0, 0);
    if (state == RaftState.CLOSED) {
      return;
    }
    membershipChange = null;
    Peer self = peers.get(id);
    peers.clear();
    peers.put(id, self != null ? self : new Peer());
    removed.clear();
    observed.clear();
    adjustClusterSize();
    term = 0;
    vote = "";
    if (persistTermVote()) {
      persistPeerState(currentPeerState());
    }
  }

  private static CommittedEntry snapshotElement(long index, byte[] data) {
    return new CommittedEntry(index, List.of(new Entry(EntryType.SNAPSHOT, data)));
  }

  /** The membership committed as of {@code index}: an uncommitted change above it is undone. */
  private PeerState committedPeerState(long index) {
    MembershipChange mc = membershipChange;
    if (mc == null || mc.index() <= index) {
      return currentPeerState();
    }
    List<String> names = new ArrayList<>(peers.keySet());
    if (mc.add()) {
      names.remove(mc.peer());
    } else if (!names.contains(mc.peer())) {
      names.add(mc.peer());
    }
    return new PeerState(names.size(), names, extState);
  }

  /**
   * §8.3: adopt the newest valid snapshot at start-up. Returns true when it supplied the
   * membership.
   */
  private boolean setupLastSnapshot(long now) {
    SnapshotRecovery rec;
    try {
      rec = snapshots.recover();
    } catch (IOException e) {
      throw new LogException(LogException.Kind.IO, -1, "cannot scan snapshots", e);
    }
    snapshotRecovery = rec;
    for (SnapshotRecovery.Finding f : rec.findings()) {
      if (f.reason() == SnapshotRecovery.Reason.CORRUPT
          || f.reason() == SnapshotRecovery.Reason.UNREADABLE
          || f.reason() == SnapshotRecovery.Reason.NAME_MISMATCH) {
        io.jscluster.raft.snapshot.SnapshotFileName.parse(f.file().toString())
            .ifPresent(ti -> raiseLost(ti.term(), ti.index()));
      }
    }
    if (rec.foundDamage()) {
      LOG.warn("[{}:{}] damaged snapshot files kept aside: {}", config.group(), id,
          rec.findings(SnapshotRecovery.Reason.CORRUPT).size()
              + rec.findings(SnapshotRecovery.Reason.UNREADABLE).size()
              + rec.findings(SnapshotRecovery.Reason.NAME_MISMATCH).size());
    }
    try {
      snapshots.removeObsolete(rec);
    } catch (IOException e) {
      LOG.warn("[{}:{}] cannot remove obsolete snapshots: {}", config.group(), id, e.toString());
    }
    if (rec.latest().isEmpty()) {
      return false;
    }
    Snapshot snap = rec.latest().get().snapshot();
    boolean membership = false;
    snapshot = new SnapshotPosition(snap.lastTerm(), snap.lastIndex());
    pindex = snap.lastIndex();
    pterm = snap.lastTerm();
    commit = snap.lastIndex();
    papplied = snap.lastIndex();
    try {
      PeerState ps = snap.decodePeerState();
      // As for the stored peer state: the snapshot's membership replaces the configured one, and
      // a configured peer it lacks is not "removed" (that would hide it from lastHeardFrom for
      // five minutes: an R1 scale-up source restarted with its assignment's grown peer list could
      // then add none of the new peers).
      peers.clear();
      applyPeerState(now, ps);
      membership = true;
    } catch (WireFormatException e) {
      LOG.warn("[{}:{}] snapshot {} holds an undecodable peer state; reading the stored one",
          config.group(), id, snap.fileName());
    }
    effects.apply(snapshotElement(commit, snap.data()));
    log.compactUpTo(snap.lastIndex());
    log.sync();
    return membership;
  }

  /**
   * Start-up without a snapshot's membership: adopt the stored peer state, or store the
   * configured (bootstrap) one for a new group.
   */
  private void restorePeerState(long now) {
    java.util.Optional<PeerState> stored = peerStateStore.load();
    if (stored.isEmpty()) {
      if (!log.isEmpty() || term > 0) {
        // Written by a version that kept no peer state, or removed by hand: the configuration and
        // the log replay (then the leader's peer state) rebuild the membership.
        LOG.warn("[{}:{}] no stored peer state beside an existing log; starting from the "
            + "configured peers {} and the log", config.group(), id, config.peers());
      }
      persistPeerState(currentPeerState());
      return;
    }
    PeerState ps = stored.get();
    extState = ps.domainExt();
    // As NRG: the stored membership replaces the configured one outright (no peer is marked
    // removed for having been configured).
    peers.clear();
    applyPeerState(now, ps);
  }

  /** §6.3 leader side: sends the snapshot AE to a catching-up follower; -1 when it cannot. */
  private long sendSnapshotToFollower(long now, String inbox) {
    Snapshot snap;
    try {
      snap = loadLastSnapshot();
    } catch (RaftException e) {
      // Never reset our own log over this; another leader may be able to serve the follower.
      LOG.error("[{}:{}] cannot load snapshot for a follower, stepping down: {}", config.group(),
          id, e.getMessage());
      stepDownTo(now, "");
      return -1;
    }
    long lastIndex = snap.lastIndex();
    long firstPrev = log.firstIndex() - 1;
    if (lastIndex < firstPrev) {
      lastIndex = firstPrev;
    }
    AppendEntry ae = new AppendEntry(id, term, commit, snap.lastTerm(), lastIndex,
        List.of(new Entry(EntryType.SNAPSHOT, snap.data()),
            new Entry(EntryType.PEER_STATE, snap.peerState())), 0);
    send(inbox, aeInbox, RaftCodec.encode(ae));
    return lastIndex;
  }

  /**
   * §6.3 follower side: the first catch-up AE did not follow our log, so it must be the leader's
   * snapshot. Installs it and surfaces it.
   */
  private void installLeaderSnapshot(long now, AppendEntry ae) {
    List<Entry> es = ae.entries();
    if (es.size() != 2 || es.get(0).type() != EntryType.SNAPSHOT
        || es.get(1).type() != EntryType.PEER_STATE) {
      LOG.warn("[{}:{}] expected the leader's snapshot as first catch-up entry, will retry",
          config.group(), id);
      cancelCatchup();
      return;
    }
    if (membershipChange != null) {
      // Beyond NRG, which keeps it: a change at or below the snapshot's index is committed and in
      // the leader's peer state; one above it left the log with the entries the snapshot replaces.
      // Kept, it would never commit (no entry of it is applied again) and, once this node leads,
      // block every later change ("waiting for membership change to commit": seed 9236).
      membershipChange = null;
    }
    try {
      applyPeerState(now, PeerStateCodec.decode(es.get(1).data()));
    } catch (WireFormatException e) {
      LOG.warn("[{}:{}] undecodable peer state in the leader's snapshot", config.group(), id);
      cancelCatchup();
      return;
    }
    boolean hadSnapshot = snapshot != null;
    byte[] data = es.get(0).data();
    Snapshot snap = new Snapshot(ae.pterm(), ae.pindex(),
        PeerStateCodec.encode(currentPeerState()), data);
    try {
      installSnapshotFile(snap);
    } catch (IOException e) {
      fail(new LogException(LogException.Kind.IO, ae.pindex(), "cannot store the leader's snapshot",
          e));
      return;
    }
    pindex = ae.pindex();
    pterm = ae.pterm();
    commit = ae.pindex();
    initializing = false;
    if (!hadSnapshot) {
      sendCatchupSignal();
    }
    effects.apply(snapshotElement(commit, data));
    if (hadSnapshot) {
      sendCatchupSignal();
    }
  }

  /** The shape of the AE a leader sends ahead of catch-up entries (§6.3); never a stored batch. */
  private static boolean isLeaderSnapshot(AppendEntry ae) {
    List<Entry> es = ae.entries();
    return ae.lterm() == 0 && es.size() == 2 && es.get(0).type() == EntryType.SNAPSHOT
        && es.get(1).type() == EntryType.PEER_STATE;
  }

  private void sendCatchupSignal() {
    if (catchup != null && !catchup.signalled) {
      catchup.signalled = true;
      effects.apply(new CommittedEntry(0, List.of(new Entry(EntryType.CATCHUP, null))));
    }
  }

  // =================================================================== accessors

  /**
   * Non-zero while this node may have lost log entries it had acknowledged (its log was found
   * damaged or cut short): the term it was in then. Its votes are reported empty until it holds an
   * entry of a later term. Durable across restarts.
   */
  public long dataLossTerm() {
    return dataLossTerm;
  }

  /** The node id. */
  public String id() {
    return id;
  }

  /** The inbox this node receives vote responses on. */
  public String voteInbox() {
    return voteInbox;
  }

  /** The inbox this node (as leader) receives append-entry responses on. */
  public String appendEntryResponseInbox() {
    return aeInbox;
  }

  /** The current catch-up inbox, or null when not catching up. */
  public String catchupInbox() {
    return catchup == null ? null : catchup.inbox;
  }

  /** The group name. */
  public String group() {
    return config.group();
  }

  /** The current state. */
  public RaftState state() {
    return state;
  }

  /** True once elected and the election noop was processed by the upper layer (NRG {@code Leader()}). */
  public boolean isLeader() {
    return state == RaftState.LEADER && completeLeader;
  }

  /** The current term. */
  public long term() {
    return term;
  }

  /** The candidate voted for in the current term, or "". */
  public String vote() {
    return vote;
  }

  /** The known leader id, or "" when none. */
  public String leaderId() {
    return leader;
  }

  /** True when no leader is known. */
  public boolean leaderless() {
    return leader.isEmpty();
  }

  /** True once any leader was seen since start. */
  public boolean hadPreviousLeader() {
    return hadLeader;
  }

  /** Whether the observer flag is set. */
  public boolean isObserver() {
    return observer;
  }

  /** Whether applies are paused. */
  public boolean isPaused() {
    return paused;
  }

  /** The index of the last log entry. */
  public long lastIndex() {
    return pindex;
  }

  /** The term of the last log entry. */
  public long lastTerm() {
    return pterm;
  }

  /** The commit index. */
  public long commitIndex() {
    return commit;
  }

  /** The highest index the upper layer confirmed as applied. */
  public long appliedIndex() {
    return applied;
  }

  /** The highest index the upper layer confirmed as processed. */
  public long processedIndex() {
    return processed;
  }

  /** The highest commit index seen while paused. */
  public long pausedCommit() {
    return hcommit;
  }

  /** The cluster size quorum is counted against. */
  public int clusterSize() {
    return clusterSize;
  }

  /** Votes or acks needed for a majority. */
  public int quorumNeeded() {
    return quorum;
  }

  /** The current member ids (self included), in insertion order. */
  public List<String> peerIds() {
    return List.copyOf(peers.keySet());
  }

  /** True while a membership change is uncommitted. */
  public boolean membershipChangeInProgress() {
    return membershipChange != null;
  }

  /** True while a follower catch-up is running. */
  public boolean isCatchingUp() {
    return catchup != null;
  }

  /** Number of catch-up streams this leader is serving. */
  public int catchupStreams() {
    return streams.size();
  }

  /** The sticky storage failure, or null. */
  public LogException writeError() {
    return writeError;
  }

  /** Messages dropped because they could not be decoded or were hostile. */
  public long malformedCount() {
    return malformed;
  }

  /** Times this node detected an overrun (leader step-down or follower quorum pause). */
  public long overrunCount() {
    return overruns;
  }

  /** Proposals queued and not yet flushed. */
  public int pendingProposals() {
    return proposals.size();
  }

  /**
   * Self plus peers heard within the lost-quorum window reach a quorum (always true for a
   * non-leader that cannot know).
   */
  public boolean quorum(long now) {
    int n = 0;
    for (Map.Entry<String, Peer> e : peers.entrySet()) {
      if (e.getKey().equals(id) || e.getValue().heard >= 0
          && now - e.getValue().heard <= timing.lostQuorum()) {
        n++;
      }
    }
    return n >= quorum;
  }

  /**
   * NRG {@code Current()}: false when closed, nothing committed, the leader is silent, catching up
   * or paused with unapplied commits; true when leader or everything committed is applied.
   */
  public boolean current(long now) {
    if (state == RaftState.CLOSED || commit == 0) {
      return false;
    }
    if (state == RaftState.LEADER) {
      return true;
    }
    if (!leader.isEmpty() && !leader.equals(id) && catchup == null) {
      Peer lp = peers.get(leader);
      if (lp == null || lp.heard < 0 || now - lp.heard > timing.healthyLeaderContact()) {
        return false;
      }
    }
    if (catchup != null) {
      return false;
    }
    if (paused && hcommit > commit) {
      return false;
    }
    return commit == applied;
  }

  /**
   * NRG {@code Healthy()} without blocking: {@link #current(long)}, or else true when the
   * unapplied backlog shrank since the previous call (the Go version polls for 10 ms instead).
   */
  public boolean healthy(long now) {
    if (current(now)) {
      healthCheckBacklog = -1;
      return true;
    }
    if (state == RaftState.CLOSED || commit == 0 || catchup != null) {
      return false;
    }
    long backlog = commit - applied;
    boolean shrinking = healthCheckBacklog >= 0 && backlog < healthCheckBacklog;
    healthCheckBacklog = backlog;
    if (!shrinking) {
      LOG.debug("[{}:{}] falling behind: commit {} applied {}", config.group(), id, commit, applied);
    }
    return shrinking;
  }

  /**
   * Peers as this node sees them: self current with lag 0; as leader each peer's lag behind commit;
   * as follower the leader is current when heard recently, other peers are not current.
   */
  public List<PeerInfo> peerInfos(long now) {
    List<PeerInfo> out = new ArrayList<>();
    for (Map.Entry<String, Peer> e : peers.entrySet()) {
      String p = e.getKey();
      Peer ps = e.getValue();
      if (p.equals(id)) {
        out.add(new PeerInfo(p, true, now, pindex, 0));
      } else if (state == RaftState.LEADER) {
        long lag = Math.max(0, commit - ps.lastIndex);
        out.add(new PeerInfo(p, lag == 0, ps.heard, ps.lastIndex, lag));
      } else if (p.equals(leader)) {
        boolean cur = ps.heard >= 0 && now - ps.heard <= timing.healthyLeaderContact();
        out.add(new PeerInfo(p, cur, ps.heard, ps.lastIndex, 0));
      } else {
        out.add(new PeerInfo(p, false, ps.heard, ps.lastIndex, 0));
      }
    }
    return out;
  }

  /**
   * The runtime learned that {@code peer} is reachable (again): its transport connection came up
   * after the peer restarted or a partition healed. Beyond NRG, which leaves a returning follower
   * waiting for the next heartbeat (up to two intervals: a leader skips a heartbeat after recent
   * traffic): a leader whose membership includes {@code peer} sends a heartbeat now, so the
   * follower learns the leader and the commit index, or finds its log behind and asks for a
   * catch-up, within one round trip. A heartbeat only restates the leader's current position and
   * NRG followers receive one at any time, so this is always safe and adds nothing to the wire
   * format. Does nothing (and returns false) unless leader, or when {@code peer} is this node or
   * not a member.
   *
   * @return whether a heartbeat was sent
   */
  public boolean peerReachable(long now, String peer) {
    if (state != RaftState.LEADER || !started || peer == null || peer.equals(id)
        || !peers.containsKey(peer)) {
      return false;
    }
    clock = now;
    sendHeartbeat(now);
    return true;
  }

  /**
   * The time this node last heard from {@code peer}, or -1. For a peer outside the peer set of a
   * managed group, when it last answered this node's append entries (NRG's
   * {@code LastHeardFromPeer}): the meta layer adds only peers that demonstrably run.
   */
  public long lastHeardFrom(String peer) {
    Peer p = peers.get(peer);
    if (p != null) {
      return p.heard;
    }
    Long o = observed.get(peer);
    return o == null ? -1 : o;
  }

  // =================================================================== dispatch

  private void dispatch(long now, String subject, String reply, byte[] payload) {
    clock = now;
    if (subject.equals(aeSubject)) {
      AppendEntry ae = RaftCodec.decodeAppendEntry(payload);
      checkSane(ae);
      checkId(ae.leader());
      if (ae.leader().equals(id)) {
        return; // our own broadcast echoed back
      }
      processAppendEntry(now, ae, payload, Source.LIVE, reply);
    } else if (subject.equals(aeInbox)) {
      AppendEntryResponse ar = RaftCodec.decodeAppendEntryResponse(payload);
      checkSane(ar.term(), ar.index());
      checkId(ar.peer());
      processAppendEntryResponse(now, ar, reply);
    } else if (readRound != null && subject.equals(readRound.inbox)) {
      AppendEntryResponse ar = RaftCodec.decodeAppendEntryResponse(payload);
      checkSane(ar.term(), ar.index());
      checkId(ar.peer());
      countReadAck(now, ar, reply);
      processAppendEntryResponse(now, ar, reply);
    } else if (subject.equals(voteSubject)) {
      VoteRequest vr = RaftCodec.decodeVoteRequest(payload);
      checkSane(vr.term(), vr.lastTerm(), vr.lastIndex());
      checkId(vr.candidate());
      if (!vr.candidate().equals(id)) {
        processVoteRequest(now, vr, reply);
      }
    } else if (subject.equals(voteInbox)) {
      VoteResponse vr = RaftCodec.decodeVoteResponse(payload);
      checkSane(vr.term());
      checkId(vr.peer());
      processVoteResponse(now, vr);
    } else if (subject.equals(preVoteSubject)) {
      VoteRequest vr = RaftCodec.decodeVoteRequest(payload);
      checkSane(vr.term(), vr.lastTerm(), vr.lastIndex());
      checkId(vr.candidate());
      if (!vr.candidate().equals(id)) {
        processPreVoteRequest(now, vr, reply);
      }
    } else if (subject.equals(preVoteInbox)) {
      VoteResponse vr = RaftCodec.decodeVoteResponse(payload);
      checkSane(vr.term());
      checkId(vr.peer());
      processPreVoteResponse(now, vr);
    } else if (catchup != null && subject.equals(catchup.inbox)) {
      AppendEntry ae = RaftCodec.decodeAppendEntry(payload);
      checkSane(ae);
      checkId(ae.leader());
      processAppendEntry(now, ae, payload, Source.CATCHUP, reply);
    } else if (staleCatchupInboxes.contains(subject)) {
      AppendEntry ae = RaftCodec.decodeAppendEntry(payload);
      checkSane(ae);
      checkId(ae.leader());
      processAppendEntry(now, ae, payload, Source.STALE_CATCHUP, reply);
    } else if (subject.equals(proposalSubject)) {
      if (state == RaftState.LEADER && completeLeader) {
        queueProposal(term, Entry.normal(payload));
        if (reply != null) {
          send(reply, null, new byte[0]);
        }
      }
    } else if (subject.equals(removePeerSubject)) {
      if (state == RaftState.LEADER && completeLeader) {
        if (payload.length != RaftCodec.ID_LENGTH) {
          throw new WireFormatException("removePeer", 0, "peer id must be 8 bytes");
        }
        String peer = new String(payload, StandardCharsets.ISO_8859_1);
        checkId(peer);
        try {
          proposeRemovePeer(now, peer);
        } catch (RaftException e) {
          LOG.debug("[{}:{}] forwarded removal of {} refused: {}", config.group(), id, peer,
              e.getMessage());
        }
        if (reply != null) {
          send(reply, null, new byte[0]);
        }
      }
    }
  }

  /** Terms and indexes with the top bit set cannot occur in a sane group; treat them as hostile. */
  private static void checkSane(long... values) {
    for (long v : values) {
      if (v < 0) {
        throw new WireFormatException("term/index", -1, "value above 2^63-1: "
            + Long.toUnsignedString(v));
      }
    }
  }

  /** Node ids are always 8 characters of the base-62 alphabet; anything else is hostile. */
  private static void checkId(String peer) {
    if (peer.length() != RaftCodec.ID_LENGTH) {
      throw new WireFormatException("peer id", -1, "length " + peer.length());
    }
    for (int i = 0; i < peer.length(); i++) {
      if (NodeIds.ALPHABET.indexOf(peer.charAt(i)) < 0) {
        throw new WireFormatException("peer id", -1, "not a node id character at " + i);
      }
    }
  }

  private static void checkSane(AppendEntry ae) {
    checkSane(ae.term(), ae.commit(), ae.pterm(), ae.pindex(), ae.lterm());
    if (ae.pindex() == Long.MAX_VALUE && !ae.entries().isEmpty()) {
      throw new WireFormatException("appendEntry.pindex", 32, "no index after pindex");
    }
  }

  // =================================================================== elections

  private void electionTimeout(long now) {
    if (state == RaftState.CANDIDATE) {
      switchToCandidate(now);
      return;
    }
    if (observer) {
      armElection(now, timing.observerTimer());
      return;
    }
    if (catchup != null) {
      if (catchupStalled(now)) {
        cancelCatchup();
      }
      resetElectionTimer(now);
      return;
    }
    if (!mayCampaign(now)) {
      return;
    }
    if (config.preVote() && !forcedCampaign && !transferTarget && quorum > 1) {
      startPreVote(now);
    } else {
      switchToCandidate(now);
    }
  }

  /** Applies the candidacy refusals; re-arms the timer and returns false when refused. */
  private boolean mayCampaign(long now) {
    if (observer) {
      armElection(now, timing.observerTimer());
      return false;
    }
    if ((paused || processed < commit) && !handOffCampaign(now)) {
      armElection(now, timing.blockedRetry());
      return false;
    }
    if (membershipChange != null && membershipChange.peer().equals(id)) {
      leader = "";
      armElection(now, timing.selfRemovalRetry());
      return false;
    }
    if (config.managed() && !peers.containsKey(id)) {
      leader = "";
      armElection(now, timing.selfRemovalRetry());
      return false;
    }
    return true;
  }

  /**
   * Beyond NRG, whose paused node never campaigns: a paused node (its upper layer restores a
   * snapshot and waits for data only a leader serves) that recently refused a candidate only for a
   * log behind its own may be the one node able to win. Without it the group can stall for good:
   * a leader whose entries only this node also holds left the group, the peers with the data
   * cannot out-vote this node's longer log, and no leader is ever elected to serve the catch-up it
   * waits for. It may then campaign; as leader it stays paused, commits nothing, never completes
   * its election for the upper layer (its noop is not processed), and hands leadership on as soon
   * as a peer's log matches its own ({@link #handOffWhilePaused(long)}).
   */
  private boolean handOffCampaign(long now) {
    return paused && now - blockingRefusalAt <= 2 * timing.electionMax();
  }

  private void noteBlockedCandidate(String candidate, long now) {
    if (!candidate.equals(id) && peers.containsKey(candidate)) {
      blockedCandidates.put(candidate, now);
    }
  }

  /**
   * A leader that won while paused ({@link #handOffCampaign(long)}) steps down to a recently heard
   * peer whose log matches its own, which then campaigns at once and wins with this node's vote. It
   * never serves as leader: entries it replicates meanwhile are only those it held.
   *
   * <p>The target must be able to campaign: a paused peer (another new peer waiting for the same
   * catch-up) or an observer takes no transfer (NRG's {@code EntryLeaderTransfer} handling), and the
   * term would be lost. The leader cannot see a peer's pause, but a candidate it refused recently
   * was campaigning, so neither: while such a candidate is heard from, it waits for that one's log
   * to match. Only when none is heard does it fall back to any heard peer with a matching log, as
   * NRG's {@code StepDown} picks the first healthy peer.
   */
  private void handOffWhilePaused(long now) {
    if (state != RaftState.LEADER || !paused || noopIndex == 0) {
      return;
    }
    String target = "";
    boolean candidateHeard = false;
    for (Map.Entry<String, Long> c : blockedCandidates.entrySet()) {
      Peer p = peers.get(c.getKey());
      if (p == null || now - c.getValue() > 2 * timing.electionMax() || !healthyPeer(c.getKey(), now)) {
        continue;
      }
      candidateHeard = true;
      if (p.lastIndex >= pindex) {
        target = c.getKey();
        break;
      }
    }
    if (target.isEmpty() && !candidateHeard) {
      for (Map.Entry<String, Peer> e : peers.entrySet()) {
        if (!e.getKey().equals(id) && e.getValue().lastIndex >= pindex && healthyPeer(e.getKey(), now)) {
          target = e.getKey();
          break;
        }
      }
    }
    if (!target.isEmpty()) {
      // The preference is kept: should the transfer fail and this node win again, it still holds.
      LOG.warn("[{}:{}] won term {} while paused, handing leadership to {}", config.group(), id, term, target);
      stepDown(now, target);
    }
  }

  private void startPreVote(long now) {
    preVoteTerm = term + 1;
    preVotes.clear();
    preEmptyVotes.clear();
    (suspect() ? preEmptyVotes : preVotes).add(id);
    resetElectionTimer(now);
    send(preVoteSubject, preVoteInbox,
        RaftCodec.encode(new VoteRequest(preVoteTerm, pterm, pindex, id)));
  }

  private void processPreVoteRequest(long now, VoteRequest vr, String reply) {
    if (reply == null) {
      return;
    }
    boolean leaderRecent = false;
    if (state == RaftState.LEADER) {
      leaderRecent = true;
    } else if (!leader.isEmpty()) {
      Peer lp = peers.get(leader);
      leaderRecent = lp != null && lp.heard >= 0 && now - lp.heard < timing.electionMin();
    }
    boolean upToDate = vr.lastTerm() > pterm || vr.lastTerm() == pterm && vr.lastIndex() >= pindex;
    boolean grant = vr.term() > term && upToDate && !leaderRecent;
    if (paused && vr.term() > term && !upToDate && !leaderRecent && state == RaftState.FOLLOWER) {
      blockingRefusalAt = now;
      noteBlockedCandidate(vr.candidate(), now);
      armElection(now, randomBetween(timing.campaignMin(), timing.campaignMax()));
    }
    boolean empty = pindex == 0 && !initializing || suspect();
    send(reply, null,
        RaftCodec.encode(new VoteResponse(grant ? vr.term() : term, id, grant, empty)));
  }

  private void processPreVoteResponse(long now, VoteResponse vr) {
    if (!vr.granted() && vr.term() > term && state != RaftState.CLOSED) {
      // A refusal from a later term: adopt it, so the next pre-vote asks for a term the others
      // can grant. Without this a node with the best log but a stale term is refused by every
      // peer of a later term, whose own pre-votes fail on its better log: no election ever
      // starts.
      preVoteTerm = 0;
      term = vr.term();
      vote = "";
      if (state != RaftState.FOLLOWER) {
        stepDownTo(now, "");
      } else {
        persistTermVote();
      }
      return;
    }
    if (state != RaftState.FOLLOWER || preVoteTerm == 0 || vr.term() != preVoteTerm
        || !vr.granted() || preVoteTerm != term + 1) {
      return;
    }
    if (!countableVoter(vr.peer())) {
      return;
    }
    if (vr.empty()) {
      preEmptyVotes.add(vr.peer());
    } else {
      preVotes.add(vr.peer());
    }
    if (preVotes.size() >= quorum || preVotes.size() + preEmptyVotes.size() == clusterSize) {
      preVoteTerm = 0;
      if (mayCampaign(now)) {
        switchToCandidate(now);
      }
    }
  }

  private boolean countableVoter(String peer) {
    return peers.containsKey(peer) || peers.size() < clusterSize;
  }

  private void switchToCandidate(long now) {
    if (!mayCampaign(now)) {
      if (state == RaftState.CANDIDATE) {
        state = RaftState.FOLLOWER;
      }
      return;
    }
    // A candidate advertises its last index: make it durable first.
    syncPending();
    preVoteTerm = 0;
    forcedCampaign = false;
    term++;
    vote = "";
    quorumPaused = false;
    leader = "";
    state = RaftState.CANDIDATE;
    resetElectionTimer(now);
    votes.clear();
    emptyVotes.clear();
    vote = id;
    if (!persistTermVote()) {
      return;
    }
    send(voteSubject, voteInbox, RaftCodec.encode(new VoteRequest(term, pterm, pindex, id)));
    countVote(now, new VoteResponse(term, id, true, suspect()));
  }

  private void processVoteResponse(long now, VoteResponse vr) {
    if (state != RaftState.CANDIDATE) {
      if (state == RaftState.LEADER && vr.term() > term) {
        stepDownTo(now, "");
      }
      return;
    }
    countVote(now, vr);
  }

  private void countVote(long now, VoteResponse vr) {
    if (vr.granted() && vr.term() == term) {
      if (countableVoter(vr.peer())) {
        touchPeer(vr.peer(), now, false);
        if (!vr.empty()) {
          votes.add(vr.peer());
        } else {
          emptyVotes.add(vr.peer());
        }
      }
      if (votes.size() >= quorum || votes.size() + emptyVotes.size() == clusterSize) {
        switchToLeader(now);
      }
    } else if (vr.term() > term) {
      term = vr.term();
      vote = "";
      persistTermVote();
      transferTarget = false;
      stepDownTo(now, "");
    }
  }

  private void processVoteRequest(long now, VoteRequest vr, String reply) {
    boolean empty = pindex == 0 || suspect();
    if (vr.term() < term) {
      sendVoteResponse(reply, new VoteResponse(term, id, false, empty));
      return;
    }
    if (vr.term() > term) {
      if (state != RaftState.FOLLOWER) {
        stepDownTo(now, "");
      }
      cancelCatchup();
      term = vr.term();
      vote = "";
      if (!persistTermVote()) {
        return;
      }
      leader = "";
    }
    boolean voteOk = vote.isEmpty() || vote.equals(vr.candidate());
    if (voteOk && empty && initializing && !suspect()) {
      empty = false;
    }
    boolean granted = false;
    if (voteOk && (vr.lastTerm() > pterm || vr.lastTerm() == pterm && vr.lastIndex() >= pindex)) {
      term = vr.term();
      vote = vr.candidate();
      if (!persistTermVote()) {
        vote = "";
        return;
      }
      granted = true;
      resetElectionTimer(now);
    } else if (vote.isEmpty() && state != RaftState.CANDIDATE) {
      if (voteOk && paused) {
        blockingRefusalAt = now;
        noteBlockedCandidate(vr.candidate(), now);
      }
      armElection(now, randomBetween(timing.campaignMin(), timing.campaignMax()));
    }
    sendVoteResponse(reply, new VoteResponse(term, id, granted, empty));
  }

  private void sendVoteResponse(String reply, VoteResponse vr) {
    if (reply != null) {
      send(reply, null, RaftCodec.encode(vr));
    }
  }

  private void switchToLeader(long now) {
    if (state == RaftState.CLOSED) {
      return;
    }
    transferTarget = false;
    leader = id;
    hadLeader = true;
    state = RaftState.LEADER;
    pendingCache.clear();
    acks.clear();
    completeLeader = false;
    heartbeatAt = now + timing.heartbeat();
    quorumCheckAt = now + timing.lostQuorum();
    for (Map.Entry<String, Peer> e : peers.entrySet()) {
      if (!e.getKey().equals(id)) {
        e.getValue().lastIndex = 0;
      }
    }
    LOG.debug("[{}:{}] became leader in term {}", config.group(), id, term);
    sendAppendEntry(now, List.of(new Entry(EntryType.PEER_STATE,
        PeerStateCodec.encode(currentPeerState()))));
    noopIndex = pindex;
  }

  private PeerState currentPeerState() {
    return new PeerState(clusterSize, new ArrayList<>(peers.keySet()), extState);
  }

  /** Switches to follower with {@code newLeader} ("" = none). The vote is kept. */
  private void stepDownTo(long now, String newLeader) {
    if (state == RaftState.CLOSED) {
      return;
    }
    RaftState was = state;
    if (was == RaftState.LEADER) {
      leaveLeader();
    }
    state = RaftState.FOLLOWER;
    transferTarget = false;
    preVoteTerm = 0;
    votes.clear();
    emptyVotes.clear();
    leader = newLeader;
    if (!newLeader.isEmpty()) {
      hadLeader = true;
    }
    resetElectionTimer(now);
    persistTermVote();
    if (was == RaftState.LEADER || was == RaftState.CANDIDATE) {
      effects.leaderChanged(false, term);
    }
  }

  private void leaveLeader() {
    if (completeLeader) {
      effects.unsubscribe(proposalSubject);
      effects.unsubscribe(removePeerSubject);
    }
    completeLeader = false;
    noopIndex = 0;
    acks.clear();
    proposals.clear();
    streams.clear();
    heartbeatAt = Long.MAX_VALUE;
    quorumCheckAt = Long.MAX_VALUE;
    failReads();
  }

  // =================================================================== leader duties

  private void leaderTick(long now) {
    if (now >= heartbeatAt) {
      heartbeatAt = now + timing.heartbeat();
      if (now - lastAppendSentAt >= timing.heartbeat()) {
        sendHeartbeat(now);
      }
      if (readRound != null) {
        send(aeSubject, readRound.inbox, RaftCodec.encode(readRound.probe));
      }
      if (paused) {
        handOffWhilePaused(now);
        if (state != RaftState.LEADER) {
          return;
        }
      }
    }
    if (now >= quorumCheckAt) {
      quorumCheckAt = now + timing.lostQuorum();
      if (now - clusterGrewAt >= timing.lostQuorum() && !quorum(now)) {
        LOG.info("[{}:{}] lost quorum in term {}, stepping down", config.group(), id, term);
        stepDownTo(now, "");
        return;
      }
    }
    if (!streams.isEmpty()) {
      List<String> expired = new ArrayList<>();
      for (CatchupStream s : streams.values()) {
        if (now - s.lastProgressAt >= timing.catchupInactivity()) {
          expired.add(s.peer);
        }
      }
      for (String p : expired) {
        finishStream(now, streams.get(p));
      }
    }
  }

  private void sendHeartbeat(long now) {
    sendAppendEntry(now, List.of());
  }

  /** Builds, stores (if it carries entries) and publishes one AE at the current position. */
  private void sendAppendEntry(long now, List<Entry> entries) {
    AppendEntry ae = new AppendEntry(id, term, commit, pterm, pindex, entries, 0);
    byte[] bytes = RaftCodec.encode(ae);
    if (!entries.isEmpty()) {
      long index = pindex + 1;
      if (log.lastIndex() != pindex) {
        LOG.warn("[{}:{}] log position {} differs from pindex {}", config.group(), id,
            log.lastIndex(), pindex);
      }
      log.append(index, term, bytes);
      if (deferredSync) {
        // Followers store and sync this entry while the leader syncs its own copy at the end of
        // the flush: the fsyncs overlap instead of adding up. Safe because the leader counts its
        // own copy toward a commit only after forcing it (tryCommit), and a Transport never
        // delivers from within send; if the force fails the leader fails and the entry is merely
        // uncommitted on the followers.
        send(aeSubject, aeInbox, bytes);
        unsynced = true;
      } else {
        log.sync();
        send(aeSubject, aeInbox, bytes);
      }
      pterm = term;
      pindex = index;
      cachePending(index, ae);
      clearDataLossIfCaughtUp();
    } else {
      send(aeSubject, aeInbox, bytes);
    }
    lastAppendSentAt = now;
    if (!entries.isEmpty() && quorum <= 1) {
      tryCommit(now, pindex);
    }
  }

  private void trySendMembershipChange(long now, Entry e) {
    String peer = new String(e.data(), StandardCharsets.ISO_8859_1);
    boolean add = e.type() == EntryType.ADD_PEER;
    if (membershipChange != null || add == peers.containsKey(peer)) {
      LOG.debug("[{}:{}] membership change {} {} refused", config.group(), id, e.type(), peer);
      return;
    }
    long index = pindex + 1;
    // Speculative before the send: a lone leader commits and surfaces the entry while sending it,
    // and that commit must find the change in flight to close it.
    applySpeculativeMembership(index, peer, add);
    sendAppendEntry(now, List.of(e));
    if (pindex < index) {
      if (membershipChange != null && membershipChange.index() == index) {
        revertMembership();
      }
      return;
    }
    if (state != RaftState.LEADER) {
      return;
    }
    if (!add && quorum <= 1) {
      tryCommit(now, pindex);
    }
  }

  private void processAppendEntryResponse(long now, AppendEntryResponse ar, String reply) {
    if (config.catchupProgress() && !ar.success() && reply == null && state == RaftState.LEADER
        && ar.term() <= term) {
      CatchupStream s = streams.get(ar.peer());
      if (s != null) {
        // Beyond NRG: a catching-up follower reports each stored catch-up batch as a rejection
        // without reply (which an NRG leader ignores), so the stream keeps going inside its
        // window instead of stalling until the follower re-requests. It moves the stream and
        // counts as contact with a known peer (a long catch-up must not cost the leader its
        // quorum check); it never counts toward commit and never adds a peer.
        touchPeer(ar.peer(), now, false);
        streamProgress(now, s, ar.index());
        return;
      }
    }
    touchPeer(ar.peer(), now, true);
    if (ar.success()) {
      if (state != RaftState.LEADER) {
        return;
      }
      Peer ps = peers.get(ar.peer());
      if (ps != null && ar.index() > ps.lastIndex) {
        ps.lastIndex = ar.index();
      }
      CatchupStream s = streams.get(ar.peer());
      if (s != null) {
        streamProgress(now, s, ar.index());
      }
      if (ar.index() <= commit || ar.term() != term || ps == null) {
        return;
      }
      acks.computeIfAbsent(ar.index(), k -> new HashSet<>()).add(ar.peer());
      if (tryCommit(now, ar.index()) && proposals.isEmpty() && state == RaftState.LEADER) {
        sendHeartbeat(now);
      }
      if (paused) {
        handOffWhilePaused(now);
      }
    } else if (reply != null) {
      if (state == RaftState.LEADER) {
        catchupFollower(now, ar, reply);
      }
    } else if (ar.term() > term) {
      term = ar.term();
      vote = "";
      persistTermVote();
      if (state != RaftState.FOLLOWER) {
        stepDownTo(now, "");
      }
    }
  }

  /**
   * The log made more of itself durable ({@link RaftLog#durableIndex()} grew): a leader recounts the
   * acknowledgements that were short of a quorum only for want of its own copy, and commits the
   * highest index they now reach. For runtimes whose log forces in the background; a log whose
   * {@code sync()} blocks never needs it. A node marked by data loss also drops the mark here once
   * the entry of a later term that proves it caught up is durable. Call on the node's thread,
   * then flush.
   */
  public void logDurable(long now) {
    if (dataLossTerm != 0 && state != RaftState.CLOSED) {
      clearDataLossIfCaughtUp();
    }
    if (state != RaftState.LEADER) {
      return;
    }
    long d = Math.min(log.durableIndex(), pindex);
    if (d <= commit) {
      return;
    }
    long target = 0;
    if (quorum <= 1) {
      target = d;
    } else {
      for (Map.Entry<Long, Set<String>> e : acks.subMap(commit, false, d, true).descendingMap().entrySet()) {
        if (e.getValue().size() + 1 >= quorum) {
          target = e.getKey();
          break;
        }
      }
    }
    if (target > 0 && tryCommit(now, target) && proposals.isEmpty() && state == RaftState.LEADER) {
      // As after an acknowledgement: the followers learn the new commit index at once.
      sendHeartbeat(now);
    }
  }

  private boolean tryCommit(long now, long index) {
    if (state != RaftState.LEADER || index <= commit || paused) {
      // A leader that won while paused commits nothing: surfacing its backlog as leader would apply
      // old history (its own past removal stops it) before the upper layer restored its snapshot.
      // The peer it hands leadership to commits the same entries with its own noop.
      return false;
    }
    Set<String> a = acks.get(index);
    int n = a == null ? 0 : a.size();
    boolean selfRemoving = membershipChange != null && !membershipChange.add()
        && membershipChange.peer().equals(id);
    if (peers.containsKey(id) && !selfRemoving) {
      // The leader's own copy counts only once durable. With a log that forces in the background
      // the force requested here may still run: the followers' copies can commit the entry
      // without it, or logDurable recounts once it completed.
      syncPending();
      if (index <= log.durableIndex()) {
        n++;
      }
    }
    if (n < quorum) {
      return false;
    }
    for (long i = commit + 1; i <= index && state == RaftState.LEADER; i++) {
      if (!applyCommit(now, i)) {
        break;
      }
    }
    maybeStartReadRound(now);
    return true;
  }

  // =================================================================== read index

  private void maybeStartReadRound(long now) {
    if (state != RaftState.LEADER || readRound != null || queuedReads.isEmpty()
        || noopIndex == 0 || commit < noopIndex) {
      return;
    }
    List<Long> reqs = new ArrayList<>(queuedReads);
    queuedReads.clear();
    if (quorum <= 1) {
      for (long r : reqs) {
        effects.readIndexReady(r, commit);
      }
      return;
    }
    String inbox = Subjects.inbox(NodeIds.token(random));
    AppendEntry probe = new AppendEntry(id, term, commit, pterm, pindex, List.of(), 0);
    readRound = new ReadRound(inbox, reqs, commit, probe);
    effects.subscribe(inbox);
    send(aeSubject, inbox, RaftCodec.encode(probe));
  }

  private void countReadAck(long now, AppendEntryResponse ar, String reply) {
    ReadRound r = readRound;
    if (state != RaftState.LEADER || r == null || !peers.containsKey(ar.peer())
        || ar.peer().equals(id)) {
      return;
    }
    // A success, or a catch-up request, proves the peer accepted our term after the round began.
    if (!ar.success() && reply == null) {
      return;
    }
    r.acks.add(ar.peer());
    int n = r.acks.size() + (peers.containsKey(id) ? 1 : 0);
    if (n >= quorum) {
      readRound = null;
      effects.unsubscribe(r.inbox);
      for (long req : r.requests) {
        effects.readIndexReady(req, r.index);
      }
      maybeStartReadRound(now);
    }
  }

  private void failReads() {
    List<Long> failed = new ArrayList<>(queuedReads);
    queuedReads.clear();
    if (readRound != null) {
      failed.addAll(readRound.requests);
      effects.unsubscribe(readRound.inbox);
      readRound = null;
    }
    for (long r : failed) {
      effects.readIndexFailed(r);
    }
  }

  // =================================================================== catch-up, leader side

  private void catchupFollower(long now, AppendEntryResponse ar, String inbox) {
    CatchupStream old = streams.remove(ar.peer());
    if (old != null) {
      LOG.debug("[{}:{}] replacing catch-up stream of {}", config.group(), id, ar.peer());
    }
    long start = ar.index() + 1;
    if (start < log.firstIndex() && !log.isEmpty() || log.isEmpty() && start <= log.lastIndex()) {
      // The follower needs compacted entries: the snapshot goes first, then what follows it.
      long sent = sendSnapshotToFollower(now, inbox);
      if (sent < 0) {
        return;
      }
      start = sent + 1;
      if (log.isEmpty() || start > log.lastIndex()) {
        // Beyond NRG: the snapshot was all the follower lacked. A heartbeat behind it (same
        // sender, so delivered after it) shows the follower its log now matches and ends its
        // catch-up at once instead of at the next regular heartbeat.
        sendHeartbeat(now);
        return;
      }
    }
    if (start > pindex) {
      LOG.warn("[{}:{}] catch-up request from {} beyond our log ({} > {}), stepping down",
          config.group(), id, ar.peer(), start, pindex);
      stepDownTo(now, "");
      return;
    }
    CatchupStream s = new CatchupStream(ar.peer(), inbox, pindex, start - 1, now);
    streams.put(ar.peer(), s);
    pumpStream(now, s);
  }

  private void streamProgress(long now, CatchupStream s, long index) {
    s.lastProgressAt = now;
    if (!config.catchupProgress()) {
      // As NRG: a progress value releases exactly the index it names.
      Integer size = s.sizes.remove(index);
      if (size != null) {
        s.outstanding -= size;
      }
    }
    // The follower holds everything up to index: release all of it from the window, not only the
    // reported index (progress reports need not name every index).
    for (var it = s.sizes.entrySet().iterator(); config.catchupProgress() && it.hasNext(); ) {
      Map.Entry<Long, Integer> e = it.next();
      if (e.getKey() > index) {
        break;
      }
      s.outstanding -= e.getValue();
      it.remove();
    }
    if (index > s.last) {
      finishStream(now, s);
      return;
    }
    pumpStream(now, s);
  }

  private void pumpStream(long now, CatchupStream s) {
    while (s.outstanding <= config.catchupWindowBytes()) {
      s.next++;
      if (s.next > s.last) {
        finishStream(now, s);
        // Beyond NRG: everything the follower lacked is on its way; a heartbeat behind it ends the
        // follower's catch-up once it stored the last entry, not at the next regular heartbeat.
        sendHeartbeat(now);
        return;
      }
      byte[] bytes;
      try {
        AppendEntry cached = pendingCache.get(s.next);
        if (cached != null) {
          bytes = RaftCodec.encode(cached.lterm() == term ? cached : cached.withLterm(term));
        } else {
          // Stamp the stored encoding in one copy instead of decoding and re-encoding it.
          bytes = RaftCodec.withLterm(log.read(s.next).data(), term);
        }
      } catch (LogException | WireFormatException e) {
        LOG.warn("[{}:{}] catch-up stream to {} cannot load {}: {}", config.group(), id, s.peer,
            s.next, e.getMessage());
        finishStream(now, s);
        return;
      }
      s.sizes.put(s.next, bytes.length);
      s.outstanding += bytes.length;
      send(s.inbox, aeInbox, bytes);
    }
  }

  private void finishStream(long now, CatchupStream s) {
    if (s == null || streams.get(s.peer) != s) {
      return;
    }
    streams.remove(s.peer);
    if (state == RaftState.LEADER && !peers.containsKey(s.peer) && membershipChange == null
        && !config.managed()) {
      trySendMembershipChange(now,
          new Entry(EntryType.ADD_PEER, s.peer.getBytes(StandardCharsets.ISO_8859_1)));
    }
  }

  // =================================================================== follower AE path (§5)

  private void processAppendEntry(long now, AppendEntry ae, byte[] raw, Source src, String reply) {
    boolean isNew = src == Source.LIVE;
    if (!transferTarget) {
      resetElectionTimer(now);
    }
    if (state == RaftState.CLOSED || writeError != null) {
      return;
    }
    long lt = ae.checkTerm();
    if (state == RaftState.LEADER) {
      if (lt >= term) {
        if (lt > term) {
          term = lt;
          vote = "";
          persistTermVote();
        } else {
          LOG.warn("[{}:{}] another leader {} in our term {}", config.group(), id, ae.leader(),
              term);
        }
        stepDownTo(now, ae.leader());
      } else {
        sendAr(reply, new AppendEntryResponse(term, pindex, id, false), null);
        return;
      }
    } else if (state == RaftState.CANDIDATE && lt >= term) {
      if (lt > term) {
        term = lt;
        vote = "";
        persistTermVote();
      }
      stepDownTo(now, ae.leader());
    }
    // Stale catch-up traffic.
    if (!isNew && src != Source.REPLAY && (ae.lterm() == 0 || ae.pindex() < pindex)
        && (catchup == null || src != Source.CATCHUP)) {
      return;
    }
    if (lt > term) {
      term = lt;
      vote = "";
      if (isNew) {
        persistTermVote();
      }
      if (state != RaftState.FOLLOWER) {
        stepDownTo(now, ae.leader());
      }
    } else if (lt < term && src != Source.REPLAY && (isNew || ae.lterm() != 0)) {
      if (isNew) {
        sendAr(reply, new AppendEntryResponse(term, pindex, id, false), null);
      }
      return;
    }
    if (catchup != null) {
      if (pterm >= catchup.cterm && pindex >= catchup.cindex) {
        cancelCatchup();
      } else if (isNew) {
        if (catchupStalled(now)) {
          startCatchup(now, ae, reply);
        }
        return;
      }
    }
    if (isNew && state == RaftState.FOLLOWER) {
      preVoteTerm = 0;
      if (!ae.leader().equals(leader)) {
        leader = ae.leader();
        hadLeader = true;
        persistTermVote();
        resetElectionTimer(now);
        for (Map.Entry<String, Peer> e : peers.entrySet()) {
          e.getValue().lastIndex = 0;
          if (!e.getKey().equals(leader)) {
            e.getValue().heard = -1;
          }
        }
        touchPeer(leader, now, false);
        effects.leaderChanged(false, term);
      } else {
        touchPeer(leader, now, false);
      }
    }
    if (src != Source.REPLAY) {
      long a = Math.max(applied, papplied);
      long c = Math.max(commit, papplied);
      if (quorumPaused) {
        if (c - a > QUORUM_RESUME) {
          cancelCatchup();
          return;
        }
        quorumPaused = false;
      } else if (c - a > OVERRUN) {
        quorumPaused = true;
        overruns++;
        cancelCatchup();
        return;
      }
    }
    if (src == Source.CATCHUP && isLeaderSnapshot(ae)
        && (ae.pterm() == pterm && ae.pindex() == pindex || ae.pindex() < pindex)) {
      // A second copy of a leader's snapshot (a duplicated or delayed delivery): what it carries
      // is installed already. Storing it would put it at an index where the leader holds another
      // entry, so it is dropped.
      return;
    }
    if (ae.pterm() != pterm || ae.pindex() != pindex) {
      if (ae.pindex() <= pindex) {
        if (!resolveConflict(now, ae, isNew)) {
          return;
        }
      } else {
        if (src == Source.REPLAY) {
          return;
        }
        if (catchup != null) {
          installLeaderSnapshot(now, ae);
          return;
        }
        startCatchup(now, ae, reply);
        return;
      }
    }
    boolean stored = false;
    if (!ae.entries().isEmpty()) {
      long index = ae.pindex() + 1;
      if (src != Source.REPLAY) {
        if (log.lastIndex() != ae.pindex()) {
          LOG.warn("[{}:{}] log at {} cannot store index {}, resetting", config.group(), id,
              log.lastIndex(), index);
          truncateLog(now, 0, 0);
          cancelCatchup();
          return;
        }
        log.append(index, ae.term(), raw);
        syncAppend();
        cachePending(index, ae);
        initializing = false;
        stored = true;
      }
      pterm = ae.term();
      pindex = index;
      if (src != Source.REPLAY) {
        clearDataLossIfCaughtUp();
      }
      for (Entry e : ae.entries()) {
        if (e.type() == EntryType.LEADER_TRANSFER && isNew) {
          String target = new String(e.data(), StandardCharsets.ISO_8859_1);
          if (target.equals(id)) {
            transferTarget = true;
            if (!observer && !paused) {
              forcedCampaign = true;
              armElection(now, timing.transferCampaign());
            }
          }
        } else if ((e.type() == EntryType.ADD_PEER || e.type() == EntryType.REMOVE_PEER)
            && e.data().length == RaftCodec.ID_LENGTH) {
          String peer = new String(e.data(), StandardCharsets.ISO_8859_1);
          boolean add = e.type() == EntryType.ADD_PEER;
          if (membershipChange != null && membershipChange.index() < index
              && membershipChange.index() <= ae.commit()) {
            // A leader proposes one change at a time, each once the previous one committed: this
            // AE's commit covers the previous change (committed officially just below), so it no
            // longer blocks this one. Skipping it left this node, live or replaying its log after
            // a restart, on the old configuration until the change committed — a lone survivor of
            // a scale-down could then never win an election again.
            membershipChange = null;
          }
          if (membershipChange == null && add != peers.containsKey(peer)) {
            applySpeculativeMembership(index, peer, add);
          }
        }
      }
    }
    if (ae.commit() > commit) {
      sendCatchupSignal();
      if (paused) {
        hcommit = Math.max(hcommit, ae.commit());
      } else {
        long upTo = Math.min(ae.commit(), pindex);
        for (long i = commit + 1; i <= upTo; i++) {
          if (!applyCommit(now, i)) {
            break;
          }
        }
      }
    }
    if (isNew) {
      sendAr(reply, new AppendEntryResponse(pterm, pindex, id, true), null);
    } else if (stored && src == Source.CATCHUP && state == RaftState.FOLLOWER
        && config.catchupProgress()) {
      // Progress report for the leader's stream window, sent once the batch is synced; a
      // rejection without reply at our (= the leader's) term, so it can never be taken for an
      // acknowledgement and an NRG leader ignores it.
      sendAr(reply, new AppendEntryResponse(term, pindex, id, false), null);
    }
  }

  /**
   * §7.2: the AE does not follow our last entry but we have its predecessor's index. Returns true
   * when the log is now aligned and the AE should be stored.
   */
  private boolean resolveConflict(long now, AppendEntry ae, boolean isNew) {
    boolean success = false;
    if (ae.pindex() < commit) {
      success = true;
    } else {
      LogRecord rec = null;
      if (ae.pindex() > 0) {
        try {
          rec = log.read(ae.pindex());
        } catch (LogException e) {
          if (!e.isMissing()) {
            throw e;
          }
        }
      }
      if (rec == null) {
        if (ae.pterm() == pterm && isNew) {
          success = true;
        } else if (ae.pindex() == pindex) {
          // §7.2 rule 2b: only our term at this index disagrees. Adopt the leader's and drop
          // this AE without storing or answering it; the next AE re-aligns through catch-up.
          truncateLog(now, ae.pterm(), ae.pindex());
        } else if (snapshot != null && snapshot.index() == ae.pindex()
            && snapshot.term() == ae.pterm()) {
          // Rule 2c: the predecessor is our snapshot; drop what follows it and take this AE.
          truncateLog(now, snapshot.term(), snapshot.index());
          if (pterm == ae.pterm() && pindex == ae.pindex()) {
            return true;
          }
        } else {
          truncateLog(now, 0, 0);
        }
      } else if (rec.term() == ae.pterm() && ae.pindex() < pindex
          && log.termAt(ae.pindex() + 1) >= ae.term()) {
        // Beyond NRG's rule 3: what follows ae.pindex here was written in the AE's term or a
        // later one, so it is what that leader (or a newer one) sent after ae.pindex; this AE is
        // a late or duplicated copy (a heartbeat overtaken on the network, say). Truncating would
        // drop entries we acknowledged and the leader may have committed on our ack.
        success = true;
      } else if (rec.term() == ae.pterm()) {
        truncateLog(now, ae.pterm(), ae.pindex());
        if (pterm == ae.pterm() && pindex == ae.pindex()) {
          return true;
        }
      } else {
        AppendEntry stored = RaftCodec.decodeAppendEntry(rec.data());
        if (stored.pindex() < commit) {
          success = true;
        } else {
          truncateLog(now, stored.pterm(), stored.pindex());
        }
      }
    }
    if (!success) {
      cancelCatchup();
    }
    return false;
  }

  /** §7.3 truncateWAL. */
  private void truncateLog(long now, long newTerm, long index) {
    try {
      // Responses held for entries about to be cut were true once they are durable: release them
      // first, so none can claim an index after the cut.
      syncPending();
      log.truncateAfter(index);
      log.sync();
    } catch (LogException e) {
      fail(e);
      return;
    }
    pterm = newTerm;
    pindex = index;
    if (index == 0) {
      pendingCache.clear();
    } else {
      pendingCache.tailMap(index, false).clear();
    }
    if (membershipChange != null && membershipChange.index() > index) {
      revertMembership();
    }
    // A snapshot beyond the truncation point may hold state of the truncated entries.
    if (snapshot != null && snapshot.index() > index) {
      LOG.warn("[{}:{}] truncation to {} drops snapshot {}", config.group(), id, index, snapshot);
      deleteSnapshotQuietly(snapshot);
      snapshot = null;
    }
    commit = Math.min(commit, pindex);
    processed = Math.min(processed, commit);
    applied = Math.min(applied, processed);
  }

  private void startCatchup(long now, AppendEntry ae, String reply) {
    if (catchup != null) {
      retireCatchupInbox(catchup.inbox);
    }
    Catchup c = new Catchup();
    c.cterm = ae.pterm();
    c.cindex = ae.pindex();
    c.inbox = Subjects.catchupInbox(NodeIds.token(random));
    c.lastPindex = pindex;
    c.lastProgressAt = now;
    boolean hadSignal = catchup != null && catchup.signalled;
    catchup = c;
    if (hadSignal) {
      effects.applyMarker();
    }
    effects.subscribe(c.inbox);
    sendAr(reply, new AppendEntryResponse(pterm, pindex, id, false), c.inbox);
  }

  private boolean catchupStalled(long now) {
    Catchup c = catchup;
    if (c == null) {
      return false;
    }
    if (pindex != c.lastPindex) {
      c.lastPindex = pindex;
      c.lastProgressAt = now;
      return false;
    }
    return now - c.lastProgressAt > timing.catchupStall();
  }

  private void cancelCatchup() {
    Catchup c = catchup;
    if (c == null) {
      return;
    }
    catchup = null;
    retireCatchupInbox(c.inbox);
    if (c.signalled) {
      effects.applyMarker();
    }
  }

  private void retireCatchupInbox(String inbox) {
    effects.unsubscribe(inbox);
    // Remember a few old inboxes so late deliveries are classified as stale catch-up traffic.
    if (staleCatchupInboxes.size() > 16) {
      staleCatchupInboxes.clear();
    }
    staleCatchupInboxes.add(inbox);
  }

  /**
   * Publishes through the effects unless the node is closed. A storage failure closes the node in
   * the middle of an input; whatever that input would still have answered (an append response, a
   * vote) must not go out, since the state it vouches for was not made durable.
   */
  private void send(String subject, String reply, byte[] payload) {
    if (state != RaftState.CLOSED) {
      effects.send(subject, reply, payload);
    }
  }

  private void sendAr(String reply, AppendEntryResponse ar, String arReply) {
    if (reply == null) {
      return;
    }
    if (unsynced) {
      // Held (with every later response, to keep their order) until the log is durable.
      heldArSubjects.add(reply);
      heldArReplies.add(arReply);
      heldArPayloads.add(RaftCodec.encode(ar));
    } else {
      send(reply, arReply, RaftCodec.encode(ar));
    }
  }

  // =================================================================== apply

  /** Commits index {@code i} and surfaces it; returns false when it cannot be loaded. */
  private boolean applyCommit(long now, long i) {
    if (i <= commit) {
      return true;
    }
    acks.remove(i);
    if (i <= papplied) {
      return true;
    }
    AppendEntry ae;
    try {
      ae = pendingCache.remove(i);
      if (ae == null) {
        ae = loadEntry(i);
      }
    } catch (LogException e) {
      if (e.kind() == LogException.Kind.CLOSED || e.kind() == LogException.Kind.BEYOND_END) {
        return false;
      }
      LOG.error("[{}:{}] cannot load committed index {}: {}", config.group(), id, i,
          e.getMessage());
      discardUnreadable(now, i);
      return false;
    } catch (WireFormatException e) {
      LOG.error("[{}:{}] corrupt record at committed index {}", config.group(), id, i);
      discardUnreadable(now, i);
      return false;
    }
    commit = i;
    List<Entry> entries = ae.entries();
    if (entries.size() == 1 && entries.get(0).type() == EntryType.SNAPSHOT && snapshot == null
        && ae.commit() > 0) {
      // A replicated snapshot (sendSnapshot) seeds a replica that has none of its own.
      Snapshot seed = new Snapshot(ae.pterm(), ae.commit(),
          PeerStateCodec.encode(committedPeerState(ae.commit())), entries.get(0).data());
      try {
        installSnapshotFile(seed);
      } catch (IOException e) {
        LOG.warn("[{}:{}] cannot adopt the replicated snapshot: {}", config.group(), id,
            e.toString());
      }
    }
    if (allPlain(entries)) {
      // The common case: the AE's list is already immutable and every entry surfaces as is, so
      // CommittedEntry keeps it without a copy.
      effects.apply(new CommittedEntry(i, entries));
      return true;
    }
    List<Entry> surfaced = new ArrayList<>(entries.size());
    boolean removedSelf = false;
    for (Entry e : entries) {
      switch (e.type()) {
        case NORMAL, SNAPSHOT -> surfaced.add(e);
        case OLD_SNAPSHOT -> surfaced.add(e.withType(EntryType.SNAPSHOT));
        case PEER_STATE -> {
          if (state != RaftState.LEADER) {
            try {
              applyPeerState(now, PeerStateCodec.decode(e.array(), e.offset(), e.length()));
            } catch (WireFormatException bad) {
              LOG.warn("[{}:{}] undecodable peer state at {}", config.group(), id, i);
            }
          }
        }
        case ADD_PEER, REMOVE_PEER -> {
          surfaced.add(e);
          if (e.data().length == RaftCodec.ID_LENGTH) {
            String peer = new String(e.data(), StandardCharsets.ISO_8859_1);
            commitMembership(now, i, peer, e.type() == EntryType.ADD_PEER);
            if (e.type() == EntryType.REMOVE_PEER && peer.equals(id)
                && state == RaftState.LEADER) {
              removedSelf = true;
            }
          }
        }
        default -> {
          // Leader transfer and catch-up signals are never surfaced.
        }
      }
    }
    effects.apply(new CommittedEntry(i, surfaced));
    if (removedSelf) {
      LOG.info("[{}:{}] removed from the group while leader, stopping", config.group(), id);
      if (state == RaftState.LEADER) {
        stepDown(now);
      }
      stop();
      return false;
    }
    return true;
  }

  /** True when every entry is NORMAL or SNAPSHOT, i.e. surfaces unchanged with no side effect. */
  private static boolean allPlain(List<Entry> entries) {
    for (int k = 0, n = entries.size(); k < n; k++) {
      EntryType t = entries.get(k).type();
      if (t != EntryType.NORMAL && t != EntryType.SNAPSHOT) {
        return false;
      }
    }
    return true;
  }

  private AppendEntry loadEntry(long index) {
    AppendEntry cached = pendingCache.get(index);
    if (cached != null) {
      return cached;
    }
    return RaftCodec.decodeAppendEntry(log.read(index).data());
  }

  private void cachePending(long index, AppendEntry ae) {
    if (pendingCache.size() < PAE_LIMIT) {
      pendingCache.put(index, ae);
    } else {
      pendingCache.remove(index);
    }
  }

  private String bestPeer() {
    String best = "";
    long hi = 0;
    for (Map.Entry<String, Peer> e : peers.entrySet()) {
      if (!e.getKey().equals(id) && e.getValue().lastIndex > hi) {
        hi = e.getValue().lastIndex;
        best = e.getKey();
      }
    }
    return best;
  }

  // =================================================================== membership

  private void applySpeculativeMembership(long index, String peer, boolean add) {
    Peer prev = peers.get(peer);
    membershipChange = new MembershipChange(index, peer, add, prev);
    if (add) {
      peers.put(peer, new Peer());
    } else {
      peers.remove(peer);
    }
    adjustClusterSize();
  }

  private void commitMembership(long now, long index, String peer, boolean add) {
    if (add) {
      removed.remove(peer);
      peers.computeIfAbsent(peer, k -> new Peer());
    } else {
      removed.put(peer, now);
      peers.remove(peer);
    }
    adjustClusterSize();
    if (membershipChange != null && membershipChange.peer().equals(peer)) {
      membershipChange = null;
    }
    persistPeerState(committedPeerState(index));
  }

  private void revertMembership() {
    MembershipChange mc = membershipChange;
    membershipChange = null;
    if (mc.add()) {
      peers.remove(mc.peer());
    } else {
      peers.put(mc.peer(), mc.previous() != null ? mc.previous() : new Peer());
      removed.remove(mc.peer());
    }
    adjustClusterSize();
    persistPeerState(currentPeerState());
  }

  private void applyPeerState(long now, PeerState ps) {
    LinkedHashMap<String, Peer> next = new LinkedHashMap<>();
    for (String p : ps.knownPeers()) {
      Peer old = peers.get(p);
      next.put(p, old != null ? old : new Peer());
      removed.remove(p);
    }
    for (String p : peers.keySet()) {
      if (!next.containsKey(p)) {
        removed.put(p, now);
      }
    }
    // Keep an uncommitted speculative change applied on top of the committed peer state. A
    // removal also shrinks the cluster size: a peer state older than the removal (committed by
    // the AE that carries the removal, as on replay) must not restore the larger quorum, which
    // the remaining members might never reach.
    long size = ps.clusterSizeUnsigned();
    if (membershipChange != null) {
      if (membershipChange.add()) {
        next.putIfAbsent(membershipChange.peer(), new Peer());
      } else if (next.remove(membershipChange.peer()) != null) {
        size--;
      }
    }
    peers.clear();
    peers.putAll(next);
    clusterSize = (int) Math.min(Integer.MAX_VALUE, Math.max(size, peers.size()));
    recalcQuorum();
    // As NRG: the peer state as received is what is stored (a speculative change is not).
    persistPeerState(new PeerState(ps.clusterSize(), ps.knownPeers(), extState));
  }

  /**
   * Makes the committed membership durable ({@code peers.idx}); a failure is a sticky write error
   * that stops the node, as in NRG.
   */
  private boolean persistPeerState(PeerState ps) {
    try {
      peerStateStore.save(ps);
      return true;
    } catch (LogException e) {
      fail(e);
      return false;
    }
  }

  private void adjustClusterSize() {
    int before = clusterSize;
    clusterSize = peers.size();
    recalcQuorum();
    if (clusterSize > before) {
      clusterGrewAt = clock;
    } else if (clusterSize < before && state == RaftState.LEADER) {
      heartbeatAt = Math.min(heartbeatAt, clock);
      lastAppendSentAt = Math.min(lastAppendSentAt, clock - timing.heartbeat());
    }
  }

  private void recalcQuorum() {
    quorum = clusterSize / 2 + 1;
  }

  // =================================================================== replay and helpers

  private void replay(long now) {
    long held = log.lastIndex();
    // The term of the last record held; when the log was compacted past our snapshot it is
    // unknown, and the stored term bounds it.
    long heldTerm = !log.isEmpty() ? log.lastTerm() : held == pindex ? pterm : term;
    try {
      replayLog(now);
    } finally {
      if (held > pindex) {
        raiseLost(heldTerm, held);
      }
      if (lostUpTo > 0 && coversLost(pterm, pindex)) {
        lostUpTo = 0;
        lostTerm = 0;
      } else if (lostUpTo > 0) {
        LOG.warn("[{}:{}] start-up dropped state up to {}/{} (now at {}/{}): votes are empty until "
            + "the log covers it again", config.group(), id, lostTerm, lostUpTo, pterm, pindex);
      }
    }
  }

  private void replayLog(long now) {
    if (log.isEmpty()) {
      if (log.lastIndex() != pindex) {
        // A log compacted past our snapshot (or without one) cannot be placed; start from the
        // snapshot (or empty) and let the leader catch us up.
        LOG.warn("[{}:{}] empty log at {} does not follow snapshot index {}, realigning",
            config.group(), id, log.lastIndex(), pindex);
        log.truncateAfter(pindex);
        log.sync();
        replayCut = true;
      }
      return;
    }
    long first = log.firstIndex();
    long last = log.lastIndex();
    for (long seq = first; seq <= last; seq++) {
      AppendEntry ae;
      try {
        ae = RaftCodec.decodeAppendEntry(log.read(seq).data());
      } catch (LogException | WireFormatException e) {
        LOG.warn("[{}:{}] unreadable log record {}, truncating", config.group(), id, seq);
        log.truncateAfter(seq == first ? pindex : seq - 1);
        log.sync();
        replayCut = true;
        return;
      }
      if (ae.pindex() != seq - 1 || seq == first && ae.pindex() != pindex) {
        LOG.warn("[{}:{}] misaligned log record {} (pindex {}), truncating", config.group(), id,
            seq, ae.pindex());
        log.truncateAfter(seq == first ? pindex : seq - 1);
        log.sync();
        replayCut = true;
        return;
      }
      if (seq == first) {
        pterm = ae.pterm();
        pindex = ae.pindex();
      }
      processAppendEntry(now, ae, null, Source.REPLAY, null);
    }
  }

  private void touchPeer(String peer, long now, boolean fromResponse) {
    Peer p = peers.get(peer);
    if (p != null) {
      p.heard = now;
      if (!observed.isEmpty()) {
        observed.remove(peer);
      }
      return;
    }
    if (fromResponse && config.managed() && peer.length() == RaftCodec.ID_LENGTH) {
      Long at = removed.get(peer);
      if (at == null || now - at > 5 * 60_000) {
        observed.put(peer, now);
      }
    }
    if (fromResponse && state == RaftState.LEADER && completeLeader && !config.managed()
        && membershipChange == null && peer.length() == RaftCodec.ID_LENGTH) {
      Long at = removed.get(peer);
      if (at == null || now - at > 5 * 60_000) {
        trySendMembershipChange(now,
            new Entry(EntryType.ADD_PEER, peer.getBytes(StandardCharsets.ISO_8859_1)));
      }
    }
  }

  private boolean healthyPeer(String peer, long now) {
    Peer p = peers.get(peer);
    return p != null && p.heard >= 0 && now - p.heard < timing.transferTargetContact();
  }

  private boolean persistTermVote() {
    try {
      termVoteStore.save(new TermVote(term, vote));
      return true;
    } catch (LogException e) {
      fail(e);
      return false;
    }
  }

  /**
   * The record at {@code i}, the next to commit, cannot be read back. NRG resets the whole log
   * here; that throws away every good record for one bad one (and, on a node that acknowledged
   * them, entries a quorum relied on). Instead: step down if leading, keep everything before the
   * bad record, drop it and what follows (as recovery does at a corrupt record), and mark the data
   * loss so that this node's short log cannot decide an election until it has caught up.
   */
  private void discardUnreadable(long now, long i) {
    if (state == RaftState.LEADER) {
      stepDownTo(now, bestPeer());
    }
    long prevTerm = 0;
    if (i - 1 >= log.firstIndex() && i - 1 >= 1) {
      prevTerm = log.termAt(i - 1);
    }
    truncateLog(now, prevTerm, i - 1);
    cancelCatchup();
    markDataLoss(term);
  }

  /**
   * Records that this node may have lost entries it acknowledged. Entries are acknowledged (or
   * stored by a leader) only in terms at most {@code ackTerm}, the highest term made durable, and
   * terms never decrease along the log; so if the last remaining entry is of a later term,
   * nothing acknowledged can be missing and no mark is needed.
   */
  private void markDataLoss(long ackTerm) {
    if (state == RaftState.CLOSED || ackTerm == 0 || pterm > ackTerm) {
      return;
    }
    long mark = Math.max(dataLossTerm, ackTerm);
    if (mark == dataLossTerm) {
      return;
    }
    try {
      termVoteStore.saveDataLossTerm(mark);
      dataLossTerm = mark;
    } catch (LogException e) {
      fail(e);
    }
  }

  /**
   * Clears the data-loss mark once the last entry is of a term after the mark: the log then equals
   * that term's leader's log up to here, and that leader holds every entry committed in earlier
   * terms, which includes anything this node had acknowledged and lost.
   */
  private void clearDataLossIfCaughtUp() {
    if (dataLossTerm == 0 || pterm <= dataLossTerm) {
      return;
    }
    try {
      // The entry that proves we caught up must be durable before the marker goes. A log forced
      // in the background may only have requested the force: then the marker stays until the
      // runtime reports the force done (logDurable).
      syncPending();
      if (log.durableIndex() < pindex) {
        return;
      }
      termVoteStore.saveDataLossTerm(0);
      LOG.info("[{}:{}] caught up past term {} after data loss; votes count again",
          config.group(), id, dataLossTerm);
      dataLossTerm = 0;
    } catch (LogException e) {
      fail(e);
    }
  }

  private void fail(LogException e) {
    if (writeError == null) {
      writeError = e;
    }
    LOG.error("[{}:{}] storage failure, stopping: {}", config.group(), id, e.getMessage());
    stop();
  }

  private void checkWritable() {
    if (state == RaftState.CLOSED) {
      throw new RaftException(writeError != null ? RaftException.Error.WRITE_ERROR
          : RaftException.Error.CLOSED, "node closed");
    }
  }

  private void resetElectionTimer(long now) {
    if (observer) {
      armElection(now, timing.observerTimer());
    } else if (paused) {
      armElection(now, timing.observerTimer());
    } else if (suspect()) {
      // A node that may have lost acknowledged entries can win only if every peer answers (its
      // own vote is empty). Campaigning on the usual timer would keep re-arming the timers of
      // the peers that can win with a quorum, so it waits longer and lets them go first.
      armElection(now, randomBetween(timing.electionMax(), 2 * timing.electionMax()));
    } else {
      armElection(now, randomBetween(timing.electionMin(), timing.electionMax()));
    }
  }

  private void armElection(long now, long delay) {
    electionAt = now + delay;
  }

  private long randomBetween(long min, long max) {
    return min + random.nextLong(max - min);
  }

  /**
   * True while this node may lack entries it acknowledged: durably marked ({@link
   * #dataLossTerm()}), or start-up dropped state and the log is not back at the index it held. Its
   * votes (its own included) are then empty: they elect only when every peer answers, and every
   * intact holder of a committed entry then checks the candidate's log.
   */
  private boolean suspect() {
    return dataLossTerm != 0 || lostState();
  }

  /** True while start-up's lost state keeps this node's votes empty. */
  private boolean lostState() {
    if (lostUpTo > 0 && coversLost(pterm, pindex)) {
      LOG.info("[{}:{}] log back at {}, voting again", config.group(), id, pindex);
      lostUpTo = 0;
      lostTerm = 0;
    }
    return lostUpTo > 0;
  }

  /** True when a log ending at {@code (lastTerm, lastIndex)} is as up to date as the lost one. */
  private boolean coversLost(long lastTerm, long lastIndex) {
    return lastTerm > lostTerm || lastTerm == lostTerm && lastIndex >= lostUpTo;
  }

  private void raiseLost(long t, long index) {
    if (t > lostTerm || t == lostTerm && index > lostUpTo) {
      lostTerm = t;
      lostUpTo = index;
    }
  }

  /**
   * Puts {@code ae} in the pending-AE cache at {@code index} as if it had been stored there, for
   * tests of this package that check stale cache entries are never served.
   */
  void pendingCachePut(long index, AppendEntry ae) {
    pendingCache.put(index, ae);
  }

  /** Entries in the pending-AE cache, for tests of this package. */
  int pendingCacheSize() {
    return pendingCache.size();
  }

  /** The peers as an unmodifiable view for tests of this package. */
  Map<String, Long> removedPeers() {
    return Collections.unmodifiableMap(removed);
  }
}
