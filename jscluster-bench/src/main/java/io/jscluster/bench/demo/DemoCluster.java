package io.jscluster.bench.demo;

import io.jscluster.bench.cluster.LoopbackNetwork;
import io.jscluster.codec.meta.StorageType;
import io.jscluster.core.ClusterConfig;
import io.jscluster.core.ClusterNode;
import io.jscluster.core.FileNodeStorage;
import io.jscluster.core.MemoryNodeStorage;
import io.jscluster.core.NodeStorage;
import io.jscluster.core.RealTimeScheduler;
import io.jscluster.core.StreamConfigs;
import io.jscluster.core.stream.StreamReplica;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The demo's cluster: N {@link ClusterNode}s in this JVM, each on its own {@link RealTimeScheduler}
 * thread with the embedded defaults ({@link ClusterConfig#of}: NRG timers, default catch-up budget),
 * connected by a {@link LoopbackNetwork}. Storage is {@link MemoryNodeStorage} (heap, kept across a
 * restart like a disk would be) or {@link FileNodeStorage} under a temporary folder that
 * {@link #close()} deletes. Driven from one controlling thread; every node is touched only through
 * {@link #call}, on its own scheduler thread.
 */
final class DemoCluster implements AutoCloseable {

  /** How long any single wait may take before the demo gives up. */
  static final long WAIT_MILLIS = 120_000;

  private record Running(ClusterNode node, RealTimeScheduler scheduler) {}

  private final List<String> names;
  private final Path dir;
  private final Map<String, NodeStorage> storages = new LinkedHashMap<>();
  private final Map<String, Running> running = new LinkedHashMap<>();
  private final LoopbackNetwork network = new LoopbackNetwork();
  private long seed = 1;

  /** Prepares (does not start) {@code nodes} nodes named n1..nN; {@code files}: file storage. */
  DemoCluster(int nodes, boolean files) {
    List<String> n = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      n.add("n" + i);
    }
    names = List.copyOf(n);
    if (files) {
      try {
        dir = Files.createTempDirectory("jscluster-demo");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    } else {
      dir = null;
    }
    for (String name : names) {
      storages.put(name, dir == null ? new MemoryNodeStorage() : new FileNodeStorage(dir.resolve(name)));
    }
  }

  /** Every node name, running or not. */
  List<String> names() {
    return names;
  }

  /** The temporary folder of file storage, or null. */
  Path directory() {
    return dir;
  }

  /** Starts node {@code name} (a new incarnation) from its storage. */
  void start(String name) {
    RealTimeScheduler s = new RealTimeScheduler("jscluster-" + name);
    ClusterConfig cc = ClusterConfig.of(name, names, storages.get(name));
    ClusterNode node = new ClusterNode(cc, network.connect(name, s), s, seed++);
    Running r = new Running(node, s);
    running.put(name, r);
    onLoop(r, x -> {
      x.start();
      return null;
    });
  }

  /** Stops node {@code name} cleanly, as a process exit: what it wrote survives for a restart. */
  void stop(String name) {
    Running r = running.remove(name);
    if (r == null) {
      return;
    }
    network.disconnect(name);
    NodeStorage st = storages.get(name);
    onLoop(r, x -> {
      x.stop();
      if (st instanceof MemoryNodeStorage m) {
        // Reopens the heap logs for the next incarnation; a clean stop keeps every write.
        m.crash(Integer.MAX_VALUE);
      }
      return null;
    });
    r.scheduler().close();
  }

  /** Runs {@code f} on running node {@code name}'s scheduler thread and returns its result. */
  <T> T call(String name, Function<ClusterNode, T> f) {
    Running r = running.get(name);
    if (r == null) {
      throw new IllegalStateException("node " + name + " is not running");
    }
    return onLoop(r, f);
  }

  /** Hands {@code task} to running node {@code name}'s scheduler thread without waiting. */
  void submit(String name, java.util.function.Consumer<ClusterNode> task) {
    Running r = running.get(name);
    r.scheduler().execute(() -> task.accept(r.node()));
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
    return join(out, "a call on a node");
  }

  /** Waits for {@code f} (at most {@link #WAIT_MILLIS}). */
  static <T> T join(CompletableFuture<T> f, String what) {
    try {
      return f.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + what, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("timed out waiting for " + what, e);
    }
  }

  /** Polls every 5 ms until {@code cond} holds; fails after {@link #WAIT_MILLIS}. */
  static void await(BooleanSupplier cond, String what) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      LockSupport.parkNanos(5_000_000);
    }
  }

  /** The running node names. */
  List<String> runningNames() {
    return List.copyOf(running.keySet());
  }

  /** Waits for a meta leader that every running node names, and returns its server name. */
  String awaitMetaLeader() {
    String[] leader = new String[1];
    await(() -> {
      String l = null;
      String id = null;
      for (String n : runningNames()) {
        if (call(n, ClusterNode::isMetaLeader)) {
          l = n;
          id = call(n, ClusterNode::id);
        }
      }
      if (l == null) {
        return false;
      }
      for (String n : runningNames()) {
        if (!id.equals(call(n, ClusterNode::metaLeaderId))) {
          return false;
        }
      }
      leader[0] = l;
      return true;
    }, "a meta leader");
    return leader[0];
  }

  /** Creates stream {@code stream} on {@code subject} with {@code replicas} replicas; returns its leader. */
  String createStream(String stream, String subject, int replicas, StorageType storage) {
    String meta = awaitMetaLeader();
    join(call(meta, n -> n.createStream(StreamConfigs.builder(stream).subjects(subject)
        .replicas(replicas).storage(storage).build())), "creating " + stream);
    return awaitStreamLeader(stream);
  }

  /** Waits for a running leader of {@code stream} and returns its name. */
  String awaitStreamLeader(String stream) {
    String[] leader = new String[1];
    await(() -> {
      for (String n : runningNames()) {
        if (call(n, x -> x.isStreamLeader(stream))) {
          leader[0] = n;
          return true;
        }
      }
      return false;
    }, "a leader of " + stream);
    return leader[0];
  }

  /** The server names holding a replica of {@code stream}, as the stream's assignment places it. */
  List<String> replicaNames(String leader, String stream) {
    List<String> ids = call(leader, n -> n.assignments().get(stream).group().peers());
    List<String> out = new ArrayList<>();
    for (String name : names) {
      if (ids.contains(io.jscluster.raft.wire.NodeIds.fromServerName(name))) {
        out.add(name);
      }
    }
    return out;
  }

  /**
   * Whether {@code node}'s replica of {@code stream} is current: it exists, reports current,
   * holds {@code lastSeq} and has applied through {@code commit}.
   */
  boolean isCurrent(String node, String stream, long lastSeq, long commit) {
    return call(node, n -> {
      StreamReplica r = n.replica(stream);
      return r != null && n.isStreamCurrent(stream) && r.store().state().lastSeq() == lastSeq
          && (r.host() == null || r.host().node().appliedIndex() >= commit);
    });
  }

  /** {@code node}'s last stored sequence of {@code stream} (0 without a replica). */
  long lastSeq(String node, String stream) {
    return call(node, n -> n.replica(stream) == null ? 0 : n.replica(stream).store().state().lastSeq());
  }

  /** Stops every running node and deletes the temporary folder. */
  @Override
  public void close() {
    for (String n : runningNames()) {
      stop(n);
    }
    if (dir != null) {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
