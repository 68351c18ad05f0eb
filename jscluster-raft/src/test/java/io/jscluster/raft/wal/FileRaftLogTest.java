package io.jscluster.raft.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jscluster.raft.log.FsyncPolicy;
import io.jscluster.raft.log.LogException;
import io.jscluster.raft.log.LogRecord;
import io.jscluster.raft.log.RaftLog;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File-WAL behaviour beyond the SPI contract: fsync policies, segments, metadata, failures. */
class FileRaftLogTest {

  private static final WalOptions SMALL =
      WalOptions.defaults().withSegmentBytes(4096).withWriteBufferBytes(1024);

  @TempDir Path dir;

  /** A recognisable payload for record {@code i}: {@code #i#} then bytes derived from {@code i}. */
  static byte[] payload(long i, int size) {
    byte[] b = new byte[size];
    byte[] tag = ("#" + i + "#").getBytes(StandardCharsets.US_ASCII);
    for (int k = 0; k < size; k++) {
      b[k] = k < tag.length ? tag[k] : (byte) (i * 31 + k);
    }
    return b;
  }

  private static List<LogRecord> batch(long from, int n, long term, int size) {
    List<LogRecord> out = new ArrayList<>();
    for (long i = from; i < from + n; i++) {
      out.add(new LogRecord(i, term, payload(i, size)));
    }
    return out;
  }

  private List<String> segmentFiles() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".seg")).sorted()
          .toList();
    }
  }

  @Test
  void alwaysMakesABatchDurableWithOneForce() {
    try (FileRaftLog log = FileRaftLog.open(dir)) {
      assertThat(log.fsyncPolicy()).isEqualTo(FsyncPolicy.ALWAYS);
      log.appendAll(batch(1, 64, 1, 1024));
      assertThat(log.forceCount()).isEqualTo(1);
      log.appendAll(batch(65, 512, 2, 1024));
      assertThat(log.forceCount()).isEqualTo(2);
      log.append(577, 2, payload(577, 10));
      assertThat(log.forceCount()).isEqualTo(3);
      log.sync();
      assertThat(log.forceCount()).as("nothing left to force after an ALWAYS append")
          .isEqualTo(3);
      assertThat(log.lastIndex()).isEqualTo(577);
      assertThat(log.read(300).data()).isEqualTo(payload(300, 1024));
    }
  }

  @Test
  void onSyncForcesOnlyWhenAsked() {
    WalOptions opts = SMALL.withFsyncPolicy(FsyncPolicy.ON_SYNC);
    try (FileRaftLog log = FileRaftLog.open(dir, opts)) {
      for (long i = 1; i <= 100; i++) {
        log.append(i, 1, payload(i, 100));
      }
      assertThat(log.forceCount()).isZero();
      log.sync();
      assertThat(log.forceCount()).isEqualTo(1);
      // Reads are served whether the record is still buffered or already in a file.
      for (long i = 1; i <= 100; i++) {
        assertThat(log.read(i).data()).isEqualTo(payload(i, 100));
      }
    }
  }

  @Test
  void intervalForcesAtMostOncePerInterval() {
    AtomicLong now = new AtomicLong();
    WalOptions opts = SMALL.withSyncInterval(Duration.ofMillis(50)).withNanoClock(now::get);
    try (FileRaftLog log = FileRaftLog.open(dir, opts)) {
      assertThat(log.fsyncPolicy()).isEqualTo(FsyncPolicy.INTERVAL);
      log.append(1, 1, payload(1, 10));
      log.sync();
      assertThat(log.forceCount()).isZero();
      now.addAndGet(Duration.ofMillis(49).toNanos());
      log.append(2, 1, payload(2, 10));
      log.sync();
      assertThat(log.forceCount()).isZero();
      now.addAndGet(Duration.ofMillis(1).toNanos());
      log.sync();
      assertThat(log.forceCount()).isEqualTo(1);
      log.sync();
      assertThat(log.forceCount()).isEqualTo(1);
    }
    // Flushed to the OS by every sync: a clean reopen sees everything.
    try (FileRaftLog log = FileRaftLog.open(dir, opts)) {
      assertThat(log.lastIndex()).isEqualTo(2);
    }
  }

  @Test
  void segmentsRollAndCompactionDeletesWholeSegments() throws IOException {
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      log.appendAll(batch(1, 200, 1, 100));
      int before = log.segmentCount();
      assertThat(before).isGreaterThan(4);
      assertThat(segmentFiles()).hasSize(before);
      log.compactUpTo(120);
      assertThat(log.firstIndex()).isEqualTo(121);
      assertThat(log.segmentCount()).isLessThan(before);
      assertThat(segmentFiles()).hasSize(log.segmentCount());
      assertThat(log.read(121).data()).isEqualTo(payload(121, 100));
      assertThat(log.byteSize()).isEqualTo(80L * (24 + 100));
    }
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      assertThat(log.recovery().clean()).isTrue();
      assertThat(log.firstIndex()).isEqualTo(121);
      assertThat(log.lastIndex()).isEqualTo(200);
      assertThat(log.recovery().recordsRecovered()).isEqualTo(80);
      assertThatThrownBy(() -> log.read(120)).isInstanceOfSatisfying(LogException.class,
          e -> assertThat(e.kind()).isEqualTo(LogException.Kind.NOT_FOUND));
    }
  }

  @Test
  void resetsAndCompactionPastTheEndSurviveReopen() {
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      log.appendAll(batch(1, 50, 1, 100));
      log.compactUpTo(500);
    }
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      assertThat(log.firstIndex()).isEqualTo(501);
      assertThat(log.lastIndex()).isEqualTo(500);
      log.appendAll(batch(501, 10, 3, 100));
      log.truncateAfter(7); // below the first index: the log restarts at 8
    }
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      assertThat(log.firstIndex()).isEqualTo(8);
      assertThat(log.lastIndex()).isEqualTo(7);
      log.append(8, 4, payload(8, 5));
    }
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      assertThat(log.read(8).term()).isEqualTo(4);
      assertThat(log.recovery().clean()).isTrue();
    }
  }

  @Test
  void segmentsOfAnEarlierEpochAreDiscarded(@TempDir Path saved) throws IOException {
    // A reset that crashed after recording its new epoch but before deleting the old segments.
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      log.appendAll(batch(1, 100, 1, 100));
    }
    for (String name : segmentFiles()) {
      Files.copy(dir.resolve(name), saved.resolve(name));
    }
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      log.truncateAfter(0);
    }
    for (String name : segmentFiles()) {
      Files.delete(dir.resolve(name));
    }
    try (Stream<Path> s = Files.list(saved)) {
      for (Path p : s.toList()) {
        Files.copy(p, dir.resolve(p.getFileName()));
      }
    }
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      assertThat(log.isEmpty()).isTrue();
      assertThat(log.firstIndex()).isEqualTo(1);
      assertThat(log.recovery().segmentsDeleted()).isPositive();
      assertThat(log.recovery().notes()).anyMatch(n -> n.contains("earlier epoch"));
    }
  }

  @Test
  void truncationCutsFilesAndIsDurable() throws IOException {
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL.withFsyncPolicy(FsyncPolicy.ON_SYNC))) {
      log.appendAll(batch(1, 200, 1, 100));
      log.sync();
      log.truncateAfter(37);
      assertThat(log.lastIndex()).isEqualTo(37);
      assertThat(log.lastTerm()).isEqualTo(1);
      assertThat(segmentFiles()).hasSize(log.segmentCount());
      log.append(38, 2, payload(1000, 7));
    }
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      // The append after the truncation was not synced; the truncation was.
      assertThat(log.lastIndex()).isBetween(37L, 38L);
      assertThat(log.recovery().clean()).isTrue();
    }
  }

  @Test
  void truncatingToASegmentBoundaryKeepsTheRightLastTerm() {
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      log.appendAll(batch(1, 30, 1, 1000));
      log.appendAll(batch(31, 30, 2, 1000));
      // Find an index that starts a segment and cut just before it.
      long boundary = -1;
      for (long i = 2; i <= 60 && boundary < 0; i++) {
        if (Files.exists(dir.resolve(WalFormat.segmentName(i)))) {
          boundary = i;
        }
      }
      assertThat(boundary).isPositive();
      log.truncateAfter(boundary - 1);
      assertThat(log.lastIndex()).isEqualTo(boundary - 1);
      assertThat(log.lastTerm()).isEqualTo(boundary - 1 <= 30 ? 1 : 2);
      log.append(boundary, 9, payload(boundary, 3));
      assertThat(log.lastTerm()).isEqualTo(9);
    }
  }

  @Test
  void oversizedRecordsAreRefused() {
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL.withMaxRecordBytes(100))) {
      assertThatThrownBy(() -> log.append(1, 1, new byte[101]))
          .isInstanceOf(LogException.class).hasMessageContaining("exceeds");
      log.append(1, 1, new byte[100]);
      assertThat(log.failure()).isEmpty();
    }
  }

  @Test
  void recordsLargerThanTheWriteBufferGoStraightToTheFile() {
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL.withFsyncPolicy(FsyncPolicy.ON_SYNC))) {
      log.append(1, 1, payload(1, 10));
      log.append(2, 1, payload(2, 50_000));
      log.append(3, 1, payload(3, 10));
      assertThat(log.read(2).data()).isEqualTo(payload(2, 50_000));
      log.sync();
    }
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      assertThat(log.read(2).data()).isEqualTo(payload(2, 50_000));
      assertThat(log.read(3).data()).isEqualTo(payload(3, 10));
    }
  }

  @Test
  void aRecordDamagedAfterOpeningIsReportedCorruptOnRead() throws IOException {
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      log.appendAll(batch(1, 5, 1, 100));
      Path seg = dir.resolve(WalFormat.segmentName(1));
      try (RandomAccessFile raf = new RandomAccessFile(seg.toFile(), "rw")) {
        raf.seek(WalFormat.SEGMENT_HEADER + 2L * 124 + 30);
        raf.write(0x55);
      }
      assertThatThrownBy(() -> log.read(3)).isInstanceOfSatisfying(LogException.class,
          e -> assertThat(e.kind()).isEqualTo(LogException.Kind.CORRUPT));
      assertThat(log.read(2).data()).isEqualTo(payload(2, 100));
    }
  }

  @Test
  void aWriteErrorFailsTheLogForGood() {
    AtomicBoolean failWrites = new AtomicBoolean();
    ChannelOpener faulty = (p, o) -> new FaultyChannel(FileChannel.open(p, o), failWrites::get,
        () -> false);
    FileRaftLog log = FileRaftLog.open(dir, SMALL, faulty);
    log.appendAll(batch(1, 10, 1, 100));
    failWrites.set(true);
    assertThatThrownBy(() -> log.append(11, 1, payload(11, 100)))
        .isInstanceOfSatisfying(LogException.class,
            e -> assertThat(e.kind()).isEqualTo(LogException.Kind.IO));
    assertThat(log.failure()).isPresent();
    RaftLog asSpi = log;
    assertThat(asSpi.failure()).isPresent();
    failWrites.set(false);
    // Sticky: the disk recovering does not make the log writable again.
    assertThatThrownBy(() -> log.append(11, 1, payload(11, 100))).isInstanceOf(LogException.class);
    assertThatThrownBy(log::sync).isInstanceOf(LogException.class);
    assertThatThrownBy(() -> log.truncateAfter(3)).isInstanceOf(LogException.class);
    assertThatThrownBy(() -> log.compactUpTo(3)).isInstanceOf(LogException.class);
    assertThat(log.read(10).data()).isEqualTo(payload(10, 100));
    log.close();
  }

  @Test
  void anFsyncErrorFailsTheLogAndNothingIsAcknowledged() {
    AtomicBoolean failForce = new AtomicBoolean();
    ChannelOpener faulty = (p, o) -> new FaultyChannel(FileChannel.open(p, o), () -> false,
        failForce::get);
    FileRaftLog log = FileRaftLog.open(dir, SMALL, faulty);
    log.appendAll(batch(1, 3, 1, 100));
    failForce.set(true);
    assertThatThrownBy(() -> log.appendAll(batch(4, 3, 1, 100)))
        .isInstanceOf(LogException.class).hasMessageContaining("WAL write failed");
    assertThat(log.failure()).get().satisfies(e ->
        assertThat(e.getCause()).hasMessageContaining("fsync"));
    log.close();
  }

  @Test
  void cleanReopenReportsEverything() {
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      log.appendAll(batch(1, 100, 1, 100));
    }
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      WalRecovery r = log.recovery();
      assertThat(r.clean()).isTrue();
      assertThat(r.recordsRecovered()).isEqualTo(100);
      assertThat(r.bytesTruncated()).isZero();
      assertThat(r.segmentsScanned()).isEqualTo(log.segmentCount());
      assertThat(r.lastIndex()).isEqualTo(100);
    }
  }

  @Test
  void aTornTailIsCutAndReportedAsTorn() throws IOException {
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      log.appendAll(batch(1, 10, 1, 100));
    }
    Path seg = dir.resolve(WalFormat.segmentName(1));
    long size = Files.size(seg);
    try (RandomAccessFile raf = new RandomAccessFile(seg.toFile(), "rw")) {
      raf.setLength(size - 30); // the last record lost its end
    }
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      WalRecovery r = log.recovery();
      assertThat(r.damage()).get().satisfies(d -> {
        assertThat(d.tornTail()).isTrue();
        assertThat(d.index()).isEqualTo(10);
        assertThat(d.offset()).isEqualTo(WalFormat.SEGMENT_HEADER + 9L * 124);
      });
      assertThat(r.bytesTruncated()).isEqualTo(124 - 30);
      assertThat(log.lastIndex()).isEqualTo(9);
      assertThat(log.recoveryDamage()).get().asString().startsWith("torn tail: ")
          .contains("index 10");
      log.append(10, 2, payload(10, 1));
    }
  }

  @Test
  void corruptionInsideTheLogDropsEverythingAfterItAndIsNotTorn() throws IOException {
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      log.appendAll(batch(1, 100, 1, 100));
      assertThat(log.segmentCount()).isGreaterThan(2);
    }
    Path seg = dir.resolve(WalFormat.segmentName(1));
    try (RandomAccessFile raf = new RandomAccessFile(seg.toFile(), "rw")) {
      raf.seek(WalFormat.SEGMENT_HEADER + 4L * 124 + 50);
      raf.write(raf.read() ^ 1);
    }
    int segmentsBefore = segmentFiles().size();
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      WalRecovery r = log.recovery();
      assertThat(r.damage()).get().satisfies(d -> {
        assertThat(d.tornTail()).isFalse();
        assertThat(d.kind()).isEqualTo(WalRecovery.Damage.Kind.CORRUPT);
        assertThat(d.index()).isEqualTo(5);
        assertThat(d.reason()).contains("checksum");
      });
      assertThat(r.segmentsDeleted()).isEqualTo(segmentsBefore - 1);
      assertThat(log.lastIndex()).isEqualTo(4);
      assertThat(r.recordsRecovered()).isEqualTo(4);
    }
  }

  @Test
  void aDirectoryCanBeOpenedOnlyOnce() {
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      assertThatThrownBy(() -> FileRaftLog.open(dir, SMALL)).isInstanceOfSatisfying(
          LogException.class, e -> assertThat(e.kind()).isEqualTo(LogException.Kind.IO));
      log.append(1, 1, payload(1, 1));
    }
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      assertThat(log.lastIndex()).isEqualTo(1);
    }
  }

  @Test
  void damageInSegmentsLeftByAnInterruptedCompactionCostsNoLiveRecord(@TempDir Path saved)
      throws IOException {
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      log.appendAll(batch(1, 100, 1, 100));
      for (String name : segmentFiles()) {
        Files.copy(dir.resolve(name), saved.resolve(name));
      }
      log.compactUpTo(60);
    }
    // The crash came after wal.meta was written but before the old segments were deleted.
    try (Stream<Path> s = Files.list(saved)) {
      for (Path p : s.toList()) {
        if (!Files.exists(dir.resolve(p.getFileName()))) {
          Files.copy(p, dir.resolve(p.getFileName()));
        }
      }
    }
    try (RandomAccessFile raf = new RandomAccessFile(
        dir.resolve(WalFormat.segmentName(1)).toFile(), "rw")) {
      raf.seek(100);
      raf.write(raf.read() ^ 0x40);
    }
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      WalRecovery r = log.recovery();
      assertThat(r.clean()).as(r.toString()).isTrue();
      assertThat(r.notes()).anyMatch(n -> n.contains("interrupted compaction"));
      assertThat(log.firstIndex()).isEqualTo(61);
      assertThat(log.lastIndex()).isEqualTo(100);
      assertThat(log.read(61).data()).isEqualTo(payload(61, 100));
    }
  }

  private static void xorByte(Path file, long at, int mask) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(at);
      int b = raf.read();
      raf.seek(at);
      raf.write(b ^ mask);
    }
  }

  /** Offset of record {@code index} in segment 1 when every record has a 100-byte payload. */
  private static long offsetOf(long index) {
    return WalFormat.SEGMENT_HEADER + (index - 1) * 124;
  }

  @Test
  void aCompleteLastRecordWithABadChecksumIsCorruptionNotATornTail() throws IOException {
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      log.appendAll(batch(1, 10, 1, 100));
    }
    Path seg = dir.resolve(WalFormat.segmentName(1));
    xorByte(seg, offsetOf(10) + 24 + 60, 0x08); // inside the last record's payload
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      WalRecovery r = log.recovery();
      assertThat(r.damage()).get().satisfies(d -> {
        assertThat(d.kind()).isEqualTo(WalRecovery.Damage.Kind.CORRUPT);
        assertThat(d.tornTail()).isFalse();
        assertThat(d.index()).isEqualTo(10);
        assertThat(d.offset()).isEqualTo(offsetOf(10));
        assertThat(d.reason()).contains("checksum");
      });
      assertThat(log.recoveryDamage()).get().asString()
          .startsWith("corrupt record: checksum mismatch").contains("index 10");
      assertThat(log.lastIndex()).isEqualTo(9);
    }
  }

  @Test
  void aZeroFilledTailIsATornTail() throws IOException {
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      log.appendAll(batch(1, 10, 1, 100));
    }
    Path seg = dir.resolve(WalFormat.segmentName(1));
    long size = Files.size(seg);
    // The file grew but the data of the last write never reached the disk.
    try (RandomAccessFile raf = new RandomAccessFile(seg.toFile(), "rw")) {
      raf.setLength(size + 2 * 124);
    }
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      assertThat(log.recovery().damage()).get().satisfies(d -> {
        assertThat(d.kind()).isEqualTo(WalRecovery.Damage.Kind.TORN_TAIL);
        assertThat(d.index()).isEqualTo(11);
        assertThat(d.offset()).isEqualTo(size);
      });
      assertThat(log.lastIndex()).isEqualTo(10);
    }
    assertThat(Files.size(seg)).isEqualTo(size);
  }

  @Test
  void aCorruptRecordBelowTheFirstIndexCostsNoLiveRecordAndIsReported() throws IOException {
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      log.appendAll(batch(1, 100, 1, 100));
      log.compactUpTo(20); // segment 1 (records 1..32) now starts with compacted records
    }
    Path seg = dir.resolve(WalFormat.segmentName(1));
    xorByte(seg, offsetOf(5) + 24 + 40, 0x01);
    for (int pass = 0; pass < 2; pass++) {
      try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
        WalRecovery r = log.recovery();
        assertThat(r.damage()).as("nothing live was cut").isEmpty();
        assertThat(r.compactedDamage()).singleElement().satisfies(d -> {
          assertThat(d.kind()).isEqualTo(WalRecovery.Damage.Kind.COMPACTED);
          assertThat(d.index()).isEqualTo(5);
          assertThat(d.offset()).isEqualTo(offsetOf(5));
          assertThat(d.describe()).startsWith("corrupt compacted record: checksum mismatch");
        });
        assertThat(r.clean()).isFalse();
        assertThat(log.recoveryDamage()).as("no served record was lost").isEmpty();
        assertThat(log.firstIndex()).isEqualTo(21);
        assertThat(log.lastIndex()).isEqualTo(100 + pass);
        for (long i = 21; i <= 100; i++) {
          assertThat(log.read(i).data()).isEqualTo(payload(i, 100));
        }
        assertThat(log.byteSize()).isEqualTo((80L + pass) * 124);
        log.append(101 + pass, 2, payload(101 + pass, 100));
      }
    }
  }

  @Test
  void aCorruptLengthBelowTheFirstIndexIsSteppedOverByFindingTheNextRecord() throws IOException {
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      log.appendAll(batch(1, 100, 1, 100));
      log.compactUpTo(20);
    }
    Path seg = dir.resolve(WalFormat.segmentName(1));
    xorByte(seg, offsetOf(7) + 1, 0x02); // length 100 -> 612: its end falls inside record 12
    // and garble records 8 and 9 outright, headers included
    try (RandomAccessFile raf = new RandomAccessFile(seg.toFile(), "rw")) {
      raf.seek(offsetOf(8));
      raf.write(new byte[2 * 124 - 7]);
    }
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      WalRecovery r = log.recovery();
      assertThat(r.damage()).isEmpty();
      assertThat(r.compactedDamage()).extracting(WalRecovery.Damage::index).containsExactly(7L);
      assertThat(log.firstIndex()).isEqualTo(21);
      assertThat(log.lastIndex()).isEqualTo(100);
      assertThat(log.read(21).data()).isEqualTo(payload(21, 100));
    }
  }

  @Test
  void damageReachingTheFirstLiveRecordIsCorruptionAndNothingAfterItIsServed() throws IOException {
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      log.appendAll(batch(1, 100, 1, 100));
      log.compactUpTo(10);
    }
    Path seg = dir.resolve(WalFormat.segmentName(1));
    // Records 5..11 overwritten: no valid record of an index up to the first live one (11).
    try (RandomAccessFile raf = new RandomAccessFile(seg.toFile(), "rw")) {
      raf.seek(offsetOf(5) + 3);
      byte[] junk = new byte[7 * 124];
      new java.util.Random(5).nextBytes(junk);
      raf.write(junk);
    }
    try (FileRaftLog log = FileRaftLog.open(dir, SMALL)) {
      WalRecovery r = log.recovery();
      assertThat(r.damage()).get().satisfies(d -> {
        assertThat(d.kind()).isEqualTo(WalRecovery.Damage.Kind.CORRUPT);
        assertThat(d.index()).isEqualTo(5);
      });
      assertThat(log.recoveryDamage()).isPresent();
      assertThat(log.isEmpty()).isTrue();
      assertThat(log.firstIndex()).isEqualTo(11);
    }
  }
}
