package io.jscluster.bench.raft;

import io.microraft.Ordered;
import io.microraft.RaftConfig;
import io.microraft.RaftEndpoint;
import io.microraft.RaftNode;
import io.microraft.model.message.RaftMessage;
import io.microraft.statemachine.StateMachine;
import io.microraft.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * MicroRaft 0.7, three nodes in one JVM with its default executor (one thread per node) and an
 * in-memory transport that passes message objects by reference (no serialisation); operations
 * are the payload arrays themselves, the state machine does nothing with them.
 */
final class MicroRaftHarness implements CommitHarness {

  private record Endpoint(String id) implements RaftEndpoint {
    @Override
    public Object getId() {
      return id;
    }
  }

  private static final Object NEW_TERM_OP = "new-term";

  private static final class NoopStateMachine implements StateMachine {
    @Override
    public Object runOperation(long commitIndex, Object operation) {
      return null;
    }

    @Override
    public void takeSnapshot(long commitIndex, Consumer<Object> snapshotChunkConsumer) {
      snapshotChunkConsumer.accept("snapshot");
    }

    @Override
    public void installSnapshot(long commitIndex, List<Object> snapshotChunks) {}

    @Override
    public Object getNewTermOperation() {
      return NEW_TERM_OP;
    }
  }

  private final Map<RaftEndpoint, RaftNode> nodes = new ConcurrentHashMap<>();
  private final List<RaftNode> list = new ArrayList<>();
  private final RaftNode leader;
  @SuppressWarnings("unchecked")
  private CompletableFuture<Ordered<Object>>[] futures = new CompletableFuture[0];

  MicroRaftHarness(int window) throws InterruptedException {
    List<RaftEndpoint> eps = List.of(new Endpoint("n1"), new Endpoint("n2"), new Endpoint("n3"));
    RaftConfig cfg = RaftConfig.newBuilder()
        .setMaxPendingLogEntryCount(Math.max(RaftConfig.DEFAULT_MAX_PENDING_LOG_ENTRY_COUNT,
            2 * window))
        .build();
    Transport transport = new Transport() {
      @Override
      public void send(RaftEndpoint target, RaftMessage message) {
        RaftNode n = nodes.get(target);
        if (n != null) {
          n.handle(message);
        }
      }

      @Override
      public boolean isReachable(RaftEndpoint endpoint) {
        return nodes.containsKey(endpoint);
      }
    };
    for (RaftEndpoint ep : eps) {
      RaftNode n = RaftNode.newBuilder().setGroupId("bench").setLocalEndpoint(ep)
          .setInitialGroupMembers(eps).setConfig(cfg).setTransport(transport)
          .setStateMachine(new NoopStateMachine()).build();
      nodes.put(ep, n);
      list.add(n);
    }
    for (RaftNode n : list) {
      n.start();
    }
    leader = findLeader();
  }

  private RaftNode findLeader() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      for (RaftNode n : list) {
        try {
          n.replicate(new byte[1]).get(5, TimeUnit.SECONDS);
          return n;
        } catch (ExecutionException | TimeoutException e) {
          // not the leader (yet)
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    throw new IllegalStateException("MicroRaft elected no leader");
  }

  @Override
  @SuppressWarnings("unchecked")
  public void commitWindow(byte[] payload, int count) throws Exception {
    if (futures.length != count) {
      futures = new CompletableFuture[count];
    }
    for (int i = 0; i < count; i++) {
      futures[i] = leader.replicate(payload);
    }
    // MicroRaft completes futures in commit order on the leader's thread.
    futures[count - 1].get(60, TimeUnit.SECONDS);
    if (!futures[0].isDone() || futures[0].isCompletedExceptionally()) {
      throw new IllegalStateException("first proposal of the window not committed");
    }
  }

  @Override
  public void close() throws Exception {
    for (RaftNode n : list) {
      n.terminate().get(10, TimeUnit.SECONDS);
    }
  }
}
