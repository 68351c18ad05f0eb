package io.jscluster.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jscluster.raft.log.FsyncPolicy;
import io.jscluster.raft.log.LogException;
import io.jscluster.raft.wal.FileRaftLog;
import io.jscluster.raft.wal.WalOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
    BackgroundSyncLog log = new BackgroundSyncLog(
        FileRaftLog.open(dir, WalOptions.defaults().withFsyncPolicy(FsyncPolicy.NEVER)), dir, io::execute);
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
}
