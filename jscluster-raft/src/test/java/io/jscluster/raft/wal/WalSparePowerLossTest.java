package io.jscluster.raft.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.log.FsyncPolicy;
import io.jscluster.raft.log.LogRecord;
import io.jscluster.raft.sim.SimDisk;
import io.jscluster.raft.wal.WalRecovery.Damage;
import io.jscluster.testing.SeedRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The file WAL with spare segments on a {@link SimDisk}, losing power in the middle of a random
 * disk mutation (write, force, rename, deletion) of a random workload of appends, syncs,
 * compactions and truncations, several times per seed. The disk keeps what was forced plus, by
 * mode, a prefix of each file's and directory's later changes, the next write possibly torn; file
 * contents and directory entries are kept independently of each other. After every power loss
 * the log must open with no damage or a torn tail (never corruption, which would alarm an operator
 * about a disk that only lost power), serve every record made durable (by a completed sync or
 * truncation) unchanged, and serve nothing that was not written at its index. Replay one seed with
 * {@code -Djscluster.sim.seedStart=N -Djscluster.sim.seeds=1}.
 */
class WalSparePowerLossTest {

  @Test
  void powerLossesWhileWritingOverSparesLeaveTornTailsOnly() {
    SeedRange seeds = SeedRange.fromSystemProperties(60);
    Map<String, Integer> tally = new TreeMap<>();
    for (int i = 0; i < seeds.count(); i++) {
      long seed = seeds.seed(i);
      try {
        runSeed(seed, tally);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("WalSparePowerLossTest failed for seed " + seed
            + " (replay: -Djscluster.sim.seedStart=" + seed + " -Djscluster.sim.seeds=1)", e);
      }
    }
    System.out.println("WalSparePowerLossTest seeds " + seeds.start() + ".."
        + (seeds.start() + seeds.count() - 1) + " recoveries: " + tally);
    assertThat(tally.getOrDefault("TORN_TAIL", 0)).as("some power loss tore a write").isPositive();
  }

  /** What the test knows of the log. */
  private static final class Model {
    /** Every version written at each index, by term. */
    final Map<Long, List<LogRecord>> versions = new TreeMap<>();
    /** What the log holds now. */
    TreeMap<Long, LogRecord> current = new TreeMap<>();
    long first = 1;
    /** What was durable after the last completed force, and the first index then. */
    TreeMap<Long, LogRecord> durable = new TreeMap<>();
    long durableFirst = 1;

    void written(LogRecord r) {
      versions.computeIfAbsent(r.index(), k -> new ArrayList<>()).add(r);
      current.put(r.index(), r);
    }

    void forced() {
      durable = new TreeMap<>(current);
      durableFirst = first;
    }
  }

  private enum Op { APPEND, SYNC, COMPACT, TRUNCATE }

  private static void runSeed(long seed, Map<String, Integer> tally) {
    Random rnd = new Random(seed);
    FsyncPolicy policy = rnd.nextInt(3) == 0 ? FsyncPolicy.ALWAYS : FsyncPolicy.ON_SYNC;
    WalOptions opts = WalOptions.defaults().withFsyncPolicy(policy)
        .withSegmentBytes(4096 + rnd.nextInt(4096)).withWriteBufferBytes(1024 + rnd.nextInt(3072))
        .withSpareSegments(1 + rnd.nextInt(3));
    SimDisk disk = new SimDisk("wal-" + seed);
    Model m = new Model();
    long term = 1;
    for (int round = 0; round < 4; round++) {
      SimDisk.CrashMode mode = SimDisk.CrashMode.values()[rnd.nextInt(3)];
      FileRaftLog log = FileRaftLog.open(disk.root(), opts);
      disk.armPowerLoss(1 + rnd.nextInt(150), mode, rnd);
      Op inFlight = null;
      long inFlightArg = 0;
      SimDisk.Image image = null;
      try {
        for (int step = 0; step < 400; step++) {
          int r = rnd.nextInt(20);
          if (r < 12) {
            inFlight = Op.APPEND;
            List<LogRecord> batch = new ArrayList<>();
            long from = log.lastIndex() + 1;
            boolean same = rnd.nextBoolean();
            for (int k = 0, n = 1 + rnd.nextInt(10); k < n; k++) {
              byte[] d = new byte[same ? 100 : rnd.nextInt(700)];
              rnd.nextBytes(d);
              batch.add(new LogRecord(from + k, term, d));
            }
            // Known before the call: a power loss inside it may leave any of them on disk.
            batch.forEach(m::written);
            log.appendAll(batch);
            if (policy == FsyncPolicy.ALWAYS) {
              m.forced();
            }
          } else if (r < 16) {
            inFlight = Op.SYNC;
            log.sync();
            m.forced();
          } else if (r < 18) {
            long to = Math.min(log.lastIndex(), log.firstIndex() - 1 + rnd.nextInt(60));
            inFlight = Op.COMPACT;
            inFlightArg = to;
            log.compactUpTo(to);
            if (to >= m.first) {
              m.current.headMap(to, true).clear();
              m.first = to + 1;
            }
            if (policy == FsyncPolicy.ALWAYS) {
              m.forced();
            } else {
              // The first index is recorded durably at once; the records stay as durable as
              // they were.
              m.durable.headMap(to, true).clear();
              m.durableFirst = Math.max(m.durableFirst, m.first);
            }
          } else {
            long to = Math.max(0, log.lastIndex() - rnd.nextInt(rnd.nextBoolean() ? 8 : 80));
            inFlight = Op.TRUNCATE;
            inFlightArg = to;
            long forces = log.forceCount();
            log.truncateAfter(to);
            m.current.tailMap(to, false).clear();
            if (to < m.first) {
              m.first = to + 1;
            }
            term++;
            if (log.forceCount() > forces) {
              // A cut into written records is forced before it returns, with all written before.
              m.forced();
            } else {
              // Nothing cut, or only records still in the write buffer: nothing was forced.
              m.durable.tailMap(to, false).clear();
            }
          }
          inFlight = null;
        }
        disk.disarmPowerLoss();
        image = disk.crashImage(rnd, mode);
      } catch (SimDisk.PowerLoss lost) {
        image = disk.crashImage(rnd, mode);
      }
      // The dead process lets go of its files; nothing it writes now reaches the image.
      try {
        log.close();
      } catch (RuntimeException ignored) {
        // its files may already be unusable
      }
      disk.restore(image);
      term++;
      FileRaftLog reopened = FileRaftLog.open(disk.root(), opts);
      WalRecovery report = reopened.recovery();
      String ctx = "round " + round + " " + policy + " " + mode + " in flight " + inFlight + "("
          + inFlightArg + ") " + report;
      tally.merge(report.damage().map(d -> d.kind().name()).orElse("clean"), 1, Integer::sum);
      assertThat(report.damage().map(Damage::kind).orElse(Damage.Kind.TORN_TAIL)).as(ctx)
          .isEqualTo(Damage.Kind.TORN_TAIL);
      assertThat(report.compactedDamage()).as(ctx).isEmpty();
      // Every durable record is there, unless an operation in flight may have removed it.
      long keepFrom = m.durableFirst;
      long keepTo = m.durable.isEmpty() ? 0 : m.durable.lastKey();
      if (inFlight == Op.TRUNCATE) {
        keepTo = Math.min(keepTo, inFlightArg);
        if (inFlightArg < m.durableFirst) {
          keepTo = 0; // a reset: the log may start over after the truncation point
        }
      }
      if (inFlight == Op.COMPACT) {
        keepFrom = Math.max(keepFrom, inFlightArg + 1);
      }
      // A compaction or a reset in flight may have moved the first index already.
      assertThat(reopened.firstIndex()).as(ctx).isLessThanOrEqualTo(
          inFlight == Op.COMPACT || inFlight == Op.TRUNCATE
              ? Math.max(m.durableFirst, inFlightArg + 1) : m.durableFirst);
      for (long i = Math.max(keepFrom, reopened.firstIndex()); i <= keepTo; i++) {
        LogRecord want = m.durable.get(i);
        assertThat(reopened.lastIndex()).as(ctx + " lost durable " + i).isGreaterThanOrEqualTo(i);
        LogRecord got = reopened.read(i);
        assertThat(got.term()).as(ctx + " @" + i).isEqualTo(want.term());
        assertThat(got.data()).as(ctx + " @" + i).isEqualTo(want.data());
      }
      // Whatever is served was written at its index, in non-decreasing terms.
      long lastTerm = 0;
      TreeMap<Long, LogRecord> now = new TreeMap<>();
      for (long i = reopened.firstIndex(); i <= reopened.lastIndex(); i++) {
        LogRecord got = reopened.read(i);
        List<LogRecord> candidates = m.versions.getOrDefault(i, List.of());
        assertThat(candidates).as(ctx + " served " + i + " term " + got.term())
            .anyMatch(c -> c.term() == got.term() && java.util.Arrays.equals(c.data(), got.data()));
        assertThat(got.term()).as(ctx + " term order @" + i).isGreaterThanOrEqualTo(lastTerm);
        lastTerm = got.term();
        now.put(i, got);
      }
      // What the log holds after recovery is durable (recovery forces its repairs).
      m.current = now;
      m.first = reopened.firstIndex();
      m.forced();
      term = Math.max(term, lastTerm + 1);
      reopened.close();
    }
  }
}
