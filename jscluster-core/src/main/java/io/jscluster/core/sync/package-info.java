/**
 * The stream catch-up protocol (nats-server's "sync" traffic that runs beside Raft): the
 * subjects it uses, the per-server budget of outstanding catch-up bytes, the leader's table of
 * peers being caught up, the sync request a follower computes from a snapshot, and the
 * follower and leader state machines that move the messages.
 *
 * <p>The machines are deterministic and single-threaded: they react to inputs (a message, a
 * timer tick carrying the caller's {@code nowNanos}) and act only through the interfaces they
 * are given. Shared, per-server objects ({@link io.jscluster.core.sync.CatchupBudget},
 * {@link io.jscluster.core.sync.SyncRequestLimiter}) and the per-stream
 * {@link io.jscluster.core.sync.CatchupPeers} are thread-safe.
 *
 * <h2>Wiring into a replicated stream</h2>
 * Per server: one {@code CatchupBudget} (from the configured maximum), one
 * {@code SyncRequestLimiter}, one {@code CatchupConfig}, a {@code SyncSubjects} over the
 * server's seeded random. Per stream: a {@code CatchupPeers}, a {@code CatchupState} and, on the
 * leader, a {@link io.jscluster.core.sync.LeaderCatchups}.
 * <ul>
 *   <li><b>Leader.</b> On becoming leader, subscribe the assignment's sync subject; for each
 *       message call {@code LeaderCatchups.handleSyncRequest(reply, payload, now, factory)},
 *       the factory building a {@link io.jscluster.core.sync.LeaderCatchup} whose transport
 *       routes its ack subscription to {@code onAck} and whose waker schedules {@code onWake} on
 *       the stream's thread. Tick every active run at its {@code deadline()}. On stepping down,
 *       unsubscribe and call {@code stopAll()} (which also clears the catch-up peers).
 *   <li><b>Follower.</b> When the apply loop applies a snapshot entry, decode it
 *       ({@code StreamStateCodec.decodeSnapshot}) and start a
 *       {@link io.jscluster.core.sync.FollowerCatchup}; if it is not done at once, the apply
 *       loop stays paused (the machine called {@code pauseApply}) until its completion
 *       listener runs, which also resumes applies. Route messages on its inbox to
 *       {@code onMessage} / {@code onMessages}, tick it at {@code deadline()}, and call
 *       {@code stop} when the stream, node or server stops. A cluster-reset error
 *       ({@link io.jscluster.core.sync.CatchupError#isClusterReset()}) is handled by the monitor
 *       as nats-server does (replay the snapshot or reset the clustered state).
 *   <li><b>Damaged blocks.</b> For each range in {@code StreamStore.damage()}, a
 *       {@link io.jscluster.core.sync.RepairFetch} fetches it from the leader and repairs it.
 *   <li><b>Raft log op 15.</b> Apply committed delete ranges with
 *       {@link io.jscluster.core.sync.DeleteRangeApply}.
 *   <li><b>Cluster info.</b> Apply {@code ClusterInfoReporter.checkClusterInfo} with the
 *       stream's {@code CatchupPeers} to STREAM.INFO and {@code $JSC.SI} answers.
 * </ul>
 */
package io.jscluster.core.sync;
