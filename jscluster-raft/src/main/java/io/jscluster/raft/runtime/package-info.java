/**
 * The event-loop runtime: drives {@link io.jscluster.raft.RaftNode}s on the real clock with a
 * small fixed pool of threads, many group members per thread.
 *
 * <ul>
 *   <li>{@link io.jscluster.raft.runtime.EventLoopRuntime}: the pool; adds members, pinned to one
 *       loop each.
 *   <li>{@link io.jscluster.raft.runtime.RaftMember}: the thread-safe handle of one member
 *       (propose with a future or callback, leader listeners, arbitrary calls on the loop, stop).
 *   <li>{@link io.jscluster.raft.runtime.RaftApplier}: the upper layer's apply queue, on the loop
 *       thread.
 *   <li>{@link io.jscluster.raft.runtime.LocalNetwork}: a thread-safe in-JVM transport carrying
 *       the NRG bytes between members of one process.
 * </ul>
 *
 * <p>Per loop: one JCTools MPSC inbox for received messages, proposals and tasks; one indexed
 * deadline heap holding a single timer per member, armed from {@code nextDeadline()} after each
 * input (idle members cost nothing until their own deadline); proposals drained in one iteration
 * are handed to the core as one {@code proposeMulti} per log batch.
 */
package io.jscluster.raft.runtime;
