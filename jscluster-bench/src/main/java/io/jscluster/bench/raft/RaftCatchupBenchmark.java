package io.jscluster.bench.raft;

import io.jscluster.raft.RaftConfig;
import io.jscluster.raft.RaftState;
import io.jscluster.raft.log.FsyncPolicy;
import io.jscluster.raft.log.LogRecord;
import io.jscluster.raft.log.MemoryPeerStateStore;
import io.jscluster.raft.log.MemoryRaftLog;
import io.jscluster.raft.log.MemoryTermVoteStore;
import io.jscluster.raft.log.RaftLog;
import io.jscluster.raft.log.TermVote;
import io.jscluster.raft.runtime.EventLoopRuntime;
import io.jscluster.raft.runtime.LocalNetwork;
import io.jscluster.raft.runtime.RaftClock;
import io.jscluster.raft.runtime.RaftMember;
import io.jscluster.raft.snapshot.MemorySnapshotStorage;
import io.jscluster.raft.wal.FileRaftLog;
import io.jscluster.raft.wal.WalOptions;
import io.jscluster.raft.wire.AppendEntry;
import io.jscluster.raft.wire.Entry;
import io.jscluster.raft.wire.NodeIds;
import io.jscluster.raft.wire.PeerState;
import io.jscluster.raft.wire.RaftCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
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
 * Raft-level catch-up of a follower lagging {@value #ENTRIES} entries of {@code entryBytes} (the
 * entries are still in the leader's log: no snapshot). One operation is one entry caught up; one
 * invocation is one whole catch-up.
 *
 * <p>Set-up (not measured): a 3-member group on the event-loop runtime (one loop thread per live
 * member, {@link LocalNetwork}, every message NRG bytes) where the third member is down. The
 * leader's log holds {@value #ENTRIES} entries written by an earlier leader in term 1, {@code
 * perIndex} entries per log index (NRG stores one proposal batch per index; the default 64 is a
 * quarter of what one batch of 1 KiB proposals holds under the core's 256 KiB limit). The
 * follower starts empty. The leader wins term 2 with the follower's vote, its first append entry
 * shows the follower the gap, and the follower catches up through the catch-up inbox with the
 * leader's flow-control window.
 *
 * <p>Measured: from the leader's election to the moment the follower stored (and, on the file
 * WAL, fsynced) the last of the {@value #ENTRIES} entries.
 *
 * <ul>
 *   <li>{@code memory}: both logs are {@link MemoryRaftLog}s (the follower's applier compacts
 *       behind what it applied, the leader keeps everything);
 *   <li>{@code file}: both logs are {@link FileRaftLog}s with the default policy (ALWAYS: the
 *       follower fsyncs every stored index before acknowledging it, as NRG's rules require);
 *   <li>{@code plain}: no Raft at all: a bare {@link FileChannel} writes the same records (the
 *       same byte count) sequentially and forces after each one, as many forces as the file WAL
 *       follower makes. The floor the file WAL is compared with, in the same run.
 * </ul>
 *
 * <p>Secondary metric {@code payloadMB}: MB (10^6 bytes) of entry payload caught up per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
public class RaftCatchupBenchmark {

  /** Entries the follower lags by. */
  public static final int ENTRIES = 1_000_000;

  /** What is measured: {@code memory} or {@code file} Raft logs, or {@code plain} (no Raft, a bare {@code FileChannel}). */
  @Param({"memory", "file", "plain"})
  public String log;

  /** Payload bytes per entry. */
  @Param({"1024"})
  public int entryBytes;

  /** Entries per log index (one proposal batch per index, as NRG stores them). */
  @Param({"64"})
  public int perIndex;

  /**
   * The follower reports catch-up progress (jscluster extension, {@link
   * RaftConfig#catchupProgress()}); without it catch-up moves in NRG's 2 MiB rounds, each ended by
   * a 2 s stall and a re-request.
   */
  @Param({"true"})
  public boolean progress;

  private static final String GROUP = "CATCHUP";
  private static final List<String> IDS = List.of(NodeIds.fromServerName("c1"),
      NodeIds.fromServerName("c2"), NodeIds.fromServerName("c3"));

  private Path dir;
  /** The leader's records (memory and plain); the file leader reads its own WAL. */
  private byte[][] records;
  private long lastIndex;
  private MemoryRaftLog leaderMemoryLog;
  private final MemoryTermVoteStore leaderTerm = new MemoryTermVoteStore();

  // Per invocation.
  private EventLoopRuntime runtime;
  private RaftLog leaderLog;
  private RaftLog followerLog;
  private CountDownLatch caughtUp;
  private RaftMember leader;
  private RaftMember follower;
  private FileChannel plainChannel;
  private ByteBuffer[] plainBuffers;

  /** Per-second secondary metric. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Counters {
    /** Entry payload caught up, in MB (10^6 bytes). */
    public double payloadMB;

    /** Clears the counter before each iteration. */
    @Setup(Level.Iteration)
    public void reset() {
      payloadMB = 0;
    }
  }

  /** Builds the leader's log once: {@value #ENTRIES} entries written in term 1. */
  @Setup(Level.Trial)
  public void buildLeaderLog() throws IOException {
    if (ENTRIES % perIndex != 0) {
      throw new IllegalArgumentException("perIndex must divide " + ENTRIES);
    }
    dir = Files.createTempDirectory("jscluster-catchup-bench");
    byte[] payload = new byte[entryBytes];
    new Random(7).nextBytes(payload);
    List<Entry> batch = new ArrayList<>(perIndex);
    for (int i = 0; i < perIndex; i++) {
      batch.add(Entry.normal(payload));
    }
    int n = ENTRIES / perIndex;
    records = new byte[n][];
    String oldLeader = IDS.get(2);
    for (int i = 1; i <= n; i++) {
      records[i - 1] = RaftCodec.encode(
          new AppendEntry(oldLeader, 1, i - 1, i == 1 ? 0 : 1, i - 1, batch, 0));
    }
    lastIndex = n;
    leaderTerm.save(new TermVote(1, ""));
    switch (log) {
      case "memory" -> {
        leaderMemoryLog = new MemoryRaftLog();
        for (int i = 1; i <= n; i++) {
          leaderMemoryLog.append(i, 1, records[i - 1]);
        }
      }
      case "file" -> {
        try (FileRaftLog l = FileRaftLog.open(dir.resolve("leader"),
            WalOptions.defaults().withFsyncPolicy(FsyncPolicy.ON_SYNC))) {
          List<LogRecord> chunk = new ArrayList<>();
          for (int i = 1; i <= n; i++) {
            chunk.add(new LogRecord(i, 1, records[i - 1]));
            if (chunk.size() == 256 || i == n) {
              l.appendAll(chunk);
              chunk.clear();
            }
          }
          l.sync();
        }
        records = null;
      }
      case "plain" -> { }
      default -> throw new IllegalArgumentException(log);
    }
    System.gc();
  }

  /** Removes the leader's files. */
  @TearDown(Level.Trial)
  public void removeFiles() throws IOException {
    deleteTree(dir);
  }

  /** Starts the leader and an empty follower (the lagging one); the third member stays down. */
  @Setup(Level.Invocation)
  public void startGroup() throws Exception {
    if (log.equals("plain")) {
      plainChannel = FileChannel.open(dir.resolve("plain.dat"), StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
      if (plainBuffers == null) {
        plainBuffers = new ByteBuffer[records.length];
        for (int i = 0; i < records.length; i++) {
          plainBuffers[i] = ByteBuffer.wrap(records[i]);
        }
      }
      return;
    }
    if (log.equals("memory")) {
      leaderLog = leaderMemoryLog;
      followerLog = new MemoryRaftLog();
    } else {
      leaderLog = FileRaftLog.open(dir.resolve("leader"));
      followerLog = FileRaftLog.open(dir.resolve("follower"));
    }
    caughtUp = new CountDownLatch(1);
    RaftLog watched = new WatchedLog(followerLog, lastIndex, caughtUp);
    runtime = EventLoopRuntime.start(2, RaftClock.system(), 0, "catchup-loop");
    LocalNetwork net = new LocalNetwork();
    // The pre-written log stands for a group that already ran with these three peers, so the
    // leader also has their stored membership (as peers.idx beside a real log).
    MemoryPeerStateStore leaderPeers = new MemoryPeerStateStore();
    leaderPeers.save(new PeerState(IDS.size(), IDS, 0));
    leader = runtime.add(0, RaftConfig.of(GROUP, IDS.get(0), IDS).withCatchupProgress(progress),
        leaderLog, leaderTerm, leaderPeers, new MemorySnapshotStorage(GROUP),
        new SplittableRandom(1), net.endpoint("c1"), ce -> { });
    boolean compact = log.equals("memory");
    RaftLog fl = followerLog;
    follower = runtime.add(1, RaftConfig.of(GROUP, IDS.get(1), IDS).withCatchupProgress(progress),
        watched, new MemoryTermVoteStore(), new SplittableRandom(2), net.endpoint("c2"), ce -> {
          // Keep the follower's live set small, as an upper layer with snapshots would.
          if (compact && ce.index() > 2) {
            fl.compactUpTo(ce.index() - 2);
          }
        });
    // The leader's log replay at start-up is part of the set-up, not of the catch-up.
    leader.call((node, now) -> node.lastIndex()).get(120, TimeUnit.SECONDS);
    leader.call((node, now) -> {
      node.campaign(now);
      return null;
    });
    // The leader is complete only once its first batch commits, which needs the follower to have
    // caught up: wait for the election itself (its vote round trip is all that is not measured).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (leader.state() != RaftState.LEADER) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no leader elected");
      }
      LockSupport.parkNanos(50_000);
    }
  }

  /** Stops the group, rewinds the leader's log to its prepared state, drops the follower's. */
  @TearDown(Level.Invocation)
  public void stopGroup() throws IOException {
    if (log.equals("plain")) {
      plainChannel.close();
      Files.deleteIfExists(dir.resolve("plain.dat"));
      return;
    }
    runtime.close();
    // The election appended the new leader's first batch: remove it so every invocation streams
    // exactly the same entries.
    leaderLog.truncateAfter(lastIndex);
    followerLog.close();
    if (log.equals("file")) {
      leaderLog.close();
      deleteTree(dir.resolve("follower"));
    }
  }

  /** One whole catch-up of {@value #ENTRIES} entries. */
  @Benchmark
  @OperationsPerInvocation(ENTRIES)
  public void catchUp(Counters counters) throws Exception {
    if (log.equals("plain")) {
      long pos = 0;
      for (ByteBuffer b : plainBuffers) {
        b.clear();
        while (b.hasRemaining()) {
          pos += plainChannel.write(b, pos);
        }
        plainChannel.force(false);
      }
    } else if (!caughtUp.await(600, TimeUnit.SECONDS)) {
      throw new IllegalStateException("follower did not catch up");
    }
    counters.payloadMB += (double) ENTRIES * entryBytes / 1e6;
  }

  private static void deleteTree(Path p) throws IOException {
    if (p == null || !Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }

  /**
   * The follower's log, signalling once {@code target} is stored and synced (under ALWAYS an
   * append is durable on return; the node calls {@code sync()} right after every append anyway).
   */
  private static final class WatchedLog implements RaftLog {
    private final RaftLog d;
    private final long target;
    private final CountDownLatch done;
    private boolean reached;

    WatchedLog(RaftLog d, long target, CountDownLatch done) {
      this.d = d;
      this.target = target;
      this.done = done;
    }

    @Override
    public long firstIndex() {
      return d.firstIndex();
    }

    @Override
    public long lastIndex() {
      return d.lastIndex();
    }

    @Override
    public long lastTerm() {
      return d.lastTerm();
    }

    @Override
    public long byteSize() {
      return d.byteSize();
    }

    @Override
    public LogRecord read(long index) {
      return d.read(index);
    }

    @Override
    public long termAt(long index) {
      return d.termAt(index);
    }

    @Override
    public void append(long index, long term, byte[] data) {
      d.append(index, term, data);
      if (index >= target) {
        reached = true;
      }
    }

    @Override
    public void appendAll(List<LogRecord> rs) {
      d.appendAll(rs);
      if (!rs.isEmpty() && rs.get(rs.size() - 1).index() >= target) {
        reached = true;
      }
    }

    @Override
    public Optional<io.jscluster.raft.log.LogException> failure() {
      return d.failure();
    }

    @Override
    public void truncateAfter(long index) {
      d.truncateAfter(index);
    }

    @Override
    public void compactUpTo(long index) {
      d.compactUpTo(index);
    }

    @Override
    public void sync() {
      d.sync();
      if (reached) {
        done.countDown();
      }
    }

    @Override
    public FsyncPolicy fsyncPolicy() {
      return d.fsyncPolicy();
    }

    @Override
    public void close() {
      d.close();
    }
  }
}
