package io.jscluster.bench.raft;

import java.lang.management.ManagementFactory;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * 3-node in-process commit throughput, batched: one invocation proposes a window of {@value
 * #WINDOW} proposals of {@code size} bytes through the leader and waits until the leader saw all
 * of them committed. The score is committed proposals per second; the aux counters {@code
 * proposals} (per second) and {@code payloadMB} (MB of proposal payload per second, 10^6 bytes)
 * land in the JSON as secondary metrics.
 *
 * <ul>
 *   <li>{@code eventloop}: jscluster's event-loop runtime, loop threads + MPSC inboxes, every
 *       message encoded to NRG bytes and decoded by the receiver, memory logs;
 *   <li>{@code sim}: the same core on one thread in virtual time (the simulation runtime's shape,
 *       no I/O, no thread hand-off): the core's own cost;
 *   <li>{@code microraft}: MicroRaft 0.7 on an in-memory transport passing objects by reference.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class RaftCommitBenchmark {

  private static final com.sun.management.OperatingSystemMXBean CPU =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  /** Proposals per invocation. */
  public static final int WINDOW = 4096;

  /** The runtime measured: {@code eventloop}, {@code sim} or {@code microraft}. */
  @Param({"eventloop", "sim", "microraft"})
  public String runtime;

  /** Payload bytes per proposal. */
  @Param({"128", "1024"})
  public int size;

  /**
   * Loop threads of the event-loop runtime (3 = one per member, the thread count MicroRaft's
   * default executor uses).
   */
  @Param({"3"})
  public int loops;

  /** Inbox polls of an idle loop before it parks. */
  @Param({"0"})
  public int idleSpins;

  private CommitHarness harness;
  private byte[] payload;

  /** Per-second secondary metrics. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Counters {
    /** Committed proposals. */
    public long proposals;
    /** Committed payload in MB (10^6 bytes). */
    public double payloadMB;
    /**
     * Process CPU seconds used (all threads of the benchmark JVM: loops, node threads, GC, JIT);
     * per second of wall time this is the number of cores kept busy, so {@code proposals /
     * cpuSeconds} is committed proposals per CPU-second, a figure that other load on the machine
     * disturbs far less than the wall-clock score.
     */
    public double cpuSeconds;
    private long lastCpu = -1;

    /** Clears the counters before each iteration. */
    @Setup(Level.Iteration)
    public void reset() {
      proposals = 0;
      payloadMB = 0;
      cpuSeconds = 0;
      lastCpu = CPU.getProcessCpuTime();
    }

    void addCpu() {
      long c = CPU.getProcessCpuTime();
      if (lastCpu >= 0) {
        cpuSeconds += (c - lastCpu) / 1e9;
      }
      lastCpu = c;
    }
  }

  /** Builds the group and elects a leader. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    payload = new byte[size];
    new Random(42).nextBytes(payload);
    harness = switch (runtime) {
      case "eventloop" -> new EventLoopHarness(loops, idleSpins);
      case "sim" -> new SimulationHarness();
      case "microraft" -> new MicroRaftHarness(WINDOW);
      default -> throw new IllegalArgumentException(runtime);
    };
  }

  /** Stops the group. */
  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    harness.close();
  }

  /** Proposes one window and waits for it to commit. */
  @Benchmark
  @OperationsPerInvocation(WINDOW)
  public void commit(Counters counters) throws Exception {
    harness.commitWindow(payload, WINDOW);
    counters.proposals += WINDOW;
    counters.payloadMB += WINDOW * (double) size / 1e6;
    counters.addCpu();
  }
}
