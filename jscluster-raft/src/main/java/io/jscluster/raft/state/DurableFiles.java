package io.jscluster.raft.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Crash-safe replacement of small files, the way NRG writes {@code tav.idx}, {@code peers.idx}
 * and snapshot files: write {@code <name>.tmp}, fsync it, rename it over {@code <name>}, then
 * fsync the directory so the rename itself survives a power cut. A directory created on the way is
 * made durable in its parent too ({@link #createDirectories}).
 *
 * <p>After a crash the target holds either the old or the new content, never a mix; a leftover
 * {@code .tmp} file only means a write was interrupted and is ignored by every reader here.
 */
public final class DurableFiles {

  /** The suffix of the temporary file a write goes through. */
  public static final String TMP_SUFFIX = ".tmp";

  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows");

  private DurableFiles() {}

  /**
   * Atomically replaces {@code target} with {@code data}; durable when this returns.
   *
   * @throws IOException if any step fails; the target then still holds its previous content
   */
  public static void writeAtomically(Path target, byte[] data) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    createDirectories(dir);
    Path tmp = target.resolveSibling(target.getFileName() + TMP_SUFFIX);
    writeForced(tmp, data);
    replaceDurably(tmp, target);
  }

  /**
   * Writes {@code data} as the whole content of {@code file} (created or truncated) and forces it;
   * the file's directory entry is not made durable. The first half of {@link #writeAtomically},
   * for callers that write the temporary file on another thread than the one that renames it.
   *
   * @throws IOException if writing or forcing failed
   */
  public static void writeForced(Path file, byte[] data) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(data);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
  }

  /**
   * Renames {@code from} over {@code target} (atomically where the file system can) and fsyncs
   * the directory, so the rename survives a power cut. The second half of {@link
   * #writeAtomically}: {@code from} must already be durable ({@link #writeForced}).
   *
   * @throws IOException if the rename or the directory sync failed
   */
  public static void replaceDurably(Path from, Path target) throws IOException {
    try {
      Files.move(from, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, target, StandardCopyOption.REPLACE_EXISTING);
    }
    syncDirectory(target.toAbsolutePath().getParent());
  }

  /**
   * Creates {@code dir} and any missing ancestors, like {@link Files#createDirectories}, and makes
   * every directory it created durable: the parent of each is fsynced, so that a power cut cannot
   * drop the new directory's entry (and with it every file later made durable inside it).
   *
   * @return true if at least one directory was created
   * @throws IOException if a directory cannot be created or synced
   */
  public static boolean createDirectories(Path dir) throws IOException {
    Path abs = dir.toAbsolutePath();
    Deque<Path> missing = new ArrayDeque<>();
    for (Path p = abs; p != null && !Files.isDirectory(p); p = p.getParent()) {
      missing.push(p);
    }
    if (missing.isEmpty()) {
      return false;
    }
    List<Path> created = new ArrayList<>();
    for (Path p : missing) {
      try {
        Files.createDirectory(p);
        created.add(p);
      } catch (FileAlreadyExistsException e) {
        if (!Files.isDirectory(p)) {
          throw e;
        }
        // Created concurrently by someone else, who is responsible for its durability.
      }
    }
    // Deepest first: a directory's entry becomes durable only after its own entries are.
    for (int i = created.size() - 1; i >= 0; i--) {
      Path parent = created.get(i).getParent();
      if (parent != null) {
        syncDirectory(parent);
      }
    }
    return !created.isEmpty();
  }

  /**
   * Fsyncs the parent of {@code dir}, making {@code dir}'s own entry durable; for a directory that
   * may have been created by a process that crashed before syncing it. Nothing for a root.
   */
  public static void syncParent(Path dir) throws IOException {
    Path parent = dir.toAbsolutePath().getParent();
    if (parent != null) {
      syncDirectory(parent);
    }
  }

  /**
   * Fsyncs a directory so that creations, renames and deletions inside it are durable. A no-op
   * on Windows, where directories cannot be opened for syncing.
   */
  public static void syncDirectory(Path dir) throws IOException {
    if (WINDOWS) {
      return;
    }
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /**
   * Reads a whole file that must not exceed {@code maxBytes}, or returns {@code null} when it does
   * not exist.
   *
   * @throws IOException on a read error or when the file is larger than {@code maxBytes}
   */
  public static byte[] readIfExists(Path file, int maxBytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > maxBytes) {
        throw new IOException(file + " is " + size + " bytes, more than the " + maxBytes
            + " allowed");
      }
      ByteBuffer buf = ByteBuffer.allocate((int) size);
      while (buf.hasRemaining()) {
        if (ch.read(buf) < 0) {
          break;
        }
      }
      // A file that shrank while being read yields what was there.
      byte[] out = new byte[buf.position()];
      buf.flip().get(out);
      return out;
    } catch (NoSuchFileException e) {
      return null;
    }
  }
}
