package io.jscluster.raft.sim;

import io.jscluster.raft.RaftConfig;
import io.jscluster.raft.RaftException;
import io.jscluster.raft.RaftState;
import io.jscluster.raft.log.FsyncPolicy;
import io.jscluster.raft.wal.WalOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32C;

/**
 * One randomised run: a chaos phase of partitions, one-way cuts, crashes and restarts, loss,
 * delay, duplication, reordering and proposals; then a healing phase; then the invariant checks.
 * Everything derives from the seed.
 *
 * <p>{@link #runOnDisk} runs every node on a {@link SimDisk} with the production file storage
 * and adds disk faults: crashes that lose unsynced writes or tear the last one, bit flips in
 * stored log records on a fixed minority of the nodes (while they are down), and disks that start
 * failing every write.
 */
final class Chaos {

  record Result(long seed, int size, List<String> violations, long traceHash, long virtualMillis,
      long events, long committed, long readsServed, DiskStats disk) {}

  /** What the disk faults of a run did. */
  record DiskStats(int bitFlips, int snapshotFlips, int snapshots, int writeFailures,
      int powerLosses, int damagedRecoveries, int dataLossMarks, long tornWrites) {
    static final DiskStats NONE = new DiskStats(0, 0, 0, 0, 0, 0, 0, 0);
  }

  private Chaos() {}

  /** One seed with in-memory storage. */
  static Result run(long seed, int size, long chaosMillis) {
    return run(seed, size, chaosMillis, false, c -> c);
  }

  /**
   * One seed with every node on its own simulated disk. The fsync policy alternates between ALWAYS
   * and ON_SYNC with the seed (both acknowledge nothing unsynced), and so does the segment size.
   */
  static Result runOnDisk(long seed, int size, long chaosMillis) {
    return run(seed, size, chaosMillis, true, c -> c);
  }

  /**
   * Runs one seed, in memory or on disk, with every node's configuration further adjusted by
   * {@code customize} (after the campaign's own choices). Every fourth seed switches pre-vote off,
   * so the NRG election rules are exercised without the extension's protection too.
   */
  static Result run(long seed, int size, long chaosMillis, boolean onDisk,
      UnaryOperator<RaftConfig> customize) {
    boolean preVote = Math.floorMod(seed, 4) != 3;
    Simulation[] simRef = new Simulation[1];
    WalOptions wal = null;
    if (onDisk) {
      wal = WalOptions.defaults()
          .withFsyncPolicy(Math.floorMod(seed / 2, 2) == 0 ? FsyncPolicy.ALWAYS : FsyncPolicy.ON_SYNC)
          .withSegmentBytes(Math.floorMod(seed / 4, 2) == 0 ? 4096 : 32 * 1024)
          .withWriteBufferBytes(4096)
          .withMaxRecordBytes(1 << 20)
          .withNanoClock(() -> simRef[0].now() * 1_000_000L);
    }
    SimCluster c = new SimCluster(seed, size,
        cfg -> customize.apply(cfg.withPreVote(preVote)), wal);
    simRef[0] = c.sim();
    c.start();
    Simulation sim = c.sim();
    Random rnd = new Random(seed * 0x9E3779B97F4A7C15L + 17);
    SimNetwork net = c.network();
    List<SimNode> nodes = new ArrayList<>(c.nodes());
    // Bit flips hit at most f nodes, always the same ones: a majority keeps intact media.
    List<SimNode> flippable = new ArrayList<>(nodes);
    Collections.shuffle(flippable, rnd);
    flippable = flippable.subList(0, (size - 1) / 2);
    int flips = 0;
    int snapshotFlips = 0;
    int snapshots = 0;
    int writeFailures = 0;
    int proposals = 0;
    long reads = 0;
    long end = sim.now() + chaosMillis;
    while (sim.now() < end) {
      for (SimNode n : c.alive()) {
        if (n.raft().state() == RaftState.LEADER && rnd.nextInt(10) < 7) {
          for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
            byte[] data = ("p" + seed + "-" + proposals++).getBytes(StandardCharsets.UTF_8);
            try {
              // Stale leaders are proposed to as well: term fencing must hold.
              n.raft().propose(sim.now(), n.raft().term(), data);
            } catch (RaftException expected) {
              // not leader / overrun
            }
          }
          n.input(r -> { });
        }
      }
      for (SimNode n : c.alive()) {
        if (n.raft().state() == RaftState.LEADER && rnd.nextInt(10) < 3) {
          long id = reads++;
          c.checker().onReadRequested(id);
          try {
            n.input(r -> r.readIndex(sim.now(), id));
          } catch (RaftException expected) {
            // not leader
          }
        }
      }
      if (onDisk) {
        // Servers come back after a few seconds: disk faults crash them more often than the
        // memory campaign does, and a group that is mostly down tests little. A server that
        // stopped on a storage failure is restarted by its operator.
        for (SimNode n : nodes) {
          if (n.alive() && n.raft().state() == RaftState.CLOSED && rnd.nextInt(20) == 0) {
            n.crash(0);
            n.start();
          } else if (!n.alive() && rnd.nextInt(40) == 0) {
            n.start();
          }
        }
      }
      int action = rnd.nextInt(1000);
      if (action < 15) {
        List<SimNode> up = c.alive();
        if (up.size() > 1) {
          up.get(rnd.nextInt(up.size())).crash(rnd.nextInt(3));
        }
      } else if (action < 45) {
        SimNode n = nodes.get(rnd.nextInt(nodes.size()));
        if (!n.alive()) {
          n.start();
        }
      } else if (action < 60) {
        Set<String> side = new HashSet<>();
        for (SimNode n : nodes) {
          if (rnd.nextBoolean()) {
            side.add(n.name());
          }
        }
        net.partition(side);
      } else if (action < 70) {
        SimNode a = nodes.get(rnd.nextInt(nodes.size()));
        SimNode b = nodes.get(rnd.nextInt(nodes.size()));
        net.cut(a.name(), b.name());
      } else if (action < 100) {
        net.heal();
      } else if (action < 115) {
        net.setDropRate(rnd.nextDouble() * 0.2);
        net.setDuplicateRate(rnd.nextDouble() * 0.1);
        net.setReorderRate(rnd.nextDouble() * 0.1);
        long min = rnd.nextInt(5);
        net.setDelay(min, min + rnd.nextInt(50));
      } else if (action < 120) {
        SimNode n = nodes.get(rnd.nextInt(nodes.size()));
        if (n.alive() && n.raft().state() == RaftState.LEADER) {
          try {
            n.input(r -> r.stepDown(sim.now()));
          } catch (RaftException expected) {
            // raced with a state change
          }
        }
      } else if (onDisk && action < 135) {
        SimNode n = flippable.isEmpty() ? null : flippable.get(rnd.nextInt(flippable.size()));
        if (n != null && !n.alive()) {
          if (rnd.nextBoolean() && flipSnapshot(n, rnd)) {
            snapshotFlips++;
          } else if (flipLogRecord(n, rnd)) {
            flips++;
          }
        }
      } else if (onDisk && action < 140) {
        List<SimNode> up = c.alive();
        SimNode n = up.isEmpty() ? null : up.get(rnd.nextInt(up.size()));
        if (n != null && !n.disk().failing()) {
          n.disk().setFailing(true);
          writeFailures++;
        }
      } else if (onDisk && action < 175) {
        // Snapshots at the applied index, sometimes forced past running catch-ups; the leader
        // then sends them to followers that fall behind the compacted log.
        List<SimNode> up = c.alive();
        SimNode n = up.isEmpty() ? null : up.get(rnd.nextInt(up.size()));
        if (n != null && n.raft().state() != RaftState.CLOSED) {
          try {
            n.snapshot(rnd.nextInt(4) == 0);
            snapshots++;
          } catch (RaftException expected) {
            // nothing new applied, a checkpoint or catch-up running, or the write failed
          }
        }
      } else if (onDisk && action < 185) {
        // Power loss in the middle of one of the node's next writes, forces, renames...
        List<SimNode> up = c.alive();
        SimNode n = up.isEmpty() ? null : up.get(rnd.nextInt(up.size()));
        if (up.size() > 1 && !n.disk().powerLossArmed()) {
          SimDisk.CrashMode[] modes = SimDisk.CrashMode.values();
          n.disk().armPowerLoss(1 + rnd.nextInt(12), modes[rnd.nextInt(modes.length)], rnd);
        }
      }
      sim.runFor(20 + rnd.nextInt(200));
    }
    // Heal everything and let the group converge; a node stopped by a failed disk is restarted.
    net.heal();
    net.setDelay(1, 5);
    for (SimNode n : nodes) {
      if (n.disk() != null) {
        n.disk().disarmPowerLoss();
      }
      if (n.alive() && (n.raft().state() == RaftState.CLOSED
          || n.disk() != null && n.disk().failing())) {
        n.crash(0);
      }
      if (!n.alive()) {
        n.start();
      }
    }
    SimNode leader = c.awaitLeader(120_000);
    List<String> violations = new ArrayList<>(c.checker().violations());
    long committed = 0;
    if (leader == null) {
      violations.add("no leader after healing: " + describe(c));
    } else {
      boolean proposed = false;
      for (int attempt = 0; attempt < 5 && !proposed; attempt++) {
        proposed = c.propose("final".getBytes(StandardCharsets.UTF_8));
        if (!proposed) {
          c.awaitLeader(30_000);
        }
      }
      // Wait until every live node applied everything anyone applied (leadership may still move).
      boolean converged = false;
      long target = 0;
      for (int round = 0; round < 6 && proposed && !converged; round++) {
        SimNode l = c.leader();
        target = Math.max(l == null ? 0 : l.raft().lastIndex(),
            c.checker().committed().isEmpty() ? 0 : c.checker().committed().lastKey());
        converged = c.awaitApplied(target, 60_000) && c.checker().committed().lastKey() <= target;
      }
      if (!converged) {
        violations.add("not converged after healing: " + describe(c));
      }
      committed = target;
      c.checker().checkLogMatching(c.alive());
      c.checker().checkConverged(c.alive());
      violations = new ArrayList<>(c.checker().violations());
    }
    long served = 0;
    for (SimNode n : nodes) {
      served += n.readsReady().size();
    }
    DiskStats disk = DiskStats.NONE;
    if (onDisk) {
      int damaged = 0;
      int marks = 0;
      int losses = 0;
      long torn = 0;
      for (SimNode n : nodes) {
        losses += n.powerLosses();
        damaged += n.damagedStarts();
        marks += n.dataLossStarts();
        torn += n.disk().tornWrites();
      }
      disk = new DiskStats(flips, snapshotFlips, snapshots, writeFailures, losses, damaged, marks,
          torn);
    }
    return new Result(seed, size, violations, sim.traceHash(), sim.now(), sim.executedEvents(),
        committed, served, disk);
  }

  /**
   * Flips one bit of a stored snapshot file of a stopped node, and tells the node the file must
   * survive its restart and be reported.
   */
  private static boolean flipSnapshot(SimNode n, Random rnd) {
    SimDisk disk = n.disk();
    Path dir = disk.root().resolve("snapshots");
    if (!disk.exists(dir)) {
      return false;
    }
    try {
      List<Path> files = new ArrayList<>();
      for (String name : disk.list(dir)) {
        if (name.matches("snap\\.\\d+\\.\\d+")) {
          files.add(dir.resolve(name));
        }
      }
      if (files.isEmpty()) {
        return false;
      }
      Path f = files.get(rnd.nextInt(files.size()));
      long size = disk.read(f).length;
      if (size == 0) {
        return false;
      }
      disk.flipBit(f, (long) rnd.nextInt((int) size) * 8 + rnd.nextInt(8));
      n.requireSnapshotKept(f);
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Flips one bit inside a stored log record of a stopped node, and tells the node which records
   * before it must survive its restart. The segment files are read as they are, without opening
   * the log (its recovery would repair and so hide earlier damage from the node): the records are
   * walked with their checksums, and only an intact record at or after the log's first index (from
   * {@code wal.meta}) is hit.
   */
  private static boolean flipLogRecord(SimNode n, Random rnd) {
    SimDisk disk = n.disk();
    try {
      long first = 1;
      Path meta = disk.root().resolve("wal.meta");
      if (disk.exists(meta)) {
        byte[] m = disk.read(meta);
        if (m.length >= 8) {
          first = getLong(m, 0);
        }
      }
      List<Path> segments = new ArrayList<>();
      for (String name : disk.list(disk.root())) {
        if (name.endsWith(".seg")) {
          segments.add(disk.root().resolve(name));
        }
      }
      if (segments.isEmpty()) {
        return false;
      }
      Path seg = segments.get(rnd.nextInt(segments.size()));
      byte[] b = disk.read(seg);
      // 32-byte segment header; records of a 24-byte header (u32 length, u32 CRC-32C over bytes
      // 0..4 and 8..24 and the payload, u64 index, u64 term) and the payload.
      List<long[]> intact = new ArrayList<>();
      int off = 32;
      CRC32C crc = new CRC32C();
      while (off + 24 <= b.length) {
        long len = getInt(b, off) & 0xffffffffL;
        if (off + 24 + len > b.length) {
          break;
        }
        crc.reset();
        crc.update(b, off, 4);
        crc.update(b, off + 8, 16);
        crc.update(b, off + 24, (int) len);
        if ((int) crc.getValue() != getInt(b, off + 4)) {
          break;
        }
        long index = getLong(b, off + 8);
        if (index >= first) {
          intact.add(new long[] {off, off + 24 + len, index});
        }
        off += 24 + (int) len;
      }
      if (intact.isEmpty()) {
        return false;
      }
      long[] rec = intact.get(rnd.nextInt(intact.size()));
      long at = rec[0] + rnd.nextInt((int) (rec[1] - rec[0]));
      disk.flipBit(seg, at * 8 + rnd.nextInt(8));
      n.requireKeptThrough(rec[2] - 1);
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int getInt(byte[] b, int off) {
    return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16
        | (b[off + 3] & 0xff) << 24;
  }

  private static long getLong(byte[] b, int off) {
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (b[off + i] & 0xff);
    }
    return v;
  }

  static String describe(SimCluster c) {
    StringBuilder sb = new StringBuilder();
    for (SimNode n : c.nodes()) {
      if (!n.alive()) {
        sb.append(n.name()).append(" down; ");
        continue;
      }
      var r = n.raft();
      sb.append(n.name()).append(' ').append(r.state()).append(" t").append(r.term())
          .append(" p").append(r.lastIndex()).append('/').append(r.lastTerm())
          .append(" c").append(r.commitIndex()).append(" a").append(r.appliedIndex())
          .append(r.isCatchingUp() ? " catchup" : "")
          .append(r.dataLossTerm() != 0 ? " lost<=" + r.dataLossTerm() : "")
          .append(r.writeError() != null ? " failed: " + r.writeError().getMessage() : "")
          .append("; ");
    }
    return sb.toString();
  }
}
