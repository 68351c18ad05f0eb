package io.jscluster.raft.wal;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
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
 * @param damage where the log was cut, if it was: a {@link Damage.Kind#TORN_TAIL} or {@link
 *     Damage.Kind#CORRUPT} record; nothing at or after it is served
 * @param compactedDamage damaged records below the first index (already compacted, inside a
 *     segment that also holds live records), each of kind {@link Damage.Kind#COMPACTED}: recovery
 *     stepped over them and served the live records after them. They stay on disk until the
 *     segment is compacted away, so every reopen reports them again.
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
    List<Damage> compactedDamage,
    List<String> notes) {

  /** Copies the lists. */
  public WalRecovery {
    Objects.requireNonNull(damage, "damage");
    compactedDamage = List.copyOf(compactedDamage);
    notes = List.copyOf(notes);
  }

  /** True when nothing was damaged, neither live records nor compacted ones. */
  public boolean clean() {
    return damage.isEmpty() && compactedDamage.isEmpty();
  }

  /**
   * One damaged spot.
   *
   * @param kind torn tail, corruption of the log, or corruption below its first index
   * @param segment the segment file
   * @param offset byte offset of the bad record (or 0 for a bad segment header)
   * @param index the log index the bad record should have held
   * @param reason what was wrong
   */
  public record Damage(Kind kind, Path segment, long offset, long index, String reason) {

    /** Checks the fields. */
    public Damage {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(segment, "segment");
      Objects.requireNonNull(reason, "reason");
    }

    /** What kind of damage it is. */
    public enum Kind {
      /**
       * An interrupted final write, normal after a power loss, with nothing of the log behind it:
       * the last record of the last segment (or that segment's header) is shorter than it says,
       * or from its start to the end of the file there are only zeros (the file grew but the data
       * never reached the disk); with spare segments on, any damage that no verified record of
       * its index or a later one, and no end marker of a later index, follows (in its file or a
       * later segment), whatever old contents of a reused file lie behind it. It was cut off.
       */
      TORN_TAIL,
      /**
       * Damage with something of the log behind it, or that no interrupted write leaves: a record
       * that is complete but fails verification (checksum, index or term), or a partial record
       * or bad header that is not at the very end of the log (without spares), or damage that a
       * verified record of its index or a later one follows (with spares), or a segment of a
       * newer epoch. It and everything after it were cut off.
       */
      CORRUPT,
      /**
       * A damaged record below the first index, in a segment whose later records are live:
       * recovery found the next valid record and went on, so no served record was lost.
       */
      COMPACTED
    }

    /** True for {@link Kind#TORN_TAIL}. */
    public boolean tornTail() {
      return kind == Kind.TORN_TAIL;
    }

    /** One line naming the kind, the reason and where. */
    public String describe() {
      String what = switch (kind) {
        case TORN_TAIL -> "torn tail: ";
        case CORRUPT -> "corrupt record: ";
        case COMPACTED -> "corrupt compacted record: ";
      };
      return what + reason + " at offset " + offset + " of " + segment.getFileName() + " (index "
          + index + ")";
    }
  }
}
