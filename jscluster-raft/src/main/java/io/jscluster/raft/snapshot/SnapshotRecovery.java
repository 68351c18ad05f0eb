package io.jscluster.raft.snapshot;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a scan of a snapshots directory found: the snapshot to start from, if any, and every file
 * that was not used, with the reason.
 *
 * @param latest the newest snapshot that passed its checksum (highest term, then highest index)
 * @param findings every other file in the directory and why it was not chosen, newest first
 *     among snapshot names
 */
public record SnapshotRecovery(Optional<Recovered> latest, List<Finding> findings) {

  /** Copies the list. */
  public SnapshotRecovery {
    findings = List.copyOf(findings);
  }

  /** The adopted snapshot and the file it came from. */
  public record Recovered(Path file, Snapshot snapshot) {}

  /** Why a file was not used. */
  public enum Reason {
    /** A {@code .tmp} file: a write interrupted by a crash. Never read. */
    TMP_LEFTOVER,
    /** Not a {@code snap.<term>.<index>} name. Left alone. */
    UNPARSEABLE_NAME,
    /** Failed its checksum, too short, or lengths overrun. Kept on disk; an older one is used. */
    CORRUPT,
    /** Could not be read (I/O error, or larger than the configured maximum). Kept on disk. */
    UNREADABLE,
    /** Valid checksum but the header disagrees with the file name. Kept on disk, not used. */
    NAME_MISMATCH,
    /** A snapshot at index 0 (written by a nats-server 2.9.12 bug); means "no snapshot". */
    LEGACY_ZERO_INDEX,
    /** A valid snapshot older than the adopted one. Not read. */
    SUPERSEDED
  }

  /**
   * One file that was not adopted.
   *
   * @param file the file
   * @param reason why
   * @param detail a human-readable explanation (for example the checksum error)
   */
  public record Finding(Path file, Reason reason, String detail) {}

  /** The findings with {@code reason}. */
  public List<Finding> findings(Reason reason) {
    return findings.stream().filter(f -> f.reason() == reason).toList();
  }

  /** True when some file was corrupt, unreadable or mismatched (a newer one may have been lost). */
  public boolean foundDamage() {
    return findings.stream().anyMatch(f -> f.reason() == Reason.CORRUPT
        || f.reason() == Reason.UNREADABLE || f.reason() == Reason.NAME_MISMATCH);
  }
}
