package io.jscluster.bench.sync;

import io.jscluster.codec.state.StreamReplicatedState;
import io.jscluster.codec.state.StreamStateCodec;
import io.jscluster.core.store.MemoryStreamStore;
import io.jscluster.core.store.StreamLimits;
import io.jscluster.core.store.StreamStore;
import io.jscluster.core.sync.CatchupBudget;
import io.jscluster.core.sync.CatchupConfig;
import io.jscluster.core.sync.CatchupPeers;
import io.jscluster.core.sync.CatchupState;
import io.jscluster.core.sync.CatchupTransport;
import io.jscluster.core.sync.FollowerCatchup;
import io.jscluster.core.sync.LeaderCatchup;
import io.jscluster.core.sync.LeaderCatchups;
import io.jscluster.core.sync.SyncRequestLimiter;
import io.jscluster.core.sync.SyncSubjects;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The catch-up state machines alone: a leader memory store of {@value #N} messages served to an
 * empty follower memory store through a synchronous in-process pump (no network, no Raft).
 * Score: messages caught up per second; multiply by {@code msgSize} for payload bytes per second.
 * This bounds what the protocol layer costs; cluster-level catch-up adds transport and disks.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SyncMachinesBenchmark {

  static final int N = 100_000;
  private static final String SYNC = "$JSC.SYNC.benchsyn";

  /** Payload bytes per message. */
  @Param({"128", "1024"})
  public int msgSize;

  private MemoryStreamStore leader;
  private StreamReplicatedState snap;
  private MemoryStreamStore follower;

  private record Msg(String subject, String reply, byte[] payload) {}

  /** Fills the leader's store once and takes its snapshot state. */
  @Setup(Level.Trial)
  public void fill() {
    leader = new MemoryStreamStore(StreamLimits.NONE, () -> 1);
    byte[] data = new byte[msgSize];
    for (int i = 1; i <= N; i++) {
      leader.storeAt(i, i, "bench.subject", null, data);
    }
    snap = StreamStateCodec.decodeSnapshot(leader.encodedState(0, false));
  }

  /** An empty follower store for each invocation. */
  @Setup(Level.Invocation)
  public void freshFollower() {
    follower = new MemoryStreamStore(StreamLimits.NONE, () -> 1);
  }

  /** Closes the invocation's follower store. */
  @TearDown(Level.Invocation)
  public void closeFollower() {
    follower.close();
  }

  /** One whole catch-up of the follower from the leader; one operation per message. */
  @Benchmark
  @OperationsPerInvocation(N)
  public long catchUp() {
    ArrayDeque<Msg> wire = new ArrayDeque<>();
    java.util.Map<String, java.util.function.Consumer<Msg>> subs = new java.util.HashMap<>();
    CatchupTransport t = new CatchupTransport() {
      @Override
      public void publish(String subject, String reply, byte[] payload) {
        wire.add(new Msg(subject, reply, payload));
      }

      @Override
      public void subscribe(String subject) {}

      @Override
      public void unsubscribe(String subject) {}
    };
    CatchupConfig cfg = CatchupConfig.DEFAULT;
    CatchupPeers peers = new CatchupPeers();
    LeaderCatchups runs = new LeaderCatchups(peers);
    LeaderCatchup[] run = new LeaderCatchup[1];
    SyncSubjects subjects = new SyncSubjects(new SplittableRandom(1));
    CatchupBudget budget = new CatchupBudget(0);
    LeaderCatchup.Stream stream = new LeaderCatchup.Stream() {
      @Override
      public StreamStore store() {
        return leader;
      }

      @Override
      public CatchupPeers catchupPeers() {
        return peers;
      }

      @Override
      public boolean stopped() {
        return false;
      }
    };
    boolean[] done = {false};
    FollowerReplica replica = new FollowerReplica(follower);
    FollowerCatchup f = new FollowerCatchup(cfg, subjects, new SyncRequestLimiter(), t, replica,
        new FollowerNode(), new CatchupState(), () -> true, () -> {}, e -> done[0] = true);
    f.start(snap, 1, 0);
    while (!done[0]) {
      Msg m = wire.poll();
      if (m == null) {
        throw new IllegalStateException("catch-up stalled");
      }
      if (m.subject.equals(SYNC)) {
        run[0] = runs.handleSyncRequest(m.reply, m.payload, 0,
            (inbox, req) -> new LeaderCatchup(cfg, subjects, budget, t, stream, null, inbox, req,
                () -> {}));
      } else if (m.subject.startsWith("$JSC.ACK.")) {
        run[0].onAck(m.subject, m.payload, 0);
      } else {
        f.onMessage(m.subject, m.reply, m.payload, 0);
      }
    }
    return follower.state().lastSeq();
  }

  private static final class FollowerReplica implements FollowerCatchup.Replica {
    private final StreamStore store;
    private long lseq;

    FollowerReplica(StreamStore store) {
      this.store = store;
    }

    @Override
    public StreamStore store() {
      return store;
    }

    @Override
    public long lastSeq() {
      return lseq;
    }

    @Override
    public void setLastSeq(long seq) {
      lseq = seq;
    }

    @Override
    public void setFailed(long failed) {}

    @Override
    public boolean active() {
      return true;
    }

    @Override
    public String syncSubject() {
      return SYNC;
    }

    @Override
    public boolean resourcesExceeded() {
      return false;
    }
  }

  private static final class FollowerNode implements FollowerCatchup.Node {
    @Override
    public String id() {
      return "benchflw";
    }

    @Override
    public boolean leaderless() {
      return false;
    }

    @Override
    public boolean isLeader() {
      return false;
    }

    @Override
    public boolean pauseApply() {
      return true;
    }

    @Override
    public void resumeApply() {}

    @Override
    public void stepDown() {}
  }
}
