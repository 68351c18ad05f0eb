package io.jscluster.bench.cluster;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.core.ClusterConfig;
import io.jscluster.core.ClusterNode;
import io.jscluster.core.FileNodeStorage;
import io.jscluster.core.PubAck;
import io.jscluster.core.RealTimeScheduler;
import io.jscluster.core.StreamConfigs;
import io.jscluster.core.stream.SnapshotPolicy;
import io.jscluster.core.stream.StreamReplica;
import io.jscluster.raft.RaftTiming;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Three {@link ClusterNode}s in one JVM in real time: one {@link RealTimeScheduler} thread per
 * node, a {@link LoopbackNetwork}, and {@link FileNodeStorage} with its default policies (Raft WAL
 * forced on sync, stream store forced on every write) in a temporary directory. Whether a stream
 * is kept in files or on the heap is the stream's own storage type, as in nats-server. Nodes can be
 * stopped and restarted from their storage; a started node's peers hear of it through {@link
 * ClusterNode#peerConnected} ({@link LoopbackNetwork#up}).
 */
final class RealTimeCluster implements AutoCloseable {

  /**
   * NRG timers with shorter elections (3–4.5 s instead of 4–9 s) so a benchmark trial does not
   * wait long for leaders. Not below 3 s: a leader skips its next heartbeat after other traffic
   * (an append entry, or the heartbeat {@code peerConnected} sends to a restarted peer), so its
   * followers can go up to two heartbeat intervals (2 s) without hearing it; with 1.5–3 s a
   * follower regularly started an election during a catch-up, which stopped the leader's run and
   * left the restarted follower waiting 30 s for its activity interval.
   */
  static final RaftTiming TIMING = new RaftTiming(3_000, 4_500, 100, 400, 50, 10,
      1_000, 10_000, 48L * 3600_000, 1_000, 4_000, 2_000, 2_000, 2_000, 3_000);

  static final List<String> NAMES = List.of("n1", "n2", "n3");
  static final long WAIT_MILLIS = 120_000;

  private final Path dir;
  private final LoopbackNetwork network = new LoopbackNetwork();
  private final Map<String, Running> running = new LinkedHashMap<>();
  private long seed = 1;

  private record Running(ClusterNode node, RealTimeScheduler scheduler) {}

  private final boolean raftCatchupProgress;
  private final SnapshotPolicy snapshotPolicy;
  private final int storeWriteBehind;

  /** Three nodes with NRG's Raft catch-up (no progress reports). */
  RealTimeCluster() {
    this(false);
  }

  /**
   * Three nodes; {@code raftCatchupProgress} switches on the Raft catch-up progress reports of
   * stream groups ({@link ClusterConfig#raftCatchupProgress()}).
   */
  RealTimeCluster(boolean raftCatchupProgress) {
    this(raftCatchupProgress, SnapshotPolicy.DEFAULT);
  }

  /**
   * Three nodes whose stream replicas snapshot into Raft on {@code snapshotPolicy}; {@code
   * raftCatchupProgress} as {@link #RealTimeCluster(boolean)}.
   */
  RealTimeCluster(boolean raftCatchupProgress, SnapshotPolicy snapshotPolicy) {
    this(raftCatchupProgress, snapshotPolicy, 0);
  }

  /**
   * As {@link #RealTimeCluster(boolean, SnapshotPolicy)}, with the file stream stores writing through
   * {@code storeWriteBehind} write-behind buffers ({@link FileNodeStorage#withStoreWriteBehind(int)};
   * 0: off, the default).
   */
  RealTimeCluster(boolean raftCatchupProgress, SnapshotPolicy snapshotPolicy, int storeWriteBehind) {
    this.raftCatchupProgress = raftCatchupProgress;
    this.storeWriteBehind = storeWriteBehind;
    this.snapshotPolicy = snapshotPolicy;
    try {
      dir = Files.createTempDirectory("jscluster-cluster-bench");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String n : NAMES) {
      start(n);
    }
  }

  /** Starts {@code name} from its storage. */
  void start(String name) {
    RealTimeScheduler s = new RealTimeScheduler("node-" + name);
    FileNodeStorage storage = new FileNodeStorage(dir.resolve(name)).withBackgroundWalSync()
        .withStoreWriteBehind(storeWriteBehind);
    ClusterConfig cc = ClusterConfig.of(name, NAMES, storage).withTiming(TIMING)
        .withRaftCatchupProgress(raftCatchupProgress);
    ClusterNode node = new ClusterNode(cc, network.connect(name, s), s, seed++);
    node.snapshotPolicy(snapshotPolicy);
    running.put(name, new Running(node, s));
    call(name, n -> {
      n.start();
      return null;
    });
    // The node's connections are up: the others hear of it (and it of them) as NATS routes would
    // report a (re)connected peer.
    network.up(name, node::peerConnected);
  }

  /** Stops {@code name} cleanly (a process exit) and disconnects it. */
  void stop(String name) {
    Running r = running.remove(name);
    network.disconnect(name);
    onLoop(r, n -> {
      n.stop();
      return null;
    });
    r.scheduler().close();
  }

  /** Runs {@code f} on {@code name}'s scheduler thread and returns its result. */
  <T> T call(String name, Function<ClusterNode, T> f) {
    return onLoop(running.get(name), f);
  }

  private static <T> T onLoop(Running r, Function<ClusterNode, T> f) {
    CompletableFuture<T> out = new CompletableFuture<>();
    r.scheduler().execute(() -> {
      try {
        out.complete(f.apply(r.node()));
      } catch (RuntimeException e) {
        out.completeExceptionally(e);
      }
    });
    return join(out);
  }

  static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Polls (1 ms apart) until {@code cond} holds, or fails after {@link #WAIT_MILLIS}. */
  static void await(java.util.function.BooleanSupplier cond, String what) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }
  }

  /** The running node names. */
  List<String> names() {
    return List.copyOf(running.keySet());
  }

  /** Waits for a meta leader and returns its name. */
  String awaitMetaLeader() {
    String[] leader = new String[1];
    await(() -> {
      for (String n : names()) {
        if (call(n, ClusterNode::isMetaLeader)) {
          leader[0] = n;
          return true;
        }
      }
      return false;
    }, "a meta leader");
    return leader[0];
  }

  /** Creates an R3 stream on subject {@code subject} and returns its leader's name. */
  String createStream(String stream, String subject, StorageType storage) {
    String meta = awaitMetaLeader();
    CompletableFuture<?> f = call(meta, n -> n.createStream(
        StreamConfigs.builder(stream).subjects(subject).replicas(3).storage(storage).build()));
    join(f);
    return awaitStreamLeader(stream);
  }

  /** Deletes {@code stream} through the meta leader. */
  void deleteStream(String stream) {
    String meta = awaitMetaLeader();
    join(call(meta, n -> n.deleteStream(stream)));
  }

  /** Waits for a leader of {@code stream} among the running nodes and returns its name. */
  String awaitStreamLeader(String stream) {
    String[] leader = new String[1];
    await(() -> {
      for (String n : names()) {
        if (call(n, x -> x.isStreamLeader(stream))) {
          leader[0] = n;
          return true;
        }
      }
      return false;
    }, "a leader of " + stream);
    return leader[0];
  }

  /** A running node other than {@code leader}. */
  String follower(String leader) {
    return names().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
  }

  /**
   * Whether {@code node}'s replica of {@code stream} is current: it exists, reports
   * {@code isCurrent}, holds {@code lastSeq} and has applied up to {@code commit}.
   */
  boolean isCurrent(String node, String stream, long lastSeq, long commit) {
    return call(node, n -> {
      StreamReplica r = n.replica(stream);
      return r != null && n.isStreamCurrent(stream) && r.store().state().lastSeq() == lastSeq
          && r.host().node().appliedIndex() >= commit;
    });
  }

  /** The leader's last sequence and commit index of {@code stream}. */
  long[] leaderPosition(String leader, String stream) {
    return call(leader, n -> new long[] {n.replica(stream).store().state().lastSeq(),
        n.replica(stream).host().node().commitIndex()});
  }

  /**
   * Publishes from the calling thread to {@code leader} on its scheduler thread; {@code done}
   * runs on that thread with the ack or the failure.
   */
  void publishAsync(String leader, String stream, String subject, byte[] data,
      java.util.function.BiConsumer<PubAck, Throwable> done) {
    Running r = running.get(leader);
    r.scheduler().execute(() -> r.node().publish(stream, subject, null, data).whenComplete(done));
  }

  /** Runs {@code action} on {@code node}'s scheduler thread, without waiting for it. */
  void execute(String node, java.util.function.Consumer<ClusterNode> action) {
    Running r = running.get(node);
    r.scheduler().execute(() -> action.accept(r.node()));
  }

  @Override
  public void close() {
    for (String n : names()) {
      stop(n);
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
