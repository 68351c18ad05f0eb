/**
 * NRG-compatible Raft on a deterministic core.
 *
 * <h2>The core</h2>
 *
 * {@link io.jscluster.raft.RaftNode} is one member of one group. It is a single-threaded state
 * machine: it never reads a clock, starts a thread, sleeps or draws unseeded randomness. Time comes
 * in as a {@code long now} (milliseconds of the runtime's clock, monotonic) on every input;
 * randomness from the {@link java.util.random.RandomGenerator} given at construction; storage
 * through {@link io.jscluster.raft.log.RaftLog} and {@link io.jscluster.raft.log.TermVoteStore}
 * (called synchronously: the node syncs the log before acknowledging an append and saves the term
 * and vote before granting a vote); everything else goes out through {@link
 * io.jscluster.raft.RaftEffects}.
 *
 * <h2>Inputs</h2>
 *
 * <ul>
 *   <li>{@code start(now)} once: loads term/vote, adopts the newest valid snapshot (surfaced first),
 *       replays the log (committed entries are surfaced, then one {@code applyMarker()}),
 *       subscribes its subjects.
 *   <li>{@code receive(now, subject, reply, payload)} for every message on a subject the node asked
 *       to {@link io.jscluster.raft.RaftEffects#subscribe subscribe} to. Undecodable or hostile
 *       payloads are counted and dropped.
 *   <li>{@code tick(now)} whenever {@code now >= nextDeadline()}; a runtime keeps one timer per node
 *       and re-reads {@code nextDeadline()} after every input. Early or extra ticks are harmless.
 *   <li>Upper-layer calls: {@code propose}/{@code proposeMulti} (term-fenced), {@code
 *       forwardProposal}, {@code applied}/{@code processed}, {@code stepDown}, {@code campaign},
 *       {@code proposeAddPeer}/{@code proposeRemovePeer}, {@code pauseApply}/{@code resumeApply},
 *       {@code setObserver}, {@code readIndex}, {@code stop}.
 *   <li>{@code flush(now)}: proposals are queued and sent as batches (one log index per batch) only
 *       when the runtime flushes. Flush after draining a burst of inputs to get batching.
 * </ul>
 *
 * <h2>Effects</h2>
 *
 * {@link io.jscluster.raft.RaftEffects}: {@code send}, {@code subscribe}, {@code unsubscribe}
 * (subject-addressed messaging, see {@link io.jscluster.raft.transport.Transport}), {@code apply}
 * and {@code applyMarker} (NRG's apply queue: every committed index, possibly with an empty entry
 * list, must be confirmed with {@code applied(index)}), {@code leaderChanged}, {@code
 * readIndexReady}/{@code readIndexFailed}. Effects are invoked synchronously inside inputs; they
 * must not call back into the node.
 *
 * <h2>Driving many groups from an event loop</h2>
 *
 * A production runtime hosts thousands of nodes on a few threads. The intended shape:
 *
 * <ol>
 *   <li>Each node gets an MPSC inbox (JCTools) and belongs to exactly one loop thread for its
 *       lifetime, so it is never touched concurrently.
 *   <li>Transport handlers, upper-layer API calls and timers only enqueue a small command (message,
 *       proposal, applied index, tick) into the node's inbox and mark the node ready.
 *   <li>The loop takes a ready node, drains its inbox applying each command with the loop's current
 *       time, then calls {@code flush(now)} once (proposal batching), then re-arms the node's timer
 *       from {@code nextDeadline()} in a timer wheel.
 *   <li>Effects collected during the drain are executed afterwards: sends handed to the transport,
 *       committed entries handed to the upper layer's queue, leader changes published.
 * </ol>
 *
 * Storage calls happen on the loop thread; with a file log, group commit across nodes of one loop
 * (append many, sync once) is the runtime's optimisation to make, and the log SPI's {@code sync()}
 * is the durability point that must precede sending the acknowledgements produced in the same
 * drain.
 *
 * <h2>Extensions beyond NRG</h2>
 *
 * Both switchable in {@link io.jscluster.raft.RaftConfig}, on by default: <b>pre-vote</b> (before
 * raising its term a node asks on {@code $NRG.PV.<group>} whether it could win; peers that heard
 * from a leader within the minimum election timeout refuse, so a partitioned node that rejoins
 * cannot depose a healthy leader; switch off in groups mixed with nats-server nodes, which do not
 * answer) and a <b>ReadIndex</b> read barrier ({@code readIndex}; confirmed by a quorum of
 * append-entry responses to a heartbeat sent after the request, on a fresh reply inbox).
 *
 * <h2>Snapshots</h2>
 *
 * Snapshots are stored through {@link io.jscluster.raft.snapshot.SnapshotStorage} (given at
 * construction). The upper layer takes one at its applied index with {@code installSnapshot} (or
 * in steps with a {@link io.jscluster.raft.SnapshotCheckpoint}); the log is compacted up to it. A
 * leader sends its snapshot to a follower that needs compacted entries, and the follower
 * surfaces it as a {@link io.jscluster.raft.CommittedEntry} with one {@code SNAPSHOT} entry
 * ({@link io.jscluster.raft.CommittedEntry#isSnapshot()}) to restore from. At start the newest
 * valid snapshot is adopted and surfaced before the log replay.
 *
 * <h2>Not in this core yet</h2>
 *
 * Quorum rescue, peer eviction, cluster-size adjustment, account-scoped subjects and {@code
 * peers.idx} persistence of the peer set.
 */
package io.jscluster.raft;
