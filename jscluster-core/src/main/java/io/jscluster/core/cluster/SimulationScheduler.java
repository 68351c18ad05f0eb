package io.jscluster.core.cluster;

import io.jscluster.core.Scheduler;
import io.jscluster.raft.sim.SimDisk;
import io.jscluster.raft.sim.Simulation;
import java.util.function.Consumer;

/**
 * A {@link Scheduler} in the virtual time of a {@link Simulation}: one per node incarnation. After
 * {@link #halt()} nothing scheduled through it runs any more, which is how a killed node's timers
 * and queued deliveries vanish. Wall time is a fixed epoch plus virtual time, strictly increasing.
 */
public final class SimulationScheduler implements Scheduler {

  private final Simulation sim;
  private final long epochNanos;
  private long lastWall;
  private boolean halted;
  private long extraInboundDelay;
  private Consumer<SimDisk.PowerLoss> powerLossHandler;

  /** A scheduler on {@code sim} whose wall clock starts at {@code epochNanos}. */
  public SimulationScheduler(Simulation sim, long epochNanos) {
    this.sim = sim;
    this.epochNanos = epochNanos;
  }

  @Override
  public long nowMillis() {
    return sim.now();
  }

  @Override
  public long wallNanos() {
    long w = epochNanos + sim.now() * 1_000_000L;
    lastWall = Math.max(lastWall + 1, w);
    return lastWall;
  }

  @Override
  public Timer schedule(long atMillis, Runnable task) {
    boolean[] cancelled = new boolean[1];
    sim.schedule(atMillis, () -> {
      if (!halted && !cancelled[0]) {
        try {
          task.run();
        } catch (SimDisk.PowerLoss e) {
          if (powerLossHandler == null) {
            throw e;
          }
          // The node's disk lost power in the middle of this task: nothing after it may run.
          halted = true;
          powerLossHandler.accept(e);
        }
      }
    });
    return () -> cancelled[0] = true;
  }

  @Override
  public void execute(Runnable task) {
    schedule(sim.now(), task);
  }

  /** Runs {@code task} after the node's extra inbound delay (a slow node), on the logical thread. */
  void deliver(Runnable task) {
    schedule(sim.now() + extraInboundDelay, task);
  }

  /** Makes every inbound message wait {@code millis} more before this node sees it. */
  void slow(long millis) {
    extraInboundDelay = Math.max(0, millis);
  }

  /**
   * Where a {@link SimDisk.PowerLoss} thrown out of one of this node's tasks goes (the in-process
   * cluster cuts the power of the node, or of every node, and restarts them); without a handler it
   * propagates to the simulation.
   */
  void onPowerLoss(Consumer<SimDisk.PowerLoss> handler) {
    powerLossHandler = handler;
  }

  /** Drops everything still scheduled and refuses new work. */
  void halt() {
    halted = true;
  }

  /** Whether {@link #halt()} was called. */
  public boolean halted() {
    return halted;
  }
}
