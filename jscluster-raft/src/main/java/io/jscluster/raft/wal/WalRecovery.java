package io.jscluster.raft.wal;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What opening a {@link FileRaftLog} found on disk and what it did about it.
 *
 * @param firstIndex the first index the log serves after recovery
 * @param lastIndex the last index it serves
 * @param recordsRecovered records that passed their checksum and are served
 * @param segmentsScanned segment files read
 * @param bytesTruncated bytes cut from a damaged segment plus the sizes of segments deleted
 *     because they followed the damage
 * @param segmentsDeleted segment files removed (following damage, stale after a reset, or wholly
 *     below the first index after an interrupted compaction)
 * @param damage the first damaged spot, if any; nothing at or after it is served
 * @param notes other observations (a missing or unreadable metadata file, a gap before the first
 *     segment), one line each
 */
public record WalRecovery(
    long firstIndex,
    long lastIndex,
    long recordsRecovered,
    int segmentsScanned,
    long bytesTruncated,
    int segmentsDeleted,
    Optional<Damage> damage,
    List<String> notes) {

  /** Copies the notes. */
  public WalRecovery {
    notes = List.copyOf(notes);
  }

  /** True when nothing was damaged. */
  public boolean clean() {
    return damage.isEmpty();
  }

  /**
   * The first spot recovery could not trust.
   *
   * @param segment the segment file
   * @param offset byte offset of the bad record (or 0 for a bad segment header)
   * @param index the log index the bad record should have held
   * @param reason what was wrong
   * @param tornTail true when the damage looks like an interrupted final write (it is in the last
   *     segment and reaches the end of the file); false means corruption inside the log
   */
  public record Damage(Path segment, long offset, long index, String reason, boolean tornTail) {}
}
