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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes the real file WAL and damages what it left on disk.
 *
 * <p>Each seed drives a random workload (batched appends, syncs, truncations, compactions), then
 * "crashes": the log is never closed, and its directory is copied either as the OS sees it (all
 * written bytes) or cut back to what the last sync made durable. One segment file of the copy is
 * then damaged at a random byte (truncated there, or one bit flipped), or the last one grows by a
 * run of zeros (a write whose size reached the disk but whose data did not), or it is left
 * intact. Reopening the copy must serve every record made durable before the damaged one,
 * unchanged; must serve nothing at or after a damaged record; and must report the damage at
 * exactly that index, with its kind: a cut or zero-filled end of the last segment is a torn tail,
 * anything else corruption. A flipped record below the first index (compacted, in a segment that
 * still holds live records) must cost no live record and be reported as compacted damage.
 * Replay one seed with {@code -Djscluster.sim.seedStart=N -Djscluster.sim.seeds=1}.
 */
class WalCrashTest {

  @TempDir Path root;

  private enum Crash { OS_VIEW, FSYNCED_PREFIX }

  private enum Harm { NONE, TRUNCATE, BIT_FLIP, ZERO_TAIL }

  @Test
  void everyDurableRecordBeforeTheDamageIsServedAndNothingAfterIt() throws IOException {
    SeedRange seeds = SeedRange.fromSystemProperties(40);
    Map<String, Integer> tally = new TreeMap<>();
    for (int i = 0; i < seeds.count(); i++) {
      long seed = seeds.seed(i);
      try {
        tally.merge(runSeed(seed), 1, Integer::sum);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("WalCrashTest failed for seed " + seed
            + " (replay: -Djscluster.sim.seedStart=" + seed + " -Djscluster.sim.seeds=1)", e);
      }
    }
    System.out.println("WalCrashTest seeds " + seeds.start() + ".." + (seeds.start()
        + seeds.count() - 1) + " outcomes: " + tally);
  }

  private String runSeed(long seed) throws IOException {
    Random rnd = new Random(seed);
    FsyncPolicy policy = rnd.nextBoolean() ? FsyncPolicy.ALWAYS : FsyncPolicy.ON_SYNC;
    WalOptions opts = WalOptions.defaults().withFsyncPolicy(policy)
        .withSegmentBytes(4096 + rnd.nextInt(8192)).withWriteBufferBytes(1024 + rnd.nextInt(4096));
    Path live = Files.createDirectories(root.resolve("live-" + seed));
    FileRaftLog log = FileRaftLog.open(live, opts);

    TreeMap<Long, LogRecord> model = new TreeMap<>();
    long first = 1;
    long term = 1;

    int steps = 20 + rnd.nextInt(60);
    for (int step = 0; step < steps; step++) {
      int op = rnd.nextInt(20);
      if (op < 13) {
        long from = log.lastIndex() + 1;
        List<LogRecord> batch = new ArrayList<>();
        int n = 1 + rnd.nextInt(12);
        for (int k = 0; k < n; k++) {
          batch.add(new LogRecord(from + k, term, bytes(rnd, rnd.nextInt(700))));
        }
        log.appendAll(batch);
        batch.forEach(r -> model.put(r.index(), r));
      } else if (op < 15) {
        long to = Math.max(0, log.lastIndex() - rnd.nextInt(8));
        log.truncateAfter(to);
        model.tailMap(to, false).clear();
        if (to < first) {
          first = to + 1;
        }
        term++;
      } else if (op < 16) {
        long to = first - 1 + rnd.nextInt(10);
        log.compactUpTo(to);
        if (to >= first) {
          model.headMap(to, true).clear();
          first = to + 1;
        }
      } else {
        log.sync();
      }
    }
    // The crash window holds appends only, so the durable records are still on disk unchanged.
    log.sync();
    TreeMap<Long, LogRecord> durable = new TreeMap<>(model);
    long durableFirst = first;
    Map<String, Long> durableSizes = segmentSizes(live);
    int unsynced = rnd.nextInt(4);
    for (int k = 0; k < unsynced; k++) {
      long index = log.lastIndex() + 1;
      LogRecord r = new LogRecord(index, term, bytes(rnd, rnd.nextInt(3000)));
      log.appendAll(List.of(r));
      model.put(index, r);
    }

    Crash crash = rnd.nextBoolean() ? Crash.OS_VIEW : Crash.FSYNCED_PREFIX;
    Path copy = root.resolve("crash-" + seed);
    copyForCrash(live, copy, crash == Crash.FSYNCED_PREFIX ? durableSizes : null);

    Harm harm = Harm.values()[rnd.nextInt(Harm.values().length)];
    long damagedIndex = Long.MAX_VALUE;
    boolean mustReport = harm != Harm.NONE;
    // The kind the report must give, when it is certain.
    WalRecovery.Damage.Kind expectedKind = null;
    boolean compactedFlip = false;
    List<String> segs = segmentNames(copy);
    if (harm == Harm.ZERO_TAIL && !segs.isEmpty()) {
      String victim = segs.get(segs.size() - 1);
      Path file = copy.resolve(victim);
      long size = Files.size(file);
      damagedIndex = log.indexAtOffset(victim, size);
      try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
        raf.setLength(size + 1 + rnd.nextInt(300));
      }
      expectedKind = WalRecovery.Damage.Kind.TORN_TAIL;
    } else if (harm == Harm.ZERO_TAIL) {
      harm = Harm.NONE;
    } else if (harm != Harm.NONE && !segs.isEmpty()) {
      String victim = segs.get(rnd.nextInt(segs.size()));
      boolean lastSegment = victim.equals(segs.get(segs.size() - 1));
      Path file = copy.resolve(victim);
      long size = Files.size(file);
      if (size == 0) {
        harm = Harm.NONE;
      } else {
        long at = (long) (rnd.nextDouble() * size);
        // Compacted records share the first segment with live ones only after a compaction
        // inside it; aim half of the flips there when there are such records.
        long firstSize = Files.size(copy.resolve(segs.get(0)));
        long compactedEnd = compactedEnd(log, segs.get(0), firstSize, durableFirst);
        if (harm == Harm.BIT_FLIP && compactedEnd > WalFormat.SEGMENT_HEADER
            && rnd.nextBoolean()) {
          victim = segs.get(0);
          lastSegment = segs.size() == 1;
          file = copy.resolve(victim);
          size = firstSize;
          at = WalFormat.SEGMENT_HEADER
              + (long) (rnd.nextDouble() * (compactedEnd - WalFormat.SEGMENT_HEADER));
        }
        damagedIndex = log.indexAtOffset(victim, at);
        if (harm == Harm.TRUNCATE) {
          try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(at);
          }
          // A cut exactly between records loses whole records without damaging one: only a gap
          // before the next segment shows it.
          mustReport = !isRecordBoundary(log, victim, at) || !lastSegment;
          expectedKind = lastSegment ? WalRecovery.Damage.Kind.TORN_TAIL
              : WalRecovery.Damage.Kind.CORRUPT;
        } else {
          flipBit(file, at, rnd.nextInt(8));
          // Below the first index: recovery steps over it. A bad segment header is never
          // stepped over (its epoch cannot be trusted).
          compactedFlip = at >= WalFormat.SEGMENT_HEADER && damagedIndex < durableFirst;
          // A flipped length in the last record may make it look cut short (torn); any other
          // flipped record is complete and fails its checksum.
          if (!lastSegment || log.indexAtOffset(victim, size - 1) != damagedIndex) {
            expectedKind = WalRecovery.Damage.Kind.CORRUPT;
          }
        }
      }
    }
    // The crashed process never closed the live log; release its files only now.
    log.close();

    try (FileRaftLog reopened = FileRaftLog.open(copy, opts)) {
      WalRecovery report = reopened.recovery();
      String ctx = "seed " + seed + " " + policy + " " + crash + " " + harm + " at index "
          + damagedIndex + (compactedFlip ? " (compacted)" : "") + " report " + report;
      // Where the served log must end: before the damage, unless it was stepped over.
      long cutAt = compactedFlip ? Long.MAX_VALUE : damagedIndex;
      // Every durable record before the damage is served, unchanged.
      for (LogRecord want : durable.values()) {
        if (want.index() >= cutAt || want.index() < durableFirst) {
          continue;
        }
        LogRecord got = reopened.read(want.index());
        assertThat(got.term()).as(ctx).isEqualTo(want.term());
        assertThat(Arrays.equals(got.data(), want.data())).as(ctx + " data @" + want.index())
            .isTrue();
      }
      // Nothing at or after a damaged record is served.
      if (!reopened.isEmpty()) {
        assertThat(reopened.lastIndex()).as(ctx).isLessThan(cutAt);
      }
      // Whatever is served is what was written (never stale or foreign bytes).
      for (long i = reopened.firstIndex(); i <= reopened.lastIndex(); i++) {
        LogRecord want = model.get(i);
        assertThat(want).as(ctx + " unexpected index " + i).isNotNull();
        assertThat(Arrays.equals(reopened.read(i).data(), want.data())).as(ctx).isTrue();
      }
      assertThat(reopened.firstIndex()).as(ctx).isEqualTo(durableFirst);
      if (compactedFlip) {
        assertThat(report.damage()).as(ctx).isEmpty();
        assertThat(reopened.recoveryDamage()).as(ctx).isEmpty();
        assertThat(report.compactedDamage()).as(ctx).hasSize(1);
        assertThat(report.compactedDamage().get(0).index()).as(ctx).isEqualTo(damagedIndex);
        assertThat(report.compactedDamage().get(0).kind()).as(ctx)
            .isEqualTo(WalRecovery.Damage.Kind.COMPACTED);
      } else if (harm == Harm.ZERO_TAIL
          || mustReport && damagedIndex <= lastWrittenIndex(model, durable)) {
        assertThat(report.damage()).as(ctx).isPresent();
        assertThat(report.damage().get().index()).as(ctx).isEqualTo(damagedIndex);
        assertThat(reopened.recoveryDamage()).as(ctx).isPresent();
        if (expectedKind != null) {
          assertThat(report.damage().get().kind()).as(ctx).isEqualTo(expectedKind);
        }
      }
      if (harm == Harm.NONE) {
        assertThat(report.clean()).as(ctx).isTrue();
      }
      // The repaired log keeps working and reopens cleanly.
      long next = reopened.lastIndex() + 1;
      reopened.append(next, term + 1, bytes(rnd, 100));
      reopened.sync();
    }
    try (FileRaftLog again = FileRaftLog.open(copy, opts)) {
      assertThat(again.recovery().damage()).as("seed %d second reopen", seed).isEmpty();
      // Compacted damage stays on disk until compaction removes its segment: reported again.
      assertThat(again.recovery().compactedDamage()).as("seed %d second reopen", seed)
          .hasSize(compactedFlip ? 1 : 0);
    }
    return crash + "/" + harm + (compactedFlip ? "/compacted" : "");
  }

  private static long lastWrittenIndex(TreeMap<Long, LogRecord> model,
      TreeMap<Long, LogRecord> durable) {
    long a = model.isEmpty() ? 0 : model.lastKey();
    long b = durable.isEmpty() ? 0 : durable.lastKey();
    return Math.max(a, b);
  }

  /** The offset in {@code seg} where the first live record ({@code first}) starts. */
  private static long compactedEnd(FileRaftLog log, String seg, long size, long first) {
    long at = WalFormat.SEGMENT_HEADER;
    while (at < size && log.indexAtOffset(seg, at) < first) {
      at++;
    }
    return at;
  }

  private static boolean isRecordBoundary(FileRaftLog log, String seg, long at) {
    if (at < WalFormat.SEGMENT_HEADER) {
      return false;
    }
    return at == WalFormat.SEGMENT_HEADER
        || log.indexAtOffset(seg, at) != log.indexAtOffset(seg, at - 1);
  }

  private static byte[] bytes(Random rnd, int n) {
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }

  private static void flipBit(Path file, long at, int bit) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(at);
      int b = raf.read();
      raf.seek(at);
      raf.write(b ^ (1 << bit));
    }
  }

  private static List<String> segmentNames(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(WalFormat.SEGMENT_SUFFIX)).sorted().toList();
    }
  }

  private static Map<String, Long> segmentSizes(Path dir) throws IOException {
    Map<String, Long> sizes = new HashMap<>();
    for (String n : segmentNames(dir)) {
      sizes.put(n, Files.size(dir.resolve(n)));
    }
    return sizes;
  }

  /**
   * Copies a live WAL directory. With {@code prefix}, only segment files that existed at the last
   * sync are copied, each cut to its size then: the bytes an fsync had made durable.
   */
  private static void copyForCrash(Path from, Path to, Map<String, Long> prefix)
      throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> s = Files.list(from)) {
      for (Path p : s.toList()) {
        String name = p.getFileName().toString();
        if (prefix != null && name.endsWith(WalFormat.SEGMENT_SUFFIX)) {
          Long size = prefix.get(name);
          if (size == null) {
            continue;
          }
          byte[] all = Files.readAllBytes(p);
          Files.write(to.resolve(name), Arrays.copyOf(all, (int) Math.min(size, all.length)));
        } else {
          Files.copy(p, to.resolve(name));
        }
      }
    }
  }
}
