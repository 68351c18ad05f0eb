package io.jscluster.raft.snapshot;

import java.util.Optional;

/**
 * Snapshot file names, {@code snap.<term>.<index>} with both numbers in plain unsigned decimal.
 *
 * <p>Parsing accepts exactly what {@link #format} produces: no sign, no leading zeros (a lone
 * {@code 0} is fine), no spaces, no suffix, values within the unsigned 64-bit range. Only the
 * base name of a path is looked at.
 */
public final class SnapshotFileName {

  /** The prefix of every snapshot file name. */
  public static final String PREFIX = "snap.";

  private SnapshotFileName() {}

  /** The position a snapshot file name stands for. */
  public record TermIndex(long term, long index) {}

  /** {@code snap.<term>.<index>}, both printed as unsigned decimals. */
  public static String format(long term, long index) {
    return PREFIX + Long.toUnsignedString(term) + "." + Long.toUnsignedString(index);
  }

  /** Parses the base name of {@code path}; empty when it is not a snapshot file name. */
  public static Optional<TermIndex> parse(String path) {
    String name = baseName(path);
    if (!name.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String rest = name.substring(PREFIX.length());
    int dot = rest.indexOf('.');
    if (dot < 0) {
      return Optional.empty();
    }
    Long term = parseCanonical(rest.substring(0, dot));
    Long index = parseCanonical(rest.substring(dot + 1));
    if (term == null || index == null) {
      return Optional.empty();
    }
    return Optional.of(new TermIndex(term, index));
  }

  // The last element of a slash-separated path, ignoring trailing slashes.
  private static String baseName(String path) {
    int end = path.length();
    while (end > 1 && path.charAt(end - 1) == '/') {
      end--;
    }
    String trimmed = path.substring(0, end);
    int slash = trimmed.lastIndexOf('/');
    return slash < 0 || trimmed.length() == 1 ? trimmed : trimmed.substring(slash + 1);
  }

  // An unsigned decimal exactly as Long.toUnsignedString prints it, or null.
  private static Long parseCanonical(String s) {
    if (s.isEmpty() || s.length() > 20 || (s.length() > 1 && s.charAt(0) == '0')) {
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
    }
    try {
      return Long.parseUnsignedLong(s);
    } catch (NumberFormatException tooBig) {
      return null;
    }
  }
}
