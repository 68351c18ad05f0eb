package io.jscluster.core.stream;

/**
 * When a stream replica installs a snapshot of its state into Raft (nats-server's
 * {@code monitorStream} compaction rules): after an apply burst once the log holds at least
 * {@code entries} compactable entries or more than {@code bytes} compactable bytes, or the failed
 * proposal count grew since the last snapshot; and on a timer every {@code intervalMillis} plus a
 * random spread of up to {@code spreadMillis}.
 *
 * @param entries compactable log entries that trigger a snapshot (nats-server: 65,536)
 * @param bytes compactable log bytes above which a snapshot is taken (nats-server: 8 MiB)
 * @param intervalMillis the periodic snapshot interval (nats-server: 2 minutes)
 * @param spreadMillis random spread added to the first interval (nats-server: up to 1 minute)
 */
public record SnapshotPolicy(long entries, long bytes, long intervalMillis, long spreadMillis) {

  /** nats-server's thresholds. */
  public static final SnapshotPolicy DEFAULT = new SnapshotPolicy(65_536, 8L * 1024 * 1024, 120_000, 60_000);

  /** Checks every value is positive (spread may be 0). */
  public SnapshotPolicy {
    if (entries < 1 || bytes < 1 || intervalMillis < 1 || spreadMillis < 0) {
      throw new IllegalArgumentException("invalid snapshot policy");
    }
  }
}
