package io.jscluster.bench.cluster;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.core.stream.SnapshotPolicy;
import io.jscluster.core.stream.StreamReplica;
import io.jscluster.core.sync.FollowerCatchup;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * leader (4,096 in flight). The timed operation restarts that follower and waits until it is
 * current: its replica reports {@code isCurrent}, holds the leader's last sequence and has applied
 * the leader's commit index. The score is that time; the auxiliary counters {@code msgsPerSec} and
 * {@code mbPerSec} (payload bytes, 10^6 per MB) are {@code n} and {@code n * size} divided by it.
 *
 * <p>{@code path} selects how the follower catches up:
 * <ul>
 *   <li>{@code snapshot} (what a far-behind replica does in nats-server): the replicas snapshot on
 *       nats-server's thresholds while the messages are published, and after publishing the
 *       leader installs one more snapshot ({@link StreamReplica#snapshotNow()}), compacting its
 *       Raft log. The restarted follower receives that snapshot from Raft and runs the stream
 *       sync protocol: a sync request, the leader's flow-controlled catch-up from its store, the
 *       end marker. The iteration fails unless the follower's catch-up stored all {@code n}
 *       messages. Extra counters time that phase alone, from the first sync request to the end
 *       marker: {@code syncMillis}, {@code syncMsgsPerSec}, {@code syncMbPerSec}; {@code syncMsgs}
 *       is how many messages it stored.
 *   <li>{@code log}: no stream snapshots (thresholds out of reach), so the follower catches up by
 *       Raft log replay; {@code progress} selects NRG's 2 MiB rounds ({@code false}) or the Raft
 *       catch-up progress reports ({@code true}). A memory-kind follower restarts empty and
 *       receives the whole log; a file-kind follower keeps its log and receives the gap.
 * </ul>
 * For comparing code on a shared machine, {@code nodeCpuMillis} is the CPU time the three nodes'
 * scheduler threads used during the timed operation and {@code gcMillis} the collectors' time.
 *
 * <p>The total time includes the node's restart, its first contact with the leader (up to one
 * heartbeat) and, after the catch-up, learning the final commit.
 *
 * <p>The fork runs with a fixed 12 GiB heap that the JVM touches at start-up, in transparent huge
 * pages ({@code -Xms12g -Xmx12g -XX:+AlwaysPreTouch -XX:+UseTransparentHugePages}, prepended so a
 * command line's {@code -jvmArgsAppend} still applies), as a server deployment sets its heap.
 * With only {@code -Xmx}, G1 grew the heap during some timed operations and every thread paid
 * the first touch of the new regions (up to 3.4 GB grown, 144k page faults and 3.2 s of GC in one
 * 1 KiB shot), which doubled the nodes' CPU in those shots; {@code heapGrowthMb},
 * {@code minorFaultsK}, {@code gcCount} and {@code processCpuMillis} show it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@Fork(value = 1, jvmArgsPrepend = {
    "-Xms12g", "-Xmx12g", "-XX:+AlwaysPreTouch", "-XX:+UseTransparentHugePages"})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CatchupBenchmark {

  /** Payload bytes per message. */
  @Param({"128", "1024"})
  public int size;

  /** The stream's storage: {@code memory} or {@code file}. */
  @Param({"memory", "file"})
  public String store;

  /** {@code snapshot}: stream snapshot and sync protocol; {@code log}: Raft log replay. */
  @Param({"snapshot", "log"})
  public String path;

  /**
   * With {@code path=log}: whether stream groups send Raft catch-up progress reports ({@code
   * true}: the leader streams the log continuously) or follow NRG ({@code false}: rounds of at
   * most 2 MiB, each ended by the follower's 2 s stall detection). No effect on the sync protocol.
   */
  @Param({"true"})
  public boolean progress;

  /** Messages published while the follower is down (up to 1,000,000 via -p n=...). */
  @Param({"100000"})
  public int n;

  /**
   * Messages of one untimed catch-up in the trial's setup ({@link #warmUp()}); {@code 0} (the
   * default) measures the first catch-up of the JVM cold, as every figure before round 5 did. A
   * warm-up smaller than {@code n} does not take every path of the timed catch-up (with more
   * blocks than the store's index cache, the leader reads whole block images): C2 still
   * deoptimised and recompiled the catch-up methods in the timed operation after a 100,000-message
   * warm-up. For a fully warm figure use {@code -wi 1} (a whole untimed iteration) instead.
   */
  @Param({"0"})
  public int warmup;

  /** Thresholds nothing in a benchmark reaches: the Raft log is never compacted. */
  static final SnapshotPolicy NO_SNAPSHOTS =
      new SnapshotPolicy(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE / 4, 0);

  private RealTimeCluster cluster;
  private int round;
  private String stream;
  private String follower;
  private String leader;
  private long lastSeq;
  private long commit;

  /** The catch-up rates of the last timed operation, carried into JMH's results. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Rate {
    /** Messages caught up per second, restart to current. */
    public double msgsPerSec;
    /** Payload megabytes (10^6 bytes) caught up per second, restart to current. */
    public double mbPerSec;
    /** Sync protocol phase (first sync request to end marker) in milliseconds; 0 for log replay. */
    public double syncMillis;
    /** Messages per second of the sync protocol phase alone. */
    public double syncMsgsPerSec;
    /** Payload megabytes per second of the sync protocol phase alone. */
    public double syncMbPerSec;
    /** Messages the follower stored through the sync protocol. */
    public double syncMsgs;
    /**
     * Restart to the first sync request, in milliseconds (the restarted node's scheduler clock
     * starts with the restart): start-up, first contact with the leader, the Raft snapshot.
     */
    public double startToSyncMillis;
    /**
     * CPU time the nodes' scheduler threads used during the timed operation (restart to current),
     * in milliseconds: on a shared machine this compares code versions better than wall time.
     */
    public double nodeCpuMillis;
    /** Time the JVM's collectors reported during the timed operation, in milliseconds. */
    public double gcMillis;
    /** Of {@link #nodeCpuMillis}: the restarted follower's scheduler thread. */
    public double followerCpuMillis;
    /** Of {@link #nodeCpuMillis}: the stream leader's scheduler thread. */
    public double leaderCpuMillis;
    /**
     * Wall time of the follower's store flush when the end marker arrived (part of neither
     * {@link #syncMillis} nor {@link #startToSyncMillis}), in milliseconds.
     */
    public double endFlushMillis;
    /**
     * Restart to current minus restart to end marker: the end flush plus what the follower needs
     * after it to report itself current, in milliseconds.
     */
    public double afterSyncMillis;
    /** Background forces the follower's catch-up started before the end marker. */
    public double writeBacks;
    /**
     * CPU time of the whole JVM during the timed operation (nodes, I/O threads, collectors, JIT),
     * in milliseconds, from {@code /proc/self/stat} (user + system).
     */
    public double processCpuMillis;
    /**
     * Minor page faults of the whole JVM during the timed operation, in thousands: first touches of
     * heap the JVM had not used before (a growing heap) and of new page-cache pages.
     */
    public double minorFaultsK;
    /** Collections the JVM's collectors reported during the timed operation. */
    public double gcCount;
    /** Heap the JVM had committed at the end of the timed operation minus at its start, in MiB. */
    public double heapGrowthMb;
    /**
     * Bytes the JVM's read and pread calls returned during the timed operation (the leader's store
     * reads), in MB (10^6), from {@code /proc/self/io}'s {@code rchar}.
     */
    public double readMb;
    /** Bytes the JVM passed to write calls during the timed operation, in MB ({@code wchar}). */
    public double writeMb;
    /**
     * Of {@link #readMb}: bytes read from the disk rather than the page cache, in MB
     * ({@code read_bytes}); the leader's store files should be cached, so this counts pages the
     * kernel had reclaimed since the setup wrote them.
     */
    public double diskReadMb;
    /** Time the JIT compilers reported during the timed operation, in milliseconds. */
    public double jitMillis;

    /** Clears the counters for a new iteration. */
    @Setup(Level.Iteration)
    public void reset() {
      msgsPerSec = 0;
      mbPerSec = 0;
      syncMillis = 0;
      syncMsgsPerSec = 0;
      syncMbPerSec = 0;
      syncMsgs = 0;
      startToSyncMillis = 0;
      nodeCpuMillis = 0;
      gcMillis = 0;
      followerCpuMillis = 0;
      leaderCpuMillis = 0;
      endFlushMillis = 0;
      afterSyncMillis = 0;
      writeBacks = 0;
      processCpuMillis = 0;
      minorFaultsK = 0;
      gcCount = 0;
      heapGrowthMb = 0;
      readMb = 0;
      writeMb = 0;
      diskReadMb = 0;
      jitMillis = 0;
    }
  }

  private boolean snapshotPath() {
    if (!"snapshot".equals(path) && !"log".equals(path)) {
      throw new IllegalArgumentException("path must be snapshot or log: " + path);
    }
    return "snapshot".equals(path);
  }

  /** Starts the three nodes (and runs the warm-up catch-up, if any). */
  @Setup(Level.Trial)
  public void startCluster() {
    cluster = new RealTimeCluster(progress, snapshotPath() ? SnapshotPolicy.DEFAULT : NO_SNAPSHOTS);
    warmUp();
  }

  /**
   * With {@code warmup > 0}: one untimed catch-up of {@code warmup} messages (same size, storage
   * and path) before the first iteration, so that the JIT has compiled the catch-up code (the
   * leader's store reads and encoding, the follower's decoding and store writes) before the timed
   * operation. A cold first iteration spends a large share of both cores in the C2 compiler.
   */
  private void warmUp() {
    if (warmup <= 0) {
      return;
    }
    prepare(warmup);
    cluster.start(follower);
    RealTimeCluster.await(() -> cluster.isCurrent(follower, stream, lastSeq, commit), "warm-up catch-up");
    cluster.deleteStream(stream);
  }

  /** Creates a stream, stops a follower and publishes {@code n} messages without it. */
  @Setup(Level.Iteration)
  public void publishWhileFollowerDown() {
    prepare(n);
  }

  /** Creates a stream, stops a follower and publishes {@code count} messages without it. */
  private void prepare(int count) {
    stream = "C" + (round++);
    leader = cluster.createStream(stream, stream + ".msgs",
        "file".equals(store) ? StorageType.FILE : StorageType.MEMORY);
    follower = cluster.follower(leader);
    RealTimeCluster.await(() -> cluster.isCurrent(follower, stream, 0, 0), "follower replica");
    cluster.stop(follower);
    byte[] data = new byte[size];
    new SplittableRandom(size).nextBytes(data);
    Pipeline p = new Pipeline(cluster, leader, stream, stream + ".msgs", 4096);
    for (int i = 0; i < count; i++) {
      p.publish(data);
    }
    long acked = p.drain();
    if (acked != count) {
      throw new IllegalStateException("acked " + acked + " of " + count);
    }
    if (snapshotPath()) {
      // Every running replica compacts its log once it applied everything the leader acknowledged,
      // so whichever leads when the follower returns must send it the snapshot.
      for (String node : cluster.names()) {
        RealTimeCluster.await(() -> cluster.call(node, x -> {
          StreamReplica r = x.replica(stream);
          return r.host().node().appliedIndex() >= r.host().node().commitIndex()
              && r.store().state().lastSeq() == count;
        }), "applies on " + node);
        // A replica refuses while a background force of its last applies is still running (a busy
        // machine): ask again until it installs one, or until its log is already compacted up to
        // what it applied (a threshold snapshot after the last apply: Raft has nothing to compact).
        RealTimeCluster.await(() -> cluster.call(node, x -> {
          StreamReplica r = x.replica(stream);
          return r.snapshotNow() || r.host().node().snapshotIndex() >= r.host().node().appliedIndex();
        }), "a snapshot on " + node);
        long snapIndex = cluster.call(node, x -> x.replica(stream).host().node().snapshotIndex());
        if (snapIndex == 0) {
          throw new IllegalStateException(node + " installed no snapshot");
        }
      }
      leader = cluster.awaitStreamLeader(stream);
    }
    // The stopped follower may have been the meta leader: let the running nodes elect another
    // before the timed restart, as a real cluster would have long since. Otherwise a short setup
    // (small n) left the restarted node waiting for a meta election (3-4.5 s) before it learned
    // its stream assignment, and restart -> sync request varied from 30 ms to 4.5 s by iteration.
    cluster.awaitMetaLeader();
    long[] pos = cluster.leaderPosition(leader, stream);
    lastSeq = pos[0];
    commit = pos[1];
    awaitJitQuiet();
  }

  /**
   * Waits (at most 20 s) until the JIT compilers have gone quiet: less than 5 ms of compilation in
   * half a second. Publishing {@code n} messages queues compilations that C2, sharing two cores
   * with everything else, can still be working off when the timed operation starts (up to 40 % of
   * a 1M shot's samples were C2's, even after a warm-up catch-up); the timed operation should not
   * pay for the setup's compilations.
   */
  private static void awaitJitQuiet() {
    java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
      return;
    }
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    long before = jit.getTotalCompilationTime();
    while (System.nanoTime() < end) {
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
      long now = jit.getTotalCompilationTime();
      if (now - before < 5) {
        return;
      }
      before = now;
    }
  }

  /** Restarts the follower and waits until it is current. */
  @Benchmark
  public void catchup(Rate rate) {
    java.util.Map<String, Long> cpu0 = nodeThreadCpuNanos();
    long gc0 = gcMillis();
    long gcn0 = gcCount();
    long[] proc0 = procStat();
    long[] io0 = procIo();
    long jit0 = jitMillis();
    long heap0 = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    long t0 = System.nanoTime();
    cluster.start(follower);
    RealTimeCluster.await(() -> cluster.isCurrent(follower, stream, lastSeq, commit), "catch-up");
    double secs = (System.nanoTime() - t0) / 1e9;
    long[] proc1 = procStat();
    long[] io1 = procIo();
    rate.readMb = (io1[0] - io0[0]) / 1e6;
    rate.writeMb = (io1[1] - io0[1]) / 1e6;
    rate.diskReadMb = (io1[2] - io0[2]) / 1e6;
    rate.jitMillis = jitMillis() - jit0;
    rate.processCpuMillis = (proc1[1] - proc0[1]) * 1000.0 / CLOCK_TICKS;
    rate.minorFaultsK = (proc1[0] - proc0[0]) / 1e3;
    rate.gcCount = gcCount() - gcn0;
    rate.heapGrowthMb =
        (ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() - heap0) / 1048576.0;
    java.util.Map<String, Long> cpu1 = nodeThreadCpuNanos();
    long total = 0;
    for (java.util.Map.Entry<String, Long> e : cpu1.entrySet()) {
      long d = e.getValue() - (e.getKey().equals("node-" + follower) ? 0 : cpu0.getOrDefault(e.getKey(), 0L));
      total += d;
      if (e.getKey().equals("node-" + follower)) {
        rate.followerCpuMillis = d / 1e6;
      } else if (e.getKey().equals("node-" + leader)) {
        rate.leaderCpuMillis = d / 1e6;
      }
    }
    rate.nodeCpuMillis = total / 1e6;
    rate.gcMillis = gcMillis() - gc0;
    rate.msgsPerSec = n / secs;
    rate.mbPerSec = (double) n * size / 1e6 / secs;
    FollowerCatchup fc = cluster.call(follower, x -> x.replica(stream).lastSnapshotCatchup());
    long stored = fc == null ? 0 : cluster.call(follower, x -> fc.messagesStored());
    rate.syncMsgs = stored;
    if (snapshotPath()) {
      if (fc == null || stored < n) {
        throw new IllegalStateException("the follower did not catch up through the sync protocol: "
            + (fc == null ? "no snapshot catch-up" : stored + " of " + n + " messages"));
      }
      long[] t = cluster.call(follower, x -> new long[] {fc.firstRequestNanos(), fc.finishedNanos()});
      double syncSecs = Math.max(1e-3, (t[1] - t[0]) / 1e9);
      rate.syncMillis = syncSecs * 1e3;
      rate.startToSyncMillis = t[0] / 1e6;
      rate.syncMsgsPerSec = stored / syncSecs;
      rate.syncMbPerSec = (double) stored * size / 1e6 / syncSecs;
      rate.endFlushMillis = cluster.call(follower, x -> fc.endFlushNanos()) / 1e6;
      rate.afterSyncMillis = Math.max(0, secs * 1e3 - t[1] / 1e6);
      rate.writeBacks = cluster.call(follower, x -> fc.writeBacks());
    }
  }

  /**
   * CPU time of the live node scheduler threads ({@code node-<name>}) by thread name; the restarted
   * follower's thread is new, so its time counts from 0.
   */
  private static java.util.Map<String, Long> nodeThreadCpuNanos() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    java.util.Map<String, Long> out = new java.util.HashMap<>();
    for (ThreadInfo ti : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (ti != null && ti.getThreadName().startsWith("node-")) {
        long c = mx.getThreadCpuTime(ti.getThreadId());
        if (c > 0) {
          out.merge(ti.getThreadName(), c, Long::sum);
        }
      }
    }
    return out;
  }

  /** Clock ticks per second of {@code /proc/self/stat}'s times (Linux: USER_HZ, always 100). */
  private static final int CLOCK_TICKS = 100;

  /**
   * This process's minor faults and CPU ticks (user + system) from {@code /proc/self/stat}; zeros
   * where that file does not exist.
   */
  private static long[] procStat() {
    try {
      String st = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
      // Fields after the command name (which may hold spaces), from field 3 on.
      String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
      return new long[] {Long.parseLong(f[7]), Long.parseLong(f[11]) + Long.parseLong(f[12])};
    } catch (java.io.IOException | RuntimeException e) {
      return new long[2];
    }
  }

  /**
   * This process's {@code rchar}, {@code wchar} and {@code read_bytes} from {@code /proc/self/io};
   * zeros without it.
   */
  private static long[] procIo() {
    long[] out = new long[3];
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/io"))) {
        if (line.startsWith("rchar: ")) {
          out[0] = Long.parseLong(line.substring(7).trim());
        } else if (line.startsWith("wchar: ")) {
          out[1] = Long.parseLong(line.substring(7).trim());
        } else if (line.startsWith("read_bytes: ")) {
          out[2] = Long.parseLong(line.substring(12).trim());
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      return new long[3];
    }
    return out;
  }

  private static long jitMillis() {
    java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
  }

  private static long gcCount() {
    long sum = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      sum += Math.max(0, gc.getCollectionCount());
    }
    return sum;
  }

  private static long gcMillis() {
    long sum = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      sum += Math.max(0, gc.getCollectionTime());
    }
    return sum;
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
