package io.jscluster.raft.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.log.FsyncPolicy;
import io.jscluster.raft.log.LogRecord;
import io.jscluster.testing.SeedRange;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spare segments ({@link WalOptions#spareSegments()}): compacted segment files are kept and written
 * over by later segments, and recovery must never take their old contents for records.
 */
class WalSpareSegmentsTest {

  // 100-byte payloads make 124-byte records: 32 per 4 KiB segment, at the same offsets in every
  // segment, so a reused file holds an old record exactly where the next new one would go.
  private static final WalOptions SPARES = WalOptions.defaults().withSegmentBytes(4096)
      .withWriteBufferBytes(1024).withSpareSegments(2);
  private static final int PER_SEGMENT = 32;

  @TempDir Path root;

  private static void appendRange(FileRaftLog log, long from, long to, long term) {
    List<LogRecord> batch = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      batch.add(new LogRecord(i, term, FileRaftLogTest.payload(i, 100)));
    }
    log.appendAll(batch);
  }

  private static List<String> files(Path dir, String suffix) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix)).sorted()
          .toList();
    }
  }

  /** Copies a directory as the operating system sees it (every byte written, forced or not). */
  private static Path crashCopy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> s = Files.list(from)) {
      for (Path p : s.toList()) {
        Files.copy(p, to.resolve(p.getFileName()));
      }
    }
    return to;
  }

  private static void assertServes(FileRaftLog log, long from, long to) {
    assertThat(log.firstIndex()).isEqualTo(from);
    assertThat(log.lastIndex()).isEqualTo(to);
    for (long i = from; i <= to; i++) {
      LogRecord r = log.read(i);
      assertThat(r.data()).as("record %d", i).isEqualTo(FileRaftLogTest.payload(i, 100));
    }
  }

  @Test
  void compactedSegmentsBecomeSparesAndNewSegmentsAreMadeFromThem() throws IOException {
    Path dir = root.resolve("wal");
    try (FileRaftLog log = FileRaftLog.open(dir, SPARES)) {
      appendRange(log, 1, 4 * PER_SEGMENT, 1);
      assertThat(log.segmentCount()).isEqualTo(4);
      log.compactUpTo(3 * PER_SEGMENT);
      // Three segments fell below the first index; two are kept, the third is deleted.
      assertThat(log.spareCount()).isEqualTo(2);
      assertThat(files(dir, FileRaftLog.SPARE_SUFFIX)).hasSize(2);
      assertThat(files(dir, WalFormat.SEGMENT_SUFFIX)).hasSize(1);
      long spareBytes = 0;
      for (String n : files(dir, FileRaftLog.SPARE_SUFFIX)) {
        spareBytes += Files.size(dir.resolve(n));
      }
      appendRange(log, 4 * PER_SEGMENT + 1, 6 * PER_SEGMENT, 1);
      // Both new segments were made from the spares: no file grew or appeared beyond them.
      assertThat(log.spareCount()).isZero();
      assertThat(files(dir, FileRaftLog.SPARE_SUFFIX)).isEmpty();
      assertThat(files(dir, WalFormat.SEGMENT_SUFFIX)).hasSize(3);
      long reused = 0;
      for (String n : files(dir, WalFormat.SEGMENT_SUFFIX).subList(1, 3)) {
        reused += Files.size(dir.resolve(n));
      }
      assertThat(reused).isEqualTo(spareBytes);
      assertServes(log, 3 * PER_SEGMENT + 1, 6 * PER_SEGMENT);
    }
    try (FileRaftLog again = FileRaftLog.open(dir, SPARES)) {
      assertThat(again.recovery().clean()).isTrue();
      assertThat(again.recovery().damage()).isEmpty();
      assertServes(again, 3 * PER_SEGMENT + 1, 6 * PER_SEGMENT);
    }
  }

  @Test
  void oldRecordsBehindTheEndOfAReusedSegmentAreNeverServed() throws IOException {
    Path dir = root.resolve("wal");
    FileRaftLog log = FileRaftLog.open(dir, SPARES);
    appendRange(log, 1, 2 * PER_SEGMENT, 1);
    log.compactUpTo(PER_SEGMENT + 8);
    assertThat(log.spareCount()).isEqualTo(1);
    // Segment 65 is the old segment 1, whose records 4..32 now lie behind the three new ones at
    // exactly the offsets the next records would take.
    appendRange(log, 2 * PER_SEGMENT + 1, 2 * PER_SEGMENT + 3, 1);
    assertThat(log.spareCount()).isZero();
    Path copy = crashCopy(dir, root.resolve("crash"));
    log.close();
    try (FileRaftLog reopened = FileRaftLog.open(copy, SPARES)) {
      assertThat(reopened.recovery().damage()).isEmpty();
      assertThat(reopened.recoveryDamage()).isEmpty();
      assertServes(reopened, PER_SEGMENT + 9, 2 * PER_SEGMENT + 3);
      // It goes on from there, over the old contents, and reopens the same.
      appendRange(reopened, 2 * PER_SEGMENT + 4, 2 * PER_SEGMENT + 10, 2);
    }
    try (FileRaftLog again = FileRaftLog.open(copy, SPARES)) {
      assertThat(again.recovery().clean()).isTrue();
      assertThat(again.lastIndex()).isEqualTo(2 * PER_SEGMENT + 10);
      assertThat(again.read(2 * PER_SEGMENT + 10).term()).isEqualTo(2);
    }
  }

  @Test
  void aTornWriteInAReusedSegmentCutsTheLogBeforeIt() throws IOException {
    Path dir = root.resolve("wal");
    FileRaftLog log = FileRaftLog.open(dir, SPARES);
    appendRange(log, 1, 2 * PER_SEGMENT, 1);
    log.compactUpTo(PER_SEGMENT + 8);
    appendRange(log, 2 * PER_SEGMENT + 1, 2 * PER_SEGMENT + 3, 1);
    Path copy = crashCopy(dir, root.resolve("crash"));
    log.close();
    // A write of record 68 that reached the disk only in part: its header and the start of its
    // payload over the end marker, the old contents behind.
    Path seg = copy.resolve(WalFormat.segmentName(2 * PER_SEGMENT + 1));
    long at = WalFormat.SEGMENT_HEADER + 3L * 124;
    byte[] h = new byte[WalFormat.RECORD_HEADER];
    WalFormat.encodeRecordHeader(h, 100, 2 * PER_SEGMENT + 4, 1, FileRaftLogTest.payload(2 * PER_SEGMENT + 4, 100),
        new java.util.zip.CRC32C());
    try (RandomAccessFile raf = new RandomAccessFile(seg.toFile(), "rw")) {
      raf.seek(at);
      raf.write(h);
      raf.write(FileRaftLogTest.payload(2 * PER_SEGMENT + 4, 40));
    }
    try (FileRaftLog reopened = FileRaftLog.open(copy, SPARES)) {
      assertThat(reopened.recovery().damage()).isPresent();
      // Old contents behind it, but nothing of the log: a torn tail, not corruption.
      assertThat(reopened.recovery().damage().get().kind())
          .isEqualTo(WalRecovery.Damage.Kind.TORN_TAIL);
      assertThat(reopened.recovery().damage().get().index()).isEqualTo(2 * PER_SEGMENT + 4);
      assertThat(reopened.recovery().damage().get().offset()).isEqualTo(at);
      assertServes(reopened, PER_SEGMENT + 9, 2 * PER_SEGMENT + 3);
    }
    try (FileRaftLog again = FileRaftLog.open(copy, SPARES)) {
      assertThat(again.recovery().damage()).isEmpty();
      assertServes(again, PER_SEGMENT + 9, 2 * PER_SEGMENT + 3);
    }
  }

  @Test
  void aResetDeletesTheSpares() throws IOException {
    Path dir = root.resolve("wal");
    try (FileRaftLog log = FileRaftLog.open(dir, SPARES)) {
      appendRange(log, 1, 3 * PER_SEGMENT, 1);
      log.compactUpTo(2 * PER_SEGMENT + 5);
      assertThat(log.spareCount()).isEqualTo(2);
      // Below the first index: the log empties under a new epoch, whose indexes the spares'
      // old records could match.
      log.truncateAfter(10);
      assertThat(log.spareCount()).isZero();
      assertThat(files(dir, FileRaftLog.SPARE_SUFFIX)).isEmpty();
      appendRange(log, 11, 11 + 2 * PER_SEGMENT, 3);
      assertServes(log, 11, 11 + 2 * PER_SEGMENT);
    }
  }

  @Test
  void sparesLeftByAnEarlierProcessAreDeletedOnOpening() throws IOException {
    Path dir = root.resolve("wal");
    FileRaftLog log = FileRaftLog.open(dir, SPARES);
    appendRange(log, 1, 3 * PER_SEGMENT, 1);
    log.compactUpTo(2 * PER_SEGMENT + 5);
    assertThat(files(dir, FileRaftLog.SPARE_SUFFIX)).hasSize(2);
    Path copy = crashCopy(dir, root.resolve("crash"));
    log.close();
    try (FileRaftLog reopened = FileRaftLog.open(copy, SPARES)) {
      assertThat(files(copy, FileRaftLog.SPARE_SUFFIX)).isEmpty();
      assertThat(reopened.spareCount()).isZero();
      assertThat(reopened.recovery().clean()).isTrue();
      assertServes(reopened, 2 * PER_SEGMENT + 6, 3 * PER_SEGMENT);
    }
  }

  @Test
  void writesOverASpareAreReportedForForcing() throws IOException {
    Path dir = root.resolve("wal");
    WalOptions never = SPARES.withFsyncPolicy(FsyncPolicy.NEVER);
    try (FileRaftLog log = FileRaftLog.open(dir, never)) {
      appendRange(log, 1, 2 * PER_SEGMENT, 1);
      log.sync();
      log.takeWrittenSegments();
      log.compactUpTo(PER_SEGMENT + 1);
      appendRange(log, 2 * PER_SEGMENT + 1, 2 * PER_SEGMENT + 2, 1);
      log.sync();
      Path reused = dir.resolve(WalFormat.segmentName(2 * PER_SEGMENT + 1));
      // The new segment was a spare of the same size: only the report tells a forcer to force it.
      assertThat(log.takeWrittenSegments()).contains(reused);
      assertThat(log.takeWrittenSegments()).isEmpty();
      appendRange(log, 2 * PER_SEGMENT + 3, 2 * PER_SEGMENT + 3, 1);
      log.sync();
      assertThat(log.takeWrittenSegments()).containsExactly(reused);
    }
  }

  /**
   * Random workloads (appends of random sizes, truncations, compactions, syncs) with spares on
   * and small segments, then a crash that keeps every byte written: reopening must serve exactly
   * what was written from the first index on, report no damage, and never serve an old record.
   */
  @Test
  void randomWorkloadsWithSparesRecoverWhatWasWritten() throws IOException {
    SeedRange seeds = SeedRange.fromSystemProperties(40);
    for (int i = 0; i < seeds.count(); i++) {
      long seed = seeds.seed(i);
      try {
        runSeed(seed);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("WalSpareSegmentsTest failed for seed " + seed
            + " (replay: -Djscluster.sim.seedStart=" + seed + " -Djscluster.sim.seeds=1)", e);
      }
    }
    System.out.println("WalSpareSegmentsTest seeds " + seeds.start() + ".."
        + (seeds.start() + seeds.count() - 1) + " passed");
  }

  private void runSeed(long seed) throws IOException {
    Random rnd = new Random(seed);
    FsyncPolicy policy = rnd.nextBoolean() ? FsyncPolicy.ALWAYS : FsyncPolicy.ON_SYNC;
    WalOptions opts = WalOptions.defaults().withFsyncPolicy(policy)
        .withSegmentBytes(4096 + rnd.nextInt(4096)).withWriteBufferBytes(1024 + rnd.nextInt(2048))
        .withSpareSegments(1 + rnd.nextInt(3));
    Path live = root.resolve("live-" + seed);
    FileRaftLog log = FileRaftLog.open(live, opts);
    TreeMap<Long, byte[]> model = new TreeMap<>();
    long first = 1;
    long term = 1;
    int steps = 60 + rnd.nextInt(120);
    for (int step = 0; step < steps; step++) {
      int op = rnd.nextInt(20);
      if (op < 12) {
        long from = log.lastIndex() + 1;
        List<LogRecord> batch = new ArrayList<>();
        // Often the same size, so old records line up with new ones in reused files.
        boolean same = rnd.nextBoolean();
        for (int k = 0, n = 1 + rnd.nextInt(12); k < n; k++) {
          byte[] d = new byte[same ? 100 : rnd.nextInt(600)];
          rnd.nextBytes(d);
          batch.add(new LogRecord(from + k, term, d));
          model.put(from + k, d);
        }
        log.appendAll(batch);
      } else if (op < 13) {
        long to = Math.max(0, log.lastIndex() - rnd.nextInt(8));
        log.truncateAfter(to);
        model.tailMap(to, false).clear();
        if (to < first) {
          first = to + 1;
        }
        term++;
      } else if (op < 17) {
        long to = Math.min(log.lastIndex(), first - 1 + rnd.nextInt(40));
        log.compactUpTo(to);
        if (to >= first) {
          model.headMap(to, true).clear();
          first = to + 1;
        }
      } else {
        log.sync();
      }
    }
    log.sync();
    long last = log.lastIndex();
    Path copy = crashCopy(live, root.resolve("crash-" + seed));
    log.close();
    try (FileRaftLog reopened = FileRaftLog.open(copy, opts)) {
      String ctx = "seed " + seed + " " + opts + " report " + reopened.recovery();
      assertThat(reopened.recovery().damage()).as(ctx).isEmpty();
      assertThat(reopened.firstIndex()).as(ctx).isEqualTo(first);
      assertThat(reopened.lastIndex()).as(ctx).isEqualTo(last);
      for (long i = first; i <= last; i++) {
        assertThat(Arrays.equals(reopened.read(i).data(), model.get(i))).as(ctx + " @" + i)
            .isTrue();
      }
    }
  }
}
