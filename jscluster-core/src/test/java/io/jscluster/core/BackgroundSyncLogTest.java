package io.jscluster.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jscluster.raft.log.FsyncPolicy;
import io.jscluster.raft.log.LogException;
import io.jscluster.raft.log.LogRecord;
import io.jscluster.raft.sim.SimDisk;
import io.jscluster.raft.wal.FileRaftLog;
import io.jscluster.raft.wal.WalOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link BackgroundSyncLog} with its I/O executor and scheduler run by hand. */
class BackgroundSyncLogTest {

  private final ManualScheduler io = new ManualScheduler(true);
  private final ManualScheduler node = new ManualScheduler(true);
  private final List<Long> durable = new ArrayList<>();
  private final List<LogException> failed = new ArrayList<>();

  private BackgroundSyncLog open(Path dir) {
    return open(dir, WalOptions.defaults().withFsyncPolicy(FsyncPolicy.NEVER));
  }

  private BackgroundSyncLog open(Path dir, WalOptions options) {
    BackgroundSyncLog log = new BackgroundSyncLog(FileRaftLog.open(dir, options), dir, io::execute);
    log.bind(node, new BackgroundSyncLog.Listener() {
      @Override
      public void durable(long gen) {
        durable.add(gen);
        log.durableUpTo(gen);
      }

      @Override
      public void failed(LogException e) {
        failed.add(e);
      }
    });
    return log;
  }

  @Test
  void syncReturnsBeforeTheForceAndOneForceCoversEverySyncBeforeIt(@TempDir Path dir) {
    try (BackgroundSyncLog log = open(dir)) {
      log.append(1, 1, new byte[] {1});
      log.sync();
      log.append(2, 1, new byte[] {2});
      log.sync();
      assertThat(log.requestedGeneration()).isEqualTo(2);
      // One queued force for both requests, nothing reported yet.
      assertThat(io.tasks).hasSize(1);
      assertThat(node.tasks).isEmpty();
      assertThat(log.generationCovering(1)).isEqualTo(1);
      assertThat(log.generationCovering(2)).isEqualTo(2);
      assertThat(log.generationCovering(3)).isZero();
      io.runAll();
      node.runAll();
      assertThat(durable).containsExactly(2L);
      assertThat(log.generationCovering(1)).isZero();
      assertThat(log.fsyncPolicy()).isEqualTo(FsyncPolicy.ON_SYNC);
    }
  }

  @Test
  void truncationIsForcedBeforeItReturns(@TempDir Path dir) {
    try (BackgroundSyncLog log = open(dir)) {
      for (int i = 1; i <= 5; i++) {
        log.append(i, 1, new byte[] {(byte) i});
      }
      log.sync();
      log.truncateAfter(3);
      // Forced inline: no sync is outstanding, and the report is on its way.
      assertThat(log.generationCovering(1)).isZero();
      node.runAll();
      assertThat(durable).containsExactly(2L);
      log.append(4, 2, new byte[] {9});
      assertThat(log.lastIndex()).isEqualTo(4);
      assertThat(log.termAt(4)).isEqualTo(2);
    }
  }

  @Test
  void aFailedForceFailsTheLog(@TempDir Path dir) throws IOException {
    Path wal = dir.resolve("wal");
    BackgroundSyncLog log = open(wal);
    log.append(1, 1, new byte[] {1});
    log.sync();
    try (Stream<Path> s = Files.walk(wal)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    io.runAll();
    node.runAll();
    assertThat(durable).isEmpty();
    assertThat(failed).hasSize(1);
    assertThat(log.failure()).isPresent();
    assertThatThrownBy(() -> log.append(2, 1, new byte[] {2})).isInstanceOf(LogException.class)
        .matches(e -> ((LogException) e).kind() == LogException.Kind.IO);
    log.close();
  }

  private static List<LogRecord> records(long from, long to, int size) {
    List<LogRecord> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      byte[] d = new byte[size];
      java.util.Arrays.fill(d, (byte) i);
      out.add(new LogRecord(i, 1, d));
    }
    return out;
  }

  /**
   * A segment made from a spare is written over without growing: only the WAL's report of what it
   * wrote tells the forcing thread to force it. On a simulated disk that keeps only what was
   * forced, a record whose sync was reported durable must survive a power loss.
   */
  @Test
  void aSegmentWrittenOverWithoutGrowingIsForced() {
    SimDisk disk = new SimDisk("bg");
    Path dir = disk.path("/wal");
    // 124-byte records, 32 to a segment; the segments FileNodeStorage's background WALs keep.
    WalOptions spares = WalOptions.defaults().withFsyncPolicy(FsyncPolicy.NEVER)
        .withSegmentBytes(4096).withWriteBufferBytes(1024).withSpareSegments(2);
    BackgroundSyncLog log = open(dir, spares);
    log.appendAll(records(1, 64, 100));
    log.sync();
    io.runAll();
    // Segment 1 becomes a spare, and segment 65 is made from it (a file of the same size).
    log.compactUpTo(40);
    log.appendAll(records(65, 66, 100));
    log.sync();
    io.runAll();
    // Written over the old contents: the file keeps its size, its forcing handle is open.
    log.appendAll(records(67, 67, 100));
    log.sync();
    io.runAll();
    node.runAll();
    assertThat(durable).last().isEqualTo(3L);
    log.close(); // closing forces nothing
    disk.crash(new Random(1), SimDisk.CrashMode.LOSE_UNSYNCED);
    try (FileRaftLog reopened = FileRaftLog.open(dir, spares)) {
      assertThat(reopened.recovery().damage()).isEmpty();
      assertThat(reopened.lastIndex()).as("record 67 was reported durable").isEqualTo(67);
      assertThat(reopened.read(67).data()).isEqualTo(records(67, 67, 100).get(0).data());
    }
  }
}
