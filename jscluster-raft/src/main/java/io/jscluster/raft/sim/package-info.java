/**
 * The simulation runtime: one thread, virtual time ({@link io.jscluster.raft.sim.Simulation}), one
 * seeded random generator, a simulated network with loss, delay, duplication, reordering,
 * partitions and one-way cuts ({@link io.jscluster.raft.sim.SimNetwork}), servers that crash and
 * restart from their durable storage ({@link io.jscluster.raft.sim.SimNode}), per-server simulated
 * disks on which the production file storage runs and which crash, tear writes, lose power
 * mid-write, fail and flip bits ({@link io.jscluster.raft.sim.SimDisk}), a whole group
 * ({@link io.jscluster.raft.sim.SimCluster}) and the safety invariants checked over a run ({@link
 * io.jscluster.raft.sim.InvariantChecker}). Same seed, same inputs: same run, event for event.
 */
package io.jscluster.raft.sim;
