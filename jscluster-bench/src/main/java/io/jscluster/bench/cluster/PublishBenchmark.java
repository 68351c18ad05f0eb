package io.jscluster.bench.cluster;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.core.PubAck;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * R3 publish throughput in real time ({@link RealTimeCluster}: three nodes, one scheduler thread
 * each, loopback network). File streams run with the default policies, so every ack follows the
 * fsync of the leader's Raft WAL and store. One operation is one publish.
 *
 * <ul>
 *   <li>{@code oneAtATime}: publish, wait for the PubAck, repeat.</li>
 *   <li>{@code pipelined}: up to {@code window} publishes in flight; the iteration ends after every
 *       outstanding publish is acked (a failed ack fails the run).</li>
 * </ul>
 * The auxiliary counter {@code mbPerSec} is payload megabytes (10^6 bytes) per second. For
 * comparing code on a shared machine, {@code cpuUsPerMsg} is the CPU time of the whole JVM (three
 * nodes, their I/O threads, the collector and the benchmark thread) from the start of an iteration
 * to the end of its drain, divided by the messages published in it, in microseconds. It is a JMH
 * {@code EVENTS} counter, which JMH sums over iterations in the summary line: read the
 * per-iteration lines, or divide the summary by the iteration count.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PublishBenchmark {

  /** Payload bytes per message. */
  @Param({"128", "1024"})
  public int size;

  /** The stream's storage: {@code memory} or {@code file}. */
  @Param({"memory", "file"})
  public String store;

  /** Publishes in flight for {@code pipelined}. */
  @Param({"256"})
  public int window;

  /**
   * Write-behind buffers of the file stream stores ({@link
   * io.jscluster.core.FileNodeStorage#withStoreWriteBehind(int)}); 0, the default, writes on the node's
   * thread.
   */
  @Param({"0"})
  public int storeWriteBehind;

  private RealTimeCluster cluster;
  private String leader;
  private byte[] data;
  private Pipeline pipeline;

  /** Payload megabytes published, as a rate. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Bytes {
    /** Payload megabytes (10^6 bytes); JMH reports it per second. */
    public double mbPerSec;

    /** Clears the counter for a new iteration. */
    @Setup(Level.Iteration)
    public void reset() {
      mbPerSec = 0;
    }
  }

  /** CPU time per published message over an iteration (see the class comment). */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Cpu {
    /** Process CPU microseconds per message published in the iteration (drain included). */
    public double cpuUsPerMsg;
    private long cpuAtStart;
    private long msgs;

    /** Notes the process CPU time at the start of the iteration. */
    @Setup(Level.Iteration)
    public void start() {
      cpuUsPerMsg = 0;
      msgs = 0;
      cpuAtStart = processCpuNanos();
    }

    /**
     * Drains the pipeline (JMH tears this state down before the benchmark's own state, so the
     * drain is done here to be counted), then computes the counter.
     */
    @TearDown(Level.Iteration)
    public void stop(PublishBenchmark bench) {
      bench.drain();
      cpuUsPerMsg = msgs == 0 ? 0 : (processCpuNanos() - cpuAtStart) / 1e3 / msgs;
    }
  }

  private static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean s ? s.getProcessCpuTime() : 0;
  }

  /** Starts the cluster and creates stream {@code P}. */
  @Setup(Level.Trial)
  public void startCluster() {
    cluster = new RealTimeCluster(false, io.jscluster.core.stream.SnapshotPolicy.DEFAULT, storeWriteBehind);
    leader = cluster.createStream("P", "p", "file".equals(store) ? StorageType.FILE : StorageType.MEMORY);
    data = new byte[size];
    new SplittableRandom(size).nextBytes(data);
    pipeline = new Pipeline(cluster, leader, "P", "p", window);
  }

  /** One publish, waiting for its ack. */
  @Benchmark
  public PubAck oneAtATime(Bytes b, Cpu c) {
    CompletableFuture<PubAck> f = new CompletableFuture<>();
    cluster.publishAsync(leader, "P", "p", data, (ack, t) -> {
      if (t != null) {
        f.completeExceptionally(t);
      } else {
        f.complete(ack);
      }
    });
    PubAck ack = RealTimeCluster.join(f);
    if (ack.error() != null) {
      throw new IllegalStateException("publish failed: " + ack.error());
    }
    b.mbPerSec += size / 1e6;
    c.msgs++;
    return ack;
  }

  /** One publish into the window. */
  @Benchmark
  public void pipelined(Bytes b, Cpu c) {
    pipeline.publish(data);
    b.mbPerSec += size / 1e6;
    c.msgs++;
  }

  /** Waits for every outstanding pipelined publish; fails if one failed. */
  @TearDown(Level.Iteration)
  public void drain() {
    pipeline.drain();
  }

  /** Stops the nodes and removes their files. */
  @TearDown(Level.Trial)
  public void stopCluster() {
    cluster.close();
  }
}
