package io.jscluster.examples;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.core.ClusterConfig;
import io.jscluster.core.ClusterNode;
import io.jscluster.core.FileNodeStorage;
import io.jscluster.core.LeaderListener;
import io.jscluster.core.PubAck;
import io.jscluster.core.RealTimeScheduler;
import io.jscluster.core.StreamConfigs;
import io.jscluster.core.StreamInfo;
import io.jscluster.raft.RaftTiming;
import io.jscluster.raft.transport.MessageHandler;
import io.jscluster.raft.transport.Subscription;
import io.jscluster.raft.transport.Transport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A messaging server embedding jscluster: each {@link Server} owns a {@link ClusterNode}, runs it
 * on a {@link RealTimeScheduler}, carries its traffic on the server's own routes through a
 * {@link Transport} adapter, and learns about leadership from a {@link LeaderListener}. The main
 * method runs three such servers in one JVM, creates a replicated stream, publishes to it and
 * prints the stream's info.
 */
public final class EmbeddingExample {

  private EmbeddingExample() {}

  // region: routes
  /**
   * The server's own cluster routes, reduced to what jscluster needs: send a message to every
   * other server. Each server reads its inbound route on a thread of its own, as a TCP route
   * reader would; in this example all routes live in one JVM.
   */
  public static final class Routes {
    private final Map<String, RouteTransport> servers = new ConcurrentHashMap<>();

    void connect(String server, RouteTransport transport) {
      servers.put(server, transport);
    }

    void disconnect(String server) {
      servers.remove(server);
    }

    void broadcast(String from, String subject, String reply, byte[] payload) {
      servers.forEach((name, to) -> {
        if (!name.equals(from)) {
          to.inbound(subject, reply, payload);
        }
      });
    }
  }
  // endregion: routes

  // region: transport
  /**
   * jscluster's {@link Transport} on the routes: exact-match subjects, asynchronous delivery,
   * best effort. The handler is called on the route reader thread; ClusterNode moves the work to
   * its own scheduler thread itself.
   */
  static final class RouteTransport implements Transport {
    private final String server;
    private final Routes routes;
    private final ExecutorService reader;
    private final Map<String, List<MessageHandler>> subs = new ConcurrentHashMap<>();

    RouteTransport(String server, Routes routes) {
      this.server = server;
      this.routes = routes;
      this.reader = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "route-reader-" + server);
        t.setDaemon(true);
        return t;
      });
    }

    @Override
    public void send(String subject, String reply, byte[] payload) {
      routes.broadcast(server, subject, reply, payload);
    }

    @Override
    public Subscription subscribe(String subject, MessageHandler handler) {
      subs.computeIfAbsent(subject, s -> new CopyOnWriteArrayList<>()).add(handler);
      return new Subscription() {
        @Override
        public String subject() {
          return subject;
        }

        @Override
        public void unsubscribe() {
          List<MessageHandler> l = subs.get(subject);
          if (l != null) {
            l.remove(handler);
          }
        }
      };
    }

    /** A message arrived on a route: hand it to this server's reader thread. */
    void inbound(String subject, String reply, byte[] payload) {
      if (!subs.containsKey(subject)) {
        return; // no interest: a real server would not even have been sent it
      }
      reader.execute(() -> {
        for (MessageHandler h : subs.getOrDefault(subject, List.of())) {
          h.onMessage(subject, reply, payload);
        }
      });
    }

    void close() {
      reader.shutdownNow();
    }
  }
  // endregion: transport

  // region: server
  /** One server of the cluster, embedding one {@link ClusterNode}. */
  public static final class Server implements AutoCloseable {
    private final String name;
    private final Routes routes;
    private final RouteTransport transport;
    private final RealTimeScheduler scheduler;
    private final ClusterNode node;
    private final Leaders leaders;

    Server(String name, List<String> peers, Path dataDir, Routes routes, Leaders leaders) {
      this.name = name;
      this.routes = routes;
      this.leaders = leaders;
      this.transport = new RouteTransport(name, routes);
      this.scheduler = new RealTimeScheduler("jscluster-" + name);
      ClusterConfig config = ClusterConfig.of(name, peers, new FileNodeStorage(dataDir.resolve(name)))
          // NRG's timers, with shorter elections (1.5-3 s instead of 4-9 s) for a quick example.
          .withTiming(new RaftTiming(1_500, 3_000, 100, 800, 50, 10, 1_000, 10_000, 48L * 3600_000,
              1_000, 4_000, 2_000, 2_000, 2_000, 3_000));
      this.node = new ClusterNode(config, transport, scheduler, name.hashCode());
      node.addListener(new LeaderListener() {
        @Override
        public void metaLeaderChanged(boolean isLeader, long term) {
          leaders.changed(Leaders.META, name, isLeader);
        }

        @Override
        public void streamLeaderChanged(String stream, boolean isLeader, long term) {
          leaders.changed(stream, name, isLeader);
        }
      });
    }

    /** Joins the routes and starts the node (on its scheduler thread, like every call). */
    void start() {
      routes.connect(name, transport);
      call(n -> {
        n.start();
        return null;
      });
    }

    /** Runs {@code f} on the node's thread and waits for its result. */
    <T> T call(Function<ClusterNode, T> f) {
      CompletableFuture<T> result = new CompletableFuture<>();
      scheduler.execute(() -> {
        try {
          result.complete(f.apply(node));
        } catch (RuntimeException e) {
          result.completeExceptionally(e);
        }
      });
      return result.join();
    }

    /** Meta leader only: creates an R3 file stream. */
    CompletableFuture<?> createStream(String stream, String subject) {
      return call(n -> n.createStream(StreamConfigs.builder(stream).subjects(subject).replicas(3)
          .storage(StorageType.FILE).build()));
    }

    /** Stream leader only: publishes; the future completes with the PubAck. */
    CompletableFuture<PubAck> publish(String stream, String subject, String text) {
      return call(n -> n.publish(stream, subject, null, text.getBytes(StandardCharsets.UTF_8)));
    }

    /** This server's view of {@code stream}. */
    StreamInfo streamInfo(String stream) {
      return call(n -> n.streamInfo(stream));
    }

    @Override
    public void close() {
      call(n -> {
        n.stop();
        return null;
      });
      routes.disconnect(name);
      scheduler.close();
      transport.close();
    }
  }
  // endregion: server

  // region: leaders
  /** Which server leads which group, fed by the servers' leader listeners. */
  static final class Leaders {
    static final String META = "$meta";
    private final Map<String, String> leaders = new HashMap<>();

    synchronized void changed(String group, String server, boolean isLeader) {
      if (isLeader) {
        leaders.put(group, server);
        notifyAll();
      } else {
        leaders.remove(group, server);
      }
    }

    /** Waits up to {@code millis} for a leader of {@code group}. */
    synchronized String await(String group, long millis) throws InterruptedException {
      long deadline = System.currentTimeMillis() + millis;
      while (!leaders.containsKey(group)) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new IllegalStateException("no leader of " + group + " after " + millis + " ms");
        }
        wait(left);
      }
      return leaders.get(group);
    }
  }
  // endregion: leaders

  // region: run
  /**
   * Starts three servers keeping their state under {@code dataDir}, creates stream ORDERS,
   * publishes {@code messages} messages, prints each PubAck and the leader's stream info to
   * {@code out}, stops the servers and returns that stream info.
   */
  public static StreamInfo run(Path dataDir, int messages, PrintStream out) throws Exception {
    List<String> names = List.of("s1", "s2", "s3");
    Routes routes = new Routes();
    Leaders leaders = new Leaders();
    Map<String, Server> servers = new HashMap<>();
    for (String n : names) {
      servers.put(n, new Server(n, names, dataDir, routes, leaders));
    }
    try {
      servers.values().forEach(Server::start);

      Server meta = servers.get(leaders.await(Leaders.META, 30_000));
      meta.createStream("ORDERS", "orders.new").get(30, TimeUnit.SECONDS);
      Server leader = servers.get(leaders.await("ORDERS", 30_000));

      List<CompletableFuture<PubAck>> acks = new ArrayList<>();
      for (int i = 1; i <= messages; i++) {
        acks.add(leader.publish("ORDERS", "orders.new", "order " + i));
      }
      for (CompletableFuture<PubAck> ack : acks) {
        out.println(ack.get(30, TimeUnit.SECONDS).toJson()); // {"stream":"ORDERS","seq":1} ...
      }

      StreamInfo info = leader.streamInfo("ORDERS");
      out.printf("ORDERS: %d messages, last seq %d, leader %s, peers %s%n", info.state().msgs(),
          info.state().lastSeq(), info.leader(), info.peers());
      return info;
    } finally {
      for (Server s : servers.values()) {
        s.close();
      }
    }
  }

  /** Runs the example in a temporary folder. */
  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("jscluster-example");
    try {
      run(dir, 10, System.out);
    } finally {
      deleteTree(dir);
    }
  }
  // endregion: run

  static void deleteTree(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
