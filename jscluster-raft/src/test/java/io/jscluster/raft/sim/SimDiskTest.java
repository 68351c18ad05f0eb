package io.jscluster.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jscluster.raft.log.FsyncPolicy;
import io.jscluster.raft.log.LogException;
import io.jscluster.raft.log.TermVote;
import io.jscluster.raft.state.DurableFiles;
import io.jscluster.raft.state.TermVoteFile;
import io.jscluster.raft.wal.FileRaftLog;
import io.jscluster.raft.wal.WalOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The simulated disk's durability model, and the production file storage running on it. */
class SimDiskTest {

  private static final WalOptions ON_SYNC = WalOptions.defaults()
      .withFsyncPolicy(FsyncPolicy.ON_SYNC).withSegmentBytes(4096).withWriteBufferBytes(1024);

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void write(Path p, String s, boolean force) throws IOException {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      ch.write(ByteBuffer.wrap(bytes(s)));
      if (force) {
        ch.force(true);
      }
    }
  }

  @Test
  void aCrashImageIgnoresWhatTheDeadServerWritesAfterIt() throws IOException {
    SimDisk disk = new SimDisk("d");
    Path f = disk.path("/f");
    write(f, "durable", true);
    DurableFiles.syncDirectory(disk.root());
    write(f, "-lost", false);
    SimDisk.Image image = disk.crashImage(new Random(1), SimDisk.CrashMode.LOSE_UNSYNCED);
    // The dead server closes its files cleanly, forcing everything: too late.
    write(f, "-closed", true);
    write(disk.path("/g"), "new", true);
    DurableFiles.syncDirectory(disk.root());
    disk.restore(image);
    assertThat(new String(disk.read(f), StandardCharsets.UTF_8)).isEqualTo("durable");
    assertThat(disk.exists(disk.path("/g"))).isFalse();
    assertThat(disk.crashes()).isEqualTo(1);
  }

  @Test
  void durablyCreatedDirectoriesSurviveACrash() throws IOException {
    SimDisk disk = new SimDisk("d");
    Files.createDirectories(disk.path("/plain/a"));
    write(disk.path("/plain/a/f"), "forced", true);
    DurableFiles.syncDirectory(disk.path("/plain/a"));
    DurableFiles.createDirectories(disk.path("/durable/a/b"));
    write(disk.path("/durable/a/b/f"), "forced", true);
    DurableFiles.syncDirectory(disk.path("/durable/a/b"));
    DurableFiles.createDirectories(disk.path("/durable/a/b")); // exists: nothing to do
    disk.crash(new Random(1), SimDisk.CrashMode.LOSE_UNSYNCED);
    // A forced file in a directory whose own creation was never forced is gone with it. (The
    // entry of /plain itself became durable when the root was forced for /durable.)
    assertThat(disk.exists(disk.path("/plain"))).isTrue();
    assertThat(disk.exists(disk.path("/plain/a"))).isFalse();
    assertThat(new String(disk.read(disk.path("/durable/a/b/f")), StandardCharsets.UTF_8)).isEqualTo("forced");
  }

  @Test
  void directoryStreamsFilterByGlob() throws IOException {
    SimDisk disk = new SimDisk("d");
    for (String n : new String[] {"1.blk", "2.blk", "2.dlt", "x.blk.tmp", "index.db"}) {
      write(disk.path("/" + n), n, false);
    }
    java.util.List<String> names = new java.util.ArrayList<>();
    try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(disk.root(), "*.blk")) {
      ds.forEach(p -> names.add(p.getFileName().toString()));
    }
    assertThat(names).containsExactly("1.blk", "2.blk");
    names.clear();
    try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(disk.root(), "{2,x}.*")) {
      ds.forEach(p -> names.add(p.getFileName().toString()));
    }
    assertThat(names).containsExactly("2.blk", "2.dlt", "x.blk.tmp");
    assertThat(disk.fileSystem().getPathMatcher("glob:/[!0-9].blk").matches(disk.path("/1.blk"))).isFalse();
    assertThat(disk.fileSystem().getPathMatcher("glob:/[0-9].blk").matches(disk.path("/1.blk"))).isTrue();
    assertThat(disk.fileSystem().getPathMatcher("regex:.*dlt").matches(disk.path("/2.dlt"))).isTrue();
  }

  @Test
  void forcedContentSurvivesACrashAndUnforcedContentDoesNot() throws IOException {
    SimDisk disk = new SimDisk("d");
    Path f = disk.path("/f");
    write(f, "durable", true);
    DurableFiles.syncDirectory(disk.root());
    write(f, "-lost", false);
    assertThat(new String(disk.read(f), StandardCharsets.UTF_8)).isEqualTo("durable-lost");
    disk.crash(new Random(1), SimDisk.CrashMode.LOSE_UNSYNCED);
    assertThat(new String(disk.read(f), StandardCharsets.UTF_8)).isEqualTo("durable");
  }

  @Test
  void aNewFileNeedsItsDirectoryForced() throws IOException {
    SimDisk disk = new SimDisk("d");
    Files.createDirectories(disk.path("/dir"));
    DurableFiles.syncDirectory(disk.root());
    Path f = disk.path("/dir/f");
    write(f, "data", true);
    disk.crash(new Random(1), SimDisk.CrashMode.LOSE_UNSYNCED);
    assertThat(disk.exists(f)).as("the name was never made durable").isFalse();

    write(f, "data", true);
    DurableFiles.syncDirectory(disk.path("/dir"));
    disk.crash(new Random(1), SimDisk.CrashMode.LOSE_UNSYNCED);
    assertThat(disk.read(f)).isEqualTo(bytes("data"));
  }

  @Test
  void atomicReplaceLeavesOldOrNewNeverAMix() throws IOException {
    for (int seed = 0; seed < 50; seed++) {
      SimDisk disk = new SimDisk("d");
      Path f = disk.path("/tav.idx");
      DurableFiles.writeAtomically(f, bytes("old-value"));
      Random rnd = new Random(seed);
      disk.armPowerLoss(1 + rnd.nextInt(5), SimDisk.CrashMode.TORN, rnd);
      try {
        DurableFiles.writeAtomically(f, bytes("NEW"));
      } catch (SimDisk.PowerLoss expected) {
        // the power went in the middle
      }
      disk.crash(rnd, SimDisk.CrashMode.TORN);
      assertThat(new String(disk.read(f), StandardCharsets.UTF_8)).as("seed %d", seed)
          .isIn("old-value", "NEW");
    }
  }

  @Test
  void crashInvalidatesOpenChannelsAndLocks() throws IOException {
    SimDisk disk = new SimDisk("d");
    FileChannel ch = FileChannel.open(disk.path("/lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    assertThat(ch.tryLock()).isNotNull();
    assertThat(FileChannel.open(disk.path("/lock"), StandardOpenOption.WRITE).tryLock()).isNull();
    disk.crash(new Random(1), SimDisk.CrashMode.KEEP_SOME);
    assertThatThrownBy(() -> ch.write(ByteBuffer.wrap(bytes("x"))))
        .isInstanceOf(java.nio.channels.ClosedChannelException.class);
  }

  @Test
  void failingDiskRefusesWritesButServesReads() throws IOException {
    SimDisk disk = new SimDisk("d");
    Path f = disk.path("/f");
    write(f, "kept", true);
    disk.setFailing(true);
    assertThatThrownBy(() -> write(f, "more", true)).isInstanceOf(IOException.class);
    assertThat(disk.read(f)).isEqualTo(bytes("kept"));
    assertThatThrownBy(() -> Files.delete(f)).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> Files.readAllBytes(disk.path("/missing")))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void fileLogKeepsWhatItSyncedAcrossAPowerLoss() {
    for (int seed = 0; seed < 40; seed++) {
      SimDisk disk = new SimDisk("d");
      Random rnd = new Random(seed);
      long synced = 0;
      try (FileRaftLog log = FileRaftLog.open(disk.root(), ON_SYNC)) {
        disk.armPowerLoss(5 + rnd.nextInt(60), SimDisk.CrashMode.values()[seed % 3], rnd);
        for (int i = 1; i <= 100; i++) {
          log.append(i, 1, bytes("record-" + i + "-" + "x".repeat(rnd.nextInt(200))));
          if (rnd.nextInt(3) == 0) {
            log.sync();
            synced = i;
          }
        }
      } catch (SimDisk.PowerLoss expected) {
        // crashed mid-way
      }
      disk.crash(rnd, SimDisk.CrashMode.values()[seed % 3]);
      try (FileRaftLog log = FileRaftLog.open(disk.root(), ON_SYNC)) {
        assertThat(log.lastIndex()).as("seed %d", seed).isGreaterThanOrEqualTo(synced);
        for (long i = 1; i <= log.lastIndex(); i++) {
          assertThat(new String(log.read(i).data(), StandardCharsets.UTF_8))
              .startsWith("record-" + i + "-");
        }
      }
    }
  }

  @Test
  void bitFlipInARecordIsFoundAndOnlyWhatFollowsIsCut() throws IOException {
    SimDisk disk = new SimDisk("d");
    try (FileRaftLog log = FileRaftLog.open(disk.root(), ON_SYNC)) {
      for (int i = 1; i <= 20; i++) {
        log.append(i, 1, bytes("record-" + i));
      }
      log.sync();
    }
    disk.crash(new Random(1), SimDisk.CrashMode.LOSE_UNSYNCED);
    Path seg = disk.path("/" + disk.list(disk.root()).stream().filter(n -> n.endsWith(".seg"))
        .findFirst().orElseThrow());
    // Record k starts at 32 + (k - 1) * (24 + payload); records 1..9 have 8-byte payloads.
    long recordTen = 32 + 9 * (24 + 8);
    disk.flipBit(seg, (recordTen + 30) * 8 + 3);
    try (FileRaftLog log = FileRaftLog.open(disk.root(), ON_SYNC)) {
      assertThat(log.lastIndex()).isEqualTo(9);
      assertThat(log.recoveryDamage()).isPresent();
      assertThat(log.recovery().damage().orElseThrow().index()).isEqualTo(10);
    }
  }

  @Test
  void termVoteFileAndDataLossMarkAreDurable() {
    SimDisk disk = new SimDisk("d");
    TermVoteFile tv = new TermVoteFile(disk.root());
    assertThat(tv.dataLossTerm()).isZero();
    tv.save(new TermVote(7, "ABCDEFGH"));
    tv.saveDataLossTerm(6);
    disk.crash(new Random(2), SimDisk.CrashMode.LOSE_UNSYNCED);
    TermVoteFile again = new TermVoteFile(disk.root());
    assertThat(again.load()).isEqualTo(new TermVote(7, "ABCDEFGH"));
    assertThat(again.dataLossTerm()).isEqualTo(6);
    again.saveDataLossTerm(0);
    assertThat(new TermVoteFile(disk.root()).dataLossTerm()).isZero();
    disk.setFailing(true);
    assertThatThrownBy(() -> again.saveDataLossTerm(9)).isInstanceOf(LogException.class);
  }
}
