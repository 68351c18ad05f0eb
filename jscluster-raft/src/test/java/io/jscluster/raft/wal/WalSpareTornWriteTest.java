package io.jscluster.raft.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.log.FsyncPolicy;
import io.jscluster.raft.log.LogRecord;
import io.jscluster.raft.wal.WalRecovery.Damage;
import io.jscluster.testing.SeedRange;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power losses during writes over a spare segment, with {@link ForceTracker} keeping what was
 * forced apart from what was only written: whatever part of the unforced writes reaches the disk
 * (every byte prefix, every set of whole pages), reopening serves every forced record unchanged,
 * serves no record that was not written there, and reports a torn tail, never corruption, unless a
 * complete record written after the lost part reached the disk (then the disk cannot tell a torn
 * write from a lost one in the middle of the log). Real damage in the middle of a reused segment
 * is still reported as corruption.
 */
class WalSpareTornWriteTest {

  // 124-byte records (100-byte payloads): a reused file holds old records at exactly the offsets
  // where new ones go. 32 KiB segments, so that one write can cover several pages.
  private static final int SEGMENT = 32 * 1024;
  private static final int PER_SEGMENT = (SEGMENT - WalFormat.SEGMENT_HEADER) / 124;
  private static final WalOptions OPTIONS = WalOptions.defaults()
      .withFsyncPolicy(FsyncPolicy.ON_SYNC).withSegmentBytes(SEGMENT)
      .withWriteBufferBytes(16 * 1024).withSpareSegments(2);

  @TempDir Path root;
  // The live logs' files are throwaway too: their forces need not reach the disk.
  private final ForceTracker tracker = new ForceTracker(false);

  private static byte[] data(long index, long term, int size) {
    byte[] b = FileRaftLogTest.payload(index, size);
    if (size > 0) {
      b[size - 1] ^= (byte) term;
    }
    return b;
  }

  private static List<LogRecord> records(long from, long to, long term, int size) {
    List<LogRecord> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(new LogRecord(i, term, data(i, term, size)));
    }
    return out;
  }

  /**
   * A live log whose active segment is a reused spare holding {@code forced} forced records, its
   * end marker at {@link #writeAt}.
   */
  private final class Reused {
    final Path dir = root.resolve("live");
    final FileRaftLog log = FileRaftLog.open(dir, OPTIONS, tracker);
    final long base;
    final Path segment;
    final long forcedLast;
    final long writeAt;

    Reused(int forced) {
      // Segments 1 and 2 full; compacting segment 1 away makes it a spare, which segment 3 reuses.
      log.appendAll(records(1, 2L * PER_SEGMENT, 1, 100));
      log.sync();
      log.compactUpTo(PER_SEGMENT + 10);
      assertThat(log.spareCount()).isEqualTo(1);
      base = 2L * PER_SEGMENT + 1;
      log.appendAll(records(base, base + forced - 1, 1, 100));
      log.sync();
      assertThat(log.spareCount()).isZero();
      segment = dir.resolve(WalFormat.segmentName(base));
      forcedLast = base + forced - 1;
      writeAt = WalFormat.SEGMENT_HEADER + forced * 124L;
    }
  }

  /** One write over the old contents: its records and the end marker behind them. */
  private record Layout(long writeAt, long firstIndex, List<LogRecord> records, byte[] bytes) {

    long offsetOf(int k) {
      long at = writeAt;
      for (int i = 0; i < k; i++) {
        at += WalFormat.RECORD_HEADER + records.get(i).data().length;
      }
      return at;
    }

    static Layout of(long writeAt, List<LogRecord> records) {
      CRC32C crc = new CRC32C();
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      byte[] h = new byte[WalFormat.RECORD_HEADER];
      for (LogRecord r : records) {
        WalFormat.encodeRecordHeader(h, r.data().length, r.index(), r.term(), r.data(), crc);
        out.writeBytes(h);
        out.writeBytes(r.data());
      }
      WalFormat.encodeEndMarker(h, records.get(records.size() - 1).index() + 1, crc);
      out.writeBytes(h);
      return new Layout(writeAt, records.get(0).index(), records, out.toByteArray());
    }
  }

  /** What recovery must find on an image: derived from the bytes, not from the log's code. */
  private record Expected(long last, Damage.Kind kind, long damagedIndex, long damagedOffset) {}

  private static boolean holds(byte[] file, long at, byte[] want, int from, int length) {
    if (at + length > file.length) {
      return false;
    }
    return Arrays.equals(file, (int) at, (int) at + length, want, from, from + length);
  }

  /**
   * Reads the image the way the format defines it: new records from the write's start while they
   * are wholly on disk; an end marker naming the next index ends the log there (the previous
   * write's marker if the first bytes were lost); otherwise the first missing record is the
   * damage, torn unless a complete record (or the final marker) of the write lies behind it.
   */
  private static Expected expect(byte[] file, Layout w) {
    CRC32C crc = new CRC32C();
    byte[] marker = new byte[WalFormat.RECORD_HEADER];
    int n = w.records().size();
    int k = 0;
    while (true) {
      long at = w.offsetOf(k);
      long index = w.firstIndex() + k;
      WalFormat.encodeEndMarker(marker, index, crc);
      if (holds(file, at, marker, 0, marker.length)) {
        return new Expected(index - 1, null, 0, 0);
      }
      if (k == n) {
        return new Expected(index - 1, Damage.Kind.TORN_TAIL, index, at);
      }
      int length = WalFormat.RECORD_HEADER + w.records().get(k).data().length;
      if (!holds(file, at, w.bytes(), (int) (at - w.writeAt()), length)) {
        boolean follows = false;
        for (int j = k + 1; j <= n; j++) {
          long from = w.offsetOf(j);
          int len = j == n ? WalFormat.RECORD_HEADER
              : WalFormat.RECORD_HEADER + w.records().get(j).data().length;
          follows |= holds(file, from, w.bytes(), (int) (from - w.writeAt()), len);
        }
        return new Expected(index - 1, follows ? Damage.Kind.CORRUPT : Damage.Kind.TORN_TAIL,
            index, at);
      }
      k++;
    }
  }

  /**
   * Reopens {@code image} and checks it against {@code want}; with {@code appendAfter}, appends to the
   * repaired log and checks it reopens clean.
   */
  private static void check(Path image, Expected want, long firstLive, long forcedLast,
      Layout w, String ctx, boolean appendAfter) {
    try (FileRaftLog log = FileRaftLog.open(image, OPTIONS, new ForceTracker(false))) {
      WalRecovery r = log.recovery();
      String at = ctx + " " + r;
      if (want.kind() == null) {
        assertThat(r.damage()).as(at).isEmpty();
      } else {
        assertThat(r.damage()).as(at).isPresent();
        Damage d = r.damage().get();
        assertThat(d.kind()).as(at).isEqualTo(want.kind());
        assertThat(d.index()).as(at).isEqualTo(want.damagedIndex());
        assertThat(d.offset()).as(at).isEqualTo(want.damagedOffset());
      }
      assertThat(log.firstIndex()).as(at).isEqualTo(firstLive);
      assertThat(log.lastIndex()).as(at).isEqualTo(want.last());
      for (long i = firstLive; i <= forcedLast; i++) {
        LogRecord got = log.read(i);
        // Compared first, described only on a mismatch: this runs for hundreds of records.
        if (got.term() != 1 || !Arrays.equals(got.data(), data(i, 1, 100))) {
          assertSameRecord(got, new LogRecord(i, 1, data(i, 1, 100)), at);
        }
      }
      for (long i = forcedLast + 1; i <= log.lastIndex(); i++) {
        LogRecord written = w.records().get((int) (i - w.firstIndex()));
        assertSameRecord(log.read(i), written, at);
      }
      if (!appendAfter) {
        return;
      }
      long next = log.lastIndex() + 1;
      log.append(next, 7, data(next, 7, 10));
      log.sync();
    }
    try (FileRaftLog again = FileRaftLog.open(image, OPTIONS, new ForceTracker(false))) {
      assertThat(again.recovery().damage()).as(ctx + " reopened").isEmpty();
      assertThat(again.lastIndex()).as(ctx + " reopened").isEqualTo(want.last() + 1);
    }
  }

  private static void deleteTree(Path p) throws IOException {
    try (var s = Files.walk(p)) {
      for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }

  @Test
  void aWriteOverASpareTornAtAnyByteIsATornTail() throws IOException {
    Reused live = new Reused(20);
    // Three records and their end marker over the old segment's records 21..24.
    List<LogRecord> batch = records(live.forcedLast + 1, live.forcedLast + 3, 2, 100);
    Layout w = Layout.of(live.writeAt, batch);
    live.log.appendAll(batch);
    live.log.close(); // written, never forced
    assertThat(tracker.state(live.segment).pending).hasSize(1);
    int torn = 0;
    for (int n = 0; n <= w.bytes().length; n++) {
      Path image = tracker.crashImage(live.dir, root.resolve("image"),
          ForceTracker.prefix(live.segment, n));
      Expected want = expect(Files.readAllBytes(image.resolve(live.segment.getFileName())), w);
      // Nothing follows the first missing byte: never corruption.
      assertThat(want.kind()).as("byte %d", n).isNotEqualTo(Damage.Kind.CORRUPT);
      torn += want.kind() == Damage.Kind.TORN_TAIL ? 1 : 0;
      // Appending to the repaired log costs fsyncs: every 16th cut is enough for that.
      check(image, want, PER_SEGMENT + 11, live.forcedLast, w, "first " + n + " bytes",
          n % 16 == 0 || n == w.bytes().length);
      deleteTree(image);
    }
    // Header, payload and end marker torn: nearly every cut (a few new bytes equal the old ones
    // they replace, so some cuts leave a record or the marker whole already).
    assertThat(torn).isGreaterThan(w.bytes().length - 20);
  }

  @Test
  void aWriteOfManyRecordsOverASpareLosingAnySetOfPages() throws IOException {
    Reused live = new Reused(30);
    // 14 KiB of records in one write: five pages, the first and last shared with other bytes.
    List<LogRecord> batch = records(live.forcedLast + 1, live.forcedLast + 115, 2, 100);
    Layout w = Layout.of(live.writeAt, batch);
    live.log.appendAll(batch);
    live.log.close();
    int firstPage = (int) (w.writeAt() / ForceTracker.PAGE);
    int lastPage = (int) ((w.writeAt() + w.bytes().length - 1) / ForceTracker.PAGE);
    int pages = lastPage - firstPage + 1;
    assertThat(pages).isEqualTo(5);
    int torn = 0;
    int ambiguous = 0;
    for (int set = 0; set < 1 << pages; set++) {
      int kept = set;
      Path image = tracker.crashImage(live.dir, root.resolve("image"),
          ForceTracker.pages(live.segment, p -> p >= firstPage && p <= lastPage
              && (kept >> (p - firstPage) & 1) == 1));
      Expected want = expect(Files.readAllBytes(image.resolve(live.segment.getFileName())), w);
      torn += want.kind() == Damage.Kind.TORN_TAIL ? 1 : 0;
      ambiguous += want.kind() == Damage.Kind.CORRUPT ? 1 : 0;
      // Pages reaching the disk in order (a prefix of them) never leave a complete record behind
      // a lost one.
      if (Integer.bitCount(set + 1) == 1) {
        assertThat(want.kind()).as("pages %s", Integer.toBinaryString(set))
            .isNotEqualTo(Damage.Kind.CORRUPT);
      }
      check(image, want, PER_SEGMENT + 11, live.forcedLast, w,
          "pages " + Integer.toBinaryString(set), true);
      deleteTree(image);
    }
    System.out.println("WalSpareTornWriteTest page sets: " + (1 << pages) + ", torn tails " + torn
        + ", a complete record behind a lost page (reported as corruption) " + ambiguous);
    assertThat(torn).isPositive();
  }

  /**
   * Random workloads of several unforced writes of random sizes over a spare, cut at a random
   * byte of them (the writes before it reached the disk, the one holding it in part): a torn tail
   * or nothing, never corruption.
   */
  @Test
  void randomUnforcedWritesOverASpareCutAtRandomBytes() throws IOException {
    SeedRange seeds = SeedRange.fromSystemProperties(20);
    for (int i = 0; i < seeds.count(); i++) {
      long seed = seeds.seed(i);
      try {
        runCutSeed(seed);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("WalSpareTornWriteTest failed for seed " + seed
            + " (replay: -Djscluster.sim.seedStart=" + seed + " -Djscluster.sim.seeds=1)", e);
      }
    }
    System.out.println("WalSpareTornWriteTest cut seeds " + seeds.start() + ".."
        + (seeds.start() + seeds.count() - 1) + " passed");
  }

  private void runCutSeed(long seed) throws IOException {
    Random rnd = new Random(seed);
    Path base = root.resolve("seed-" + seed);
    ForceTracker t = new ForceTracker();
    Path dir = base.resolve("live");
    WalOptions opts = OPTIONS.withWriteBufferBytes(1024 + rnd.nextInt(4096));
    FileRaftLog log = FileRaftLog.open(dir, opts, t);
    java.util.TreeMap<Long, LogRecord> model = new java.util.TreeMap<>();
    List<LogRecord> initial = records(1, 2L * PER_SEGMENT, 1, 100);
    log.appendAll(initial);
    log.sync();
    log.compactUpTo(PER_SEGMENT + 10);
    long from = 2L * PER_SEGMENT + 1;
    List<LogRecord> reused = records(from, from + rnd.nextInt(40), 1, 100);
    log.appendAll(reused);
    log.sync();
    initial.forEach(r -> model.put(r.index(), r));
    reused.forEach(r -> model.put(r.index(), r));
    long forcedLast = log.lastIndex();
    Path seg = dir.resolve(WalFormat.segmentName(from));
    long writeAt = WalFormat.SEGMENT_HEADER + reused.size() * 124L;
    // Unforced appends of random sizes in several writes, all inside the reused segment; some
    // batches synced (forced) on the way.
    List<LogRecord> written = new ArrayList<>();
    long end = writeAt;
    long next = forcedLast + 1;
    for (int b = 0, batches = 1 + rnd.nextInt(6); b < batches; b++) {
      List<LogRecord> batch = new ArrayList<>();
      for (int k = 0, n = 1 + rnd.nextInt(8); k < n; k++) {
        int size = rnd.nextBoolean() ? 100 : rnd.nextInt(900);
        if (end + 2 * WalFormat.RECORD_HEADER + size > SEGMENT) {
          break;
        }
        batch.add(new LogRecord(next, 2, data(next, 2, size)));
        end += WalFormat.RECORD_HEADER + size;
        next++;
      }
      if (batch.isEmpty()) {
        break;
      }
      log.appendAll(batch);
      batch.forEach(r -> model.put(r.index(), r));
      written.addAll(batch);
      if (rnd.nextBoolean()) {
        log.sync(); // a force under ON_SYNC: what follows is the unforced part
        forcedLast = log.lastIndex();
        written.clear();
        writeAt = end;
      }
    }
    log.close();
    long pendingBytes = 0;
    for (ForceTracker.Op op : t.state(seg).pending) {
      pendingBytes += op instanceof ForceTracker.Write w ? w.bytes().length : 0;
    }
    long cut = (long) (rnd.nextDouble() * (pendingBytes + 1));
    Path image = t.crashImage(dir, base.resolve("image"), ForceTracker.prefix(seg, cut));
    String ctx = "seed " + seed + " cut " + cut + "/" + pendingBytes;
    Expected want = written.isEmpty() ? new Expected(forcedLast, null, 0, 0)
        : expect(Files.readAllBytes(image.resolve(seg.getFileName())), Layout.of(writeAt,
            written));
    assertThat(want.kind()).as(ctx).isNotEqualTo(Damage.Kind.CORRUPT);
    try (FileRaftLog reopened = FileRaftLog.open(image, opts)) {
      WalRecovery r = reopened.recovery();
      ctx += " " + r;
      assertThat(r.damage().map(Damage::kind).orElse(null)).as(ctx).isEqualTo(want.kind());
      assertThat(reopened.firstIndex()).as(ctx).isEqualTo(PER_SEGMENT + 11);
      assertThat(reopened.lastIndex()).as(ctx).isEqualTo(want.last());
      for (long i = reopened.firstIndex(); i <= reopened.lastIndex(); i++) {
        assertSameRecord(reopened.read(i), model.get(i), ctx);
      }
    }
  }

  @Test
  void aRecordDamagedInTheMiddleOfAReusedSegmentIsCorruption() throws IOException {
    Reused live = new Reused(60);
    live.log.close();
    Path image = tracker.crashImage(live.dir, root.resolve("image"), ForceTracker.FORCED_ONLY);
    Path seg = image.resolve(live.segment.getFileName());
    // A bit of record base+29's payload: records base+30.. behind it are intact.
    long at = WalFormat.SEGMENT_HEADER + 29 * 124L + WalFormat.RECORD_HEADER + 50;
    flip(seg, at);
    try (FileRaftLog log = FileRaftLog.open(image, OPTIONS)) {
      assertThat(log.recovery().damage()).get().satisfies(d -> {
        assertThat(d.kind()).isEqualTo(Damage.Kind.CORRUPT);
        assertThat(d.index()).isEqualTo(live.base + 29);
      });
      assertThat(log.recoveryDamage()).get().asString().startsWith("corrupt record: ");
      assertThat(log.lastIndex()).isEqualTo(live.base + 28);
    }
  }

  @Test
  void theLastRecordOfAReusedSegmentDamagedBeforeItsEndMarkerIsCorruption() throws IOException {
    Reused live = new Reused(60);
    live.log.close();
    Path image = tracker.crashImage(live.dir, root.resolve("image"), ForceTracker.FORCED_ONLY);
    flip(image.resolve(live.segment.getFileName()),
        WalFormat.SEGMENT_HEADER + 59 * 124L + WalFormat.RECORD_HEADER + 7);
    try (FileRaftLog log = FileRaftLog.open(image, OPTIONS)) {
      // The end marker behind it names the next index: the record was complete on disk.
      assertThat(log.recovery().damage()).get().extracting(Damage::kind)
          .isEqualTo(Damage.Kind.CORRUPT);
      assertThat(log.lastIndex()).isEqualTo(live.base + 58);
    }
  }

  @Test
  void aLengthDamagedInTheMiddleOfAReusedSegmentIsCorruptionNotATornTail() throws IOException {
    Reused live = new Reused(60);
    live.log.close();
    Path image = tracker.crashImage(live.dir, root.resolve("image"), ForceTracker.FORCED_ONLY);
    // Record base+9's length now reaches past the end of the file: it looks cut short, but the
    // records behind it are intact.
    flip(image.resolve(live.segment.getFileName()), WalFormat.SEGMENT_HEADER + 9 * 124L + 2);
    try (FileRaftLog log = FileRaftLog.open(image, OPTIONS)) {
      assertThat(log.recovery().damage()).get().satisfies(d -> {
        assertThat(d.kind()).isEqualTo(Damage.Kind.CORRUPT);
        assertThat(d.index()).isEqualTo(live.base + 9);
      });
    }
  }

  @Test
  void aTornWriteBeforeTheNextSegmentWasMadeFromASpareIsATornTail() throws IOException {
    Path dir = root.resolve("live");
    FileRaftLog log = FileRaftLog.open(dir, OPTIONS, tracker);
    log.appendAll(records(1, 2L * PER_SEGMENT, 1, 100));
    log.sync();
    log.compactUpTo(PER_SEGMENT + 10);
    long forcedLast = 2L * PER_SEGMENT - 20;
    log.truncateAfter(forcedLast);
    log.sync();
    // Twenty records fill segment 2 again and the next ones roll into the spare: the roll forces
    // segment 2's last write before segment 3 is made, so only segment 3's write is unforced.
    List<LogRecord> batch = records(forcedLast + 1, forcedLast + 25, 2, 100);
    log.appendAll(batch);
    Path seg2 = dir.resolve(WalFormat.segmentName(PER_SEGMENT + 1));
    Path seg3 = dir.resolve(WalFormat.segmentName(2L * PER_SEGMENT + 1));
    assertThat(seg3).exists();
    log.close();
    assertThat(tracker.state(seg2).pending).as("the segment left behind was forced").isEmpty();
    // Segment 3 holds its forced header and end marker; its records were never forced.
    Layout w = Layout.of(WalFormat.SEGMENT_HEADER, batch.subList(20, 25));
    for (int n = 0; n <= w.bytes().length; n += 7) {
      Path image = tracker.crashImage(dir, root.resolve("image"), ForceTracker.prefix(seg3, n));
      Expected want = expect(Files.readAllBytes(image.resolve(seg3.getFileName())), w);
      assertThat(want.kind()).isNotEqualTo(Damage.Kind.CORRUPT);
      try (FileRaftLog reopened = FileRaftLog.open(image, OPTIONS)) {
        String ctx = n + " bytes " + reopened.recovery();
        assertThat(reopened.recovery().damage().map(Damage::kind).orElse(null)).as(ctx)
            .isEqualTo(want.kind());
        assertThat(reopened.lastIndex()).as(ctx).isEqualTo(want.last());
        for (long i = PER_SEGMENT + 11; i <= 2L * PER_SEGMENT; i++) {
          long term = i <= forcedLast ? 1 : 2;
          assertThat(reopened.read(i).data()).as(ctx).isEqualTo(data(i, term, 100));
        }
      }
      deleteTree(image);
    }
  }

  @Test
  void aSegmentMadeFromASpareBehindALostWriteIsATornTail() throws IOException {
    // The rule does not lean on the force at a roll (a directory written before it, or a file
    // system that reorders): the previous segment's last write lost entirely, the next segment's
    // file there with its header only and a spare's old records behind it.
    Path dir = root.resolve("live");
    FileRaftLog log = FileRaftLog.open(dir, OPTIONS, tracker);
    log.appendAll(records(1, PER_SEGMENT - 5, 1, 100));
    log.sync();
    log.close();
    // Segment 2 as a spare reused for index PER_SEGMENT + 1 would leave it: a file with a valid
    // header of the log's epoch and no record, while segment 1 ends five records early.
    Path seg2 = dir.resolve(WalFormat.segmentName(PER_SEGMENT + 1));
    try (var ch = java.nio.channels.FileChannel.open(seg2,
        java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(WalFormat.encodeSegmentHeader(PER_SEGMENT + 1, 0, new CRC32C()));
      byte[] marker = new byte[WalFormat.RECORD_HEADER];
      WalFormat.encodeEndMarker(marker, PER_SEGMENT + 1, new CRC32C());
      ch.write(java.nio.ByteBuffer.wrap(marker));
      // Old contents behind: records of a lower segment.
      for (LogRecord r : records(3, 40, 1, 100)) {
        byte[] h = new byte[WalFormat.RECORD_HEADER];
        WalFormat.encodeRecordHeader(h, 100, r.index(), 1, r.data(), new CRC32C());
        ch.write(java.nio.ByteBuffer.wrap(h));
        ch.write(java.nio.ByteBuffer.wrap(r.data()));
      }
    }
    try (FileRaftLog reopened = FileRaftLog.open(dir, OPTIONS)) {
      assertThat(reopened.recovery().damage()).get().satisfies(d -> {
        assertThat(d.kind()).isEqualTo(Damage.Kind.TORN_TAIL);
        assertThat(d.index()).isEqualTo(PER_SEGMENT - 4);
      });
      assertThat(reopened.lastIndex()).isEqualTo(PER_SEGMENT - 5);
      assertThat(seg2).doesNotExist();
    }
  }

  @Test
  void aSpareWhoseRenameWasLostIsDeletedNotReadAsCorruption() throws IOException {
    Path dir = root.resolve("live");
    FileRaftLog log = FileRaftLog.open(dir, OPTIONS, tracker);
    log.appendAll(records(1, 100, 1, 100));
    log.sync();
    // Everything compacted: segment 1 becomes a spare and at once segment 101, its header forced.
    log.compactUpTo(100);
    log.appendAll(records(101, 110, 2, 100));
    log.close();
    Path image = tracker.crashImage(dir, root.resolve("image"),
        ForceTracker.prefix(dir.resolve(WalFormat.segmentName(101)), 3 * 124));
    // Neither rename became durable: the file is still under segment 1's name, with segment 101's
    // header, three new records over the old ones and old records 5..100 behind them.
    Files.move(image.resolve(WalFormat.segmentName(101)), image.resolve(WalFormat.segmentName(1)));
    try (FileRaftLog reopened = FileRaftLog.open(image, OPTIONS)) {
      WalRecovery r = reopened.recovery();
      assertThat(r.damage()).as(r.toString()).isEmpty();
      assertThat(r.notes()).as(r.toString()).anyMatch(n -> n.contains("interrupted"));
      assertThat(reopened.firstIndex()).isEqualTo(101);
      assertThat(reopened.isEmpty()).isTrue();
      assertThat(image.resolve(WalFormat.segmentName(1))).doesNotExist();
    }
  }

  @Test
  void recordsOfATornWriteBehindASurvivingEndMarkerAreNeverServedLater() throws IOException {
    Reused live = new Reused(30);
    List<LogRecord> lost = records(live.forcedLast + 1, live.forcedLast + 100, 2, 100);
    live.log.appendAll(lost);
    live.log.close();
    // The page holding the write's start never reached the disk, the later ones did: recovery
    // stops at the previous end marker, and behind it lie complete records of the indexes the log
    // will write next.
    int startPage = (int) (live.writeAt / ForceTracker.PAGE);
    Path first = tracker.crashImage(live.dir, root.resolve("first"),
        ForceTracker.pages(live.segment, p -> p > startPage));
    // A record wholly in a page that reached the disk.
    long stale = live.forcedLast + 1;
    while (WalFormat.SEGMENT_HEADER + (stale - live.base) * 124 < (startPage + 1L)
        * ForceTracker.PAGE) {
      stale++;
    }
    ForceTracker second = new ForceTracker();
    try (FileRaftLog log = FileRaftLog.open(first, OPTIONS, second)) {
      assertThat(log.recovery().damage()).isEmpty();
      assertThat(log.lastIndex()).isEqualTo(live.forcedLast);
      // The next process writes those indexes again, in a later term, each where the lost one
      // was; its write then loses the end marker behind record stale - 1.
      log.appendAll(records(live.forcedLast + 1, stale - 1, 3, 100));
    }
    Path seg = first.resolve(live.segment.getFileName());
    long pending = 0;
    for (ForceTracker.Op op : second.state(seg).pending) {
      pending += op instanceof ForceTracker.Write w ? w.bytes().length : 0;
    }
    Path last = second.crashImage(first, root.resolve("second"),
        ForceTracker.prefix(seg, pending - WalFormat.RECORD_HEADER));
    try (FileRaftLog log = FileRaftLog.open(last, OPTIONS)) {
      for (long i = live.forcedLast + 1; i <= log.lastIndex(); i++) {
        assertThat(log.termAt(i)).as("record %d of %s", i, log.recovery()).isEqualTo(3);
      }
      assertThat(log.lastIndex()).isEqualTo(stale - 1);
    }
  }

  private static void assertSameRecord(LogRecord got, LogRecord want, String ctx) {
    assertThat(want).as(ctx + " nothing was written at " + got.index()).isNotNull();
    assertThat(got.index()).as(ctx).isEqualTo(want.index());
    assertThat(got.term()).as(ctx + " @" + want.index()).isEqualTo(want.term());
    assertThat(got.data()).as(ctx + " @" + want.index()).isEqualTo(want.data());
  }

  private static void flip(Path file, long at) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(at);
      int b = raf.read();
      raf.seek(at);
      raf.write(b ^ 0x40);
    }
  }
}
