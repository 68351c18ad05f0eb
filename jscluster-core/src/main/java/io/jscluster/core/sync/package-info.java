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
 */
package io.jscluster.core.sync;
