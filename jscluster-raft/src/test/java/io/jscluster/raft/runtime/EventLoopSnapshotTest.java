package io.jscluster.raft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.CommittedEntry;
import io.jscluster.raft.RaftConfig;
import io.jscluster.raft.snapshot.SnapshotStore;
import io.jscluster.raft.state.TermVoteFile;
import io.jscluster.raft.wal.FileRaftLog;
import io.jscluster.raft.wire.Entry;
import io.jscluster.raft.wire.EntryType;
import io.jscluster.raft.wire.NodeIds;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots on the event-loop runtime over real files: each member keeps a {@link FileRaftLog},
 * a {@link SnapshotStore} and a {@link TermVoteFile} in its own directory, so restarts come from
 * disk. Manual clock, no threads.
 */
class EventLoopSnapshotTest {

  /** An upper layer whose state is the sum of the 8-byte numbers it applied. */
  static final class Summer implements RaftApplier {
    long sum;
    long snapshotsRestored;
    final List<Long> indexes = new ArrayList<>();

    @Override
    public void apply(CommittedEntry entry) {
      indexes.add(entry.index());
      if (entry.isSnapshot()) {
        sum = ByteBuffer.wrap(entry.snapshotData()).getLong();
        snapshotsRestored++;
        return;
      }
      for (Entry e : entry.entries()) {
        if (e.type() == EntryType.NORMAL) {
          sum += ByteBuffer.wrap(e.data()).getLong();
        }
      }
    }

    byte[] state() {
      return ByteBuffer.allocate(8).putLong(sum).array();
    }
  }

  private final AtomicLong time = new AtomicLong(1);
  private final EventLoopRuntime runtime = EventLoopRuntime.manual(1, time::get);
  private final LocalNetwork network = new LocalNetwork();
  private final List<String> ids = List.of(NodeIds.fromServerName("n1"),
      NodeIds.fromServerName("n2"), NodeIds.fromServerName("n3"));
  private final RaftMember[] members = new RaftMember[3];
  private final Summer[] apps = new Summer[3];
  private final FileRaftLog[] logs = new FileRaftLog[3];

  private void startMember(Path root, int i) {
    Path dir = root.resolve("n" + (i + 1));
    logs[i] = FileRaftLog.open(dir);
    apps[i] = new Summer();
    RaftConfig cfg = RaftConfig.of("G", ids.get(i), ids);
    members[i] = runtime.add(0, cfg, logs[i], new TermVoteFile(dir),
        new SnapshotStore(dir, "G"), new SplittableRandom(100 + i),
        network.endpoint("n" + (i + 1)), apps[i]);
    runtime.runUntilQuiet();
  }

  private void stopMember(int i) {
    members[i].stop();
    runtime.runUntilQuiet();
    logs[i].close();
  }

  private boolean runUntil(BooleanSupplier cond, long maxMillis) {
    long limit = time.get() + maxMillis;
    runtime.runUntilQuiet();
    while (!cond.getAsBoolean()) {
      long d = runtime.nextDeadline();
      if (d == Long.MAX_VALUE || d > limit) {
        return cond.getAsBoolean();
      }
      time.set(Math.max(time.get(), d));
      runtime.runUntilQuiet();
    }
    return true;
  }

  private int leader() {
    for (int i = 0; i < 3; i++) {
      if (members[i] != null && !members[i].stopFuture().isDone() && members[i].isLeader()) {
        return i;
      }
    }
    return -1;
  }

  private static byte[] num(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  private long proposeAll(int leader, long from, long to) {
    long last = 0;
    for (long v = from; v <= to; v++) {
      CompletableFuture<Long> f = members[leader].propose(num(v));
      runtime.runUntilQuiet();
      assertThat(runUntil(f::isDone, 10_000)).isTrue();
      last = f.join();
    }
    return last;
  }

  @Test
  void followerCatchesUpFromSnapshotAndNodesRestartFromDisk(@TempDir Path root) {
    for (int i = 0; i < 3; i++) {
      startMember(root, i);
    }
    members[0].call((n, now) -> {
      n.campaign(now);
      return null;
    });
    assertThat(runUntil(() -> leader() >= 0, 60_000)).isTrue();
    int l = leader();
    int lagging = (l + 1) % 3;
    int other = (l + 2) % 3;

    proposeAll(l, 1, 10);
    stopMember(lagging);
    proposeAll(l, 11, 20);

    // The leader snapshots its state at its applied index; its log is compacted.
    CompletableFuture<Long> snap = members[l].installSnapshot(apps[l]::state, false);
    runtime.runUntilQuiet();
    assertThat(snap).isCompleted();
    CompletableFuture<Long> si = members[l].call((n, now) -> n.snapshotIndex());
    runtime.runUntilQuiet();
    long snapIndex = si.join();
    long last = proposeAll(l, 21, 25);

    // The lagging member restarts from disk and is caught up: snapshot first, then entries.
    startMember(root, lagging);
    assertThat(runUntil(() -> apps[lagging].sum == 325, 60_000)).isTrue();
    assertThat(apps[lagging].snapshotsRestored).isEqualTo(1);
    assertThat(root.resolve("n" + (lagging + 1)).resolve("snapshots").toFile().list())
        .isNotEmpty();

    // The leader restarts from disk: snapshot surfaced first, then the log after it replayed.
    stopMember(l);
    startMember(root, l);
    assertThat(runUntil(() -> apps[l].sum == 325, 60_000)).isTrue();
    assertThat(apps[l].snapshotsRestored).isEqualTo(1);
    assertThat(snapIndex).isPositive();
    assertThat(apps[l].indexes.get(0)).isEqualTo(snapIndex);
    assertThat(runUntil(() -> leader() >= 0, 60_000)).isTrue();
    assertThat(apps[other].sum).isEqualTo(325);
    assertThat(last).isGreaterThan(snapIndex);
    for (int i = 0; i < 3; i++) {
      stopMember(i);
    }
  }
}
