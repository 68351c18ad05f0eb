package io.jscluster.bench.cluster;

import io.jscluster.codec.meta.StorageType;
import java.util.SplittableRandom;
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
 * Follower catch-up of an R3 stream in real time ({@link RealTimeCluster}: three nodes, one
 * scheduler thread each, loopback network, default fsync policies).
 *
 * <p>Per iteration (untimed setup): a fresh stream of the given storage kind is created, one
 * follower is stopped, {@code n} messages of {@code size} payload bytes are published through the
 * leader (256 in flight). The timed operation restarts that follower and waits until it is
 * current: its replica reports {@code isCurrent}, holds the leader's last sequence and has applied
 * the leader's commit index. The score is that time; the auxiliary counters {@code msgsPerSec} and
 * {@code mbPerSec} (payload bytes, 10^6 per MB) are {@code n} and {@code n * size} divided by it.
 *
 * <p>The follower catches up by Raft log replay from the leader (the stream replicas install no
 * Raft snapshots here, so the stream snapshot and sync protocol is not exercised). A memory-kind
 * follower restarts empty and receives the whole log; a file-kind follower keeps its log and
 * receives the gap. {@code progress} selects NRG's catch-up rounds or the progress reports.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CatchupBenchmark {

  /** Payload bytes per message. */
  @Param({"128", "1024"})
  public int size;

  /** The stream's storage: {@code memory} or {@code file}. */
  @Param({"memory", "file"})
  public String store;

  /**
   * Whether stream groups send Raft catch-up progress reports ({@code true}: the leader streams
   * the log continuously) or follow NRG ({@code false}: rounds of at most 2 MiB, each ended by the
   * follower's 2 s stall detection).
   */
  @Param({"false", "true"})
  public boolean progress;

  /** Messages published while the follower is down (up to 1,000,000 via -p n=...). */
  @Param({"100000"})
  public int n;

  private RealTimeCluster cluster;
  private int round;
  private String stream;
  private String follower;
  private long lastSeq;
  private long commit;

  /** The catch-up rates of the last timed operation, carried into JMH's results. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Rate {
    /** Messages caught up per second. */
    public double msgsPerSec;
    /** Payload megabytes (10^6 bytes) caught up per second. */
    public double mbPerSec;

    /** Clears the counters for a new iteration. */
    @Setup(Level.Iteration)
    public void reset() {
      msgsPerSec = 0;
      mbPerSec = 0;
    }
  }

  /** Starts the three nodes. */
  @Setup(Level.Trial)
  public void startCluster() {
    cluster = new RealTimeCluster(progress);
  }

  /** Creates a stream, stops a follower and publishes {@code n} messages without it. */
  @Setup(Level.Iteration)
  public void publishWhileFollowerDown() {
    stream = "C" + (round++);
    String leader = cluster.createStream(stream, stream + ".msgs",
        "file".equals(store) ? StorageType.FILE : StorageType.MEMORY);
    follower = cluster.follower(leader);
    RealTimeCluster.await(() -> cluster.isCurrent(follower, stream, 0, 0), "follower replica");
    cluster.stop(follower);
    byte[] data = new byte[size];
    new SplittableRandom(size).nextBytes(data);
    Pipeline p = new Pipeline(cluster, leader, stream, stream + ".msgs", 256);
    for (int i = 0; i < n; i++) {
      p.publish(data);
    }
    long acked = p.drain();
    if (acked != n) {
      throw new IllegalStateException("acked " + acked + " of " + n);
    }
    long[] pos = cluster.leaderPosition(leader, stream);
    lastSeq = pos[0];
    commit = pos[1];
  }

  /** Restarts the follower and waits until it is current. */
  @Benchmark
  public void catchup(Rate rate) {
    long t0 = System.nanoTime();
    cluster.start(follower);
    RealTimeCluster.await(() -> cluster.isCurrent(follower, stream, lastSeq, commit), "catch-up");
    double secs = (System.nanoTime() - t0) / 1e9;
    rate.msgsPerSec = n / secs;
    rate.mbPerSec = (double) n * size / 1e6 / secs;
  }

  /** Deletes the iteration's stream so the next one starts from nothing. */
  @TearDown(Level.Iteration)
  public void dropStream() {
    cluster.deleteStream(stream);
  }

  /** Stops the nodes and removes their files. */
  @TearDown(Level.Trial)
  public void stopCluster() {
    cluster.close();
  }
}
