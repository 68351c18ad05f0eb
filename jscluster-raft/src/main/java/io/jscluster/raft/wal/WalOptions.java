package io.jscluster.raft.wal;

import io.jscluster.raft.log.FsyncPolicy;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Settings of a {@link FileRaftLog}. Start from {@link #defaults()} and change what you need with
 * the {@code with*} methods.
 *
 * @param fsyncPolicy when writes are forced; default {@link FsyncPolicy#ALWAYS}
 * @param syncInterval the longest time between forces under {@link FsyncPolicy#INTERVAL}
 * @param segmentBytes a segment is rolled when the next record would take it past this size
 * @param writeBufferBytes records are gathered in a buffer of this size before being written
 * @param maxRecordBytes the largest payload accepted, and believed when recovering
 * @param nanoClock monotonic clock for {@link FsyncPolicy#INTERVAL}, in nanoseconds
 * @param spareSegments how many segment files a compaction keeps as spares instead of deleting
 *     them, to be written over by the next segments (0, the default, deletes them): a write over
 *     allocated blocks needs no block allocation and no size change, so the file system has no
 *     metadata to commit when it is forced. With spares on, every write to a segment is followed
 *     by an end marker (see {@link FileRaftLog}), so that recovery never mistakes the old contents
 *     of a reused file for records, and the log forces a little whatever the policy (a reused
 *     file's header, the segment it leaves at each roll, the directory before a truncation into
 *     an earlier segment), so that a write torn by a power loss always reads as a torn tail.
 *     Recovery classifies damage by this setting: open a directory with the setting it was
 *     written with.
 */
public record WalOptions(
    FsyncPolicy fsyncPolicy,
    Duration syncInterval,
    int segmentBytes,
    int writeBufferBytes,
    int maxRecordBytes,
    LongSupplier nanoClock,
    int spareSegments) {

  /** Upper bound of {@link #segmentBytes} and {@link #maxRecordBytes}: offsets stay in an int. */
  public static final int MAX_SIZE = 1 << 30;

  /** Checks every value. */
  public WalOptions {
    Objects.requireNonNull(fsyncPolicy, "fsyncPolicy");
    Objects.requireNonNull(syncInterval, "syncInterval");
    Objects.requireNonNull(nanoClock, "nanoClock");
    if (syncInterval.isNegative()) {
      throw new IllegalArgumentException("negative syncInterval");
    }
    if (segmentBytes < 4096 || segmentBytes > MAX_SIZE) {
      throw new IllegalArgumentException("segmentBytes must be in [4096, 2^30]: " + segmentBytes);
    }
    if (writeBufferBytes < 1024 || writeBufferBytes > MAX_SIZE) {
      throw new IllegalArgumentException("writeBufferBytes must be in [1024, 2^30]");
    }
    if (maxRecordBytes < 1 || maxRecordBytes > MAX_SIZE) {
      throw new IllegalArgumentException("maxRecordBytes must be in [1, 2^30]");
    }
    if (spareSegments < 0 || spareSegments > MAX_SPARES) {
      throw new IllegalArgumentException("spareSegments must be in [0, " + MAX_SPARES + "]: "
          + spareSegments);
    }
  }

  /** Upper bound of {@link #spareSegments}. */
  public static final int MAX_SPARES = 16;

  /** The same settings with {@code spareSegments} 0, as before spares existed. */
  public WalOptions(FsyncPolicy fsyncPolicy, Duration syncInterval, int segmentBytes,
      int writeBufferBytes, int maxRecordBytes, LongSupplier nanoClock) {
    this(fsyncPolicy, syncInterval, segmentBytes, writeBufferBytes, maxRecordBytes, nanoClock, 0);
  }

  /**
   * ALWAYS, 64 MiB segments, a 256 KiB write buffer, records up to 256 MiB, a 100 ms interval
   * (used only if the policy is changed to INTERVAL), {@link System#nanoTime()}, no spare
   * segments.
   */
  public static WalOptions defaults() {
    return new WalOptions(FsyncPolicy.ALWAYS, Duration.ofMillis(100), 64 << 20, 256 << 10,
        256 << 20, System::nanoTime, 0);
  }

  /** A copy with another fsync policy. */
  public WalOptions withFsyncPolicy(FsyncPolicy policy) {
    return new WalOptions(policy, syncInterval, segmentBytes, writeBufferBytes, maxRecordBytes,
        nanoClock, spareSegments);
  }

  /** A copy with {@link FsyncPolicy#INTERVAL} and this interval. */
  public WalOptions withSyncInterval(Duration interval) {
    return new WalOptions(FsyncPolicy.INTERVAL, interval, segmentBytes, writeBufferBytes,
        maxRecordBytes, nanoClock, spareSegments);
  }

  /** A copy with another segment size. */
  public WalOptions withSegmentBytes(int bytes) {
    return new WalOptions(fsyncPolicy, syncInterval, bytes, writeBufferBytes, maxRecordBytes,
        nanoClock, spareSegments);
  }

  /** A copy with another write-buffer size. */
  public WalOptions withWriteBufferBytes(int bytes) {
    return new WalOptions(fsyncPolicy, syncInterval, segmentBytes, bytes, maxRecordBytes,
        nanoClock, spareSegments);
  }

  /** A copy with another record size limit. */
  public WalOptions withMaxRecordBytes(int bytes) {
    return new WalOptions(fsyncPolicy, syncInterval, segmentBytes, writeBufferBytes, bytes,
        nanoClock, spareSegments);
  }

  /**
   * A copy keeping up to {@code count} compacted segment files as spares for later segments to
   * be written over (0 turns spares off).
   */
  public WalOptions withSpareSegments(int count) {
    return new WalOptions(fsyncPolicy, syncInterval, segmentBytes, writeBufferBytes,
        maxRecordBytes, nanoClock, count);
  }

  /** A copy with another clock (tests drive INTERVAL with a fake one). */
  public WalOptions withNanoClock(LongSupplier clock) {
    return new WalOptions(fsyncPolicy, syncInterval, segmentBytes, writeBufferBytes,
        maxRecordBytes, clock, spareSegments);
  }
}
