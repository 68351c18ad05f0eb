package io.jscluster.raft.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.log.FsyncPolicy;
import io.jscluster.raft.log.LogRecord;
import io.jscluster.raft.log.TermVote;
import io.jscluster.raft.sim.SimDisk;
import io.jscluster.raft.snapshot.Snapshot;
import io.jscluster.raft.snapshot.SnapshotStore;
import io.jscluster.raft.wal.FileRaftLog;
import io.jscluster.raft.wal.WalOptions;
import io.jscluster.raft.wire.PeerState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Directories the storage creates survive a power cut once something durable was written in them:
 * on a {@link SimDisk}, whose directory entries are durable only after the parent directory is
 * fsynced, a crash that keeps nothing unsynced must still find every fsynced record, snapshot and
 * state file, however deep the directories they live in had to be created.
 */
class DirectoryDurabilityTest {

  private static final WalOptions SMALL =
      WalOptions.defaults().withSegmentBytes(4096).withWriteBufferBytes(1024);
  private static final PeerState PEERS =
      new PeerState(3, List.of("S1Nunr6R", "yrzKKRBu", "cnrtt3eg"), PeerState.EXT_EXTENDED);

  private static List<LogRecord> batch(long from, int n) {
    List<LogRecord> out = new ArrayList<>();
    for (long i = from; i < from + n; i++) {
      out.add(new LogRecord(i, 1, ("record-" + i + "-" + "x".repeat(90))
          .getBytes(StandardCharsets.UTF_8)));
    }
    return out;
  }

  private static void powerCut(SimDisk disk) {
    disk.crash(new Random(7), SimDisk.CrashMode.LOSE_UNSYNCED);
  }

  @Test
  void aWalInNewDirectoriesKeepsItsFsyncedRecords() {
    SimDisk disk = new SimDisk("d");
    Path walDir = disk.path("/data/streams/G1/wal");
    // Never closed: the power goes while it is open.
    FileRaftLog log = FileRaftLog.open(walDir, SMALL);
    log.appendAll(batch(1, 100));
    assertThat(log.segmentCount()).as("several segments created").isGreaterThan(2);
    powerCut(disk);
    try (FileRaftLog again = FileRaftLog.open(walDir, SMALL)) {
      assertThat(again.lastIndex()).isEqualTo(100);
      assertThat(again.recovery().clean()).isTrue();
      assertThat(new String(again.read(77).data(), StandardCharsets.UTF_8))
          .startsWith("record-77-");
    }
  }

  @Test
  void aWalSyncedUnderOnSyncKeepsItsSegmentsAcrossRollsAndCompaction() {
    SimDisk disk = new SimDisk("d");
    Path walDir = disk.path("/g/wal");
    WalOptions opts = SMALL.withFsyncPolicy(FsyncPolicy.ON_SYNC);
    FileRaftLog log = FileRaftLog.open(walDir, opts);
    log.appendAll(batch(1, 150));
    log.compactUpTo(40);
    log.sync();
    log.appendAll(batch(151, 5)); // not synced: may go
    powerCut(disk);
    try (FileRaftLog again = FileRaftLog.open(walDir, opts)) {
      assertThat(again.firstIndex()).isEqualTo(41);
      assertThat(again.lastIndex()).isEqualTo(150);
    }
  }

  @Test
  void aWalDirectoryLeftUnsyncedByACrashedProcessIsMadeDurableOnOpen() throws IOException {
    SimDisk disk = new SimDisk("d");
    // Created by a process that died before fsyncing /pre: the entry "wal" is not durable.
    Files.createDirectories(disk.path("/pre/wal"));
    DurableFiles.syncDirectory(disk.root());
    FileRaftLog log = FileRaftLog.open(disk.path("/pre/wal"), SMALL);
    log.appendAll(batch(1, 3));
    powerCut(disk);
    try (FileRaftLog again = FileRaftLog.open(disk.path("/pre/wal"), SMALL)) {
      assertThat(again.lastIndex()).isEqualTo(3);
    }
  }

  @Test
  void aSnapshotInANewDirectorySurvives() throws IOException {
    SimDisk disk = new SimDisk("d");
    SnapshotStore store = new SnapshotStore(disk.path("/data/G1"), "G1");
    store.write(Snapshot.of(3, 42, PEERS, "state".getBytes(StandardCharsets.UTF_8)));
    powerCut(disk);
    assertThat(new SnapshotStore(disk.path("/data/G1"), "G1").recover().latest())
        .get().satisfies(r -> assertThat(r.snapshot().lastIndex()).isEqualTo(42));
  }

  @Test
  void snapshotsDirectoryLeftUnsyncedByACrashedProcessIsMadeDurableByTheFirstWrite()
      throws IOException {
    SimDisk disk = new SimDisk("d");
    Files.createDirectories(disk.path("/G1/snapshots"));
    DurableFiles.syncDirectory(disk.root());
    new SnapshotStore(disk.path("/G1"), "G1")
        .write(Snapshot.of(1, 9, PEERS, new byte[] {1, 2, 3}));
    powerCut(disk);
    assertThat(new SnapshotStore(disk.path("/G1"), "G1").recover().latest()).isPresent();
  }

  @Test
  void stateFilesInNewDirectoriesSurvive() throws IOException {
    SimDisk disk = new SimDisk("d");
    new TermVoteFile(disk.path("/data/G1")).save(new TermVote(5, "S1Nunr6R"));
    new PeerStateFile(disk.path("/data/G2/raft")).write(PEERS);
    powerCut(disk);
    assertThat(new TermVoteFile(disk.path("/data/G1")).load())
        .isEqualTo(new TermVote(5, "S1Nunr6R"));
    assertThat(new PeerStateFile(disk.path("/data/G2/raft")).read()).contains(PEERS);
  }

  @Test
  void aStoreDirectoryLeftUnsyncedByACrashedProcessIsMadeDurableByTheFirstTermWrite()
      throws IOException {
    SimDisk disk = new SimDisk("d");
    Files.createDirectories(disk.path("/data/G1"));
    DurableFiles.syncDirectory(disk.root());
    TermVoteFile tv = new TermVoteFile(disk.path("/data/G1"));
    tv.save(new TermVote(2, ""));
    tv.saveDataLossTerm(1);
    powerCut(disk);
    TermVoteFile again = new TermVoteFile(disk.path("/data/G1"));
    assertThat(again.load()).isEqualTo(new TermVote(2, ""));
    assertThat(again.dataLossTerm()).isEqualTo(1);
  }

  @Test
  void createDirectoriesReportsWhetherItCreatedAnything() throws IOException {
    SimDisk disk = new SimDisk("d");
    assertThat(DurableFiles.createDirectories(disk.path("/a/b/c"))).isTrue();
    assertThat(DurableFiles.createDirectories(disk.path("/a/b/c"))).isFalse();
    assertThat(DurableFiles.createDirectories(disk.path("/a/b/d"))).isTrue();
    powerCut(disk);
    assertThat(disk.list(disk.path("/a/b"))).containsExactly("c", "d");
  }
}
