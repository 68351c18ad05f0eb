package io.jscluster.core.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What the operating system holds of a directory tree at one instant — every directory and every
 * regular file's bytes as a read sees them — so that a process killed at that instant can be
 * modelled on a real file system: the JVM may still run its clean-stop path to release handles,
 * and {@link #restore()} then undoes everything that path wrote, created, renamed or deleted.
 */
final class DirectoryImage {

  private final Path root;
  private final Set<Path> dirs = new TreeSet<>();
  private final Map<Path, byte[]> files = new TreeMap<>();

  private DirectoryImage(Path root) {
    this.root = root;
  }

  /** The tree under {@code root} as it is now (empty when {@code root} does not exist). */
  static DirectoryImage capture(Path root) {
    DirectoryImage img = new DirectoryImage(root);
    if (!Files.isDirectory(root)) {
      return img;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        if (Files.isDirectory(p)) {
          img.dirs.add(p);
        } else if (Files.isRegularFile(p)) {
          img.files.put(p, Files.readAllBytes(p));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot capture " + root, e);
    }
    return img;
  }

  /** Directories and regular files captured. */
  int entries() {
    return dirs.size() + files.size();
  }

  /**
   * Puts the tree back as captured: entries that appeared since are deleted, missing directories
   * recreated, and every file whose bytes differ (or which went) rewritten.
   */
  void restore() {
    try {
      if (Files.isDirectory(root)) {
        List<Path> now;
        try (Stream<Path> s = Files.walk(root)) {
          now = s.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : now) {
          boolean keep = Files.isDirectory(p) ? dirs.contains(p) : files.containsKey(p);
          if (!keep) {
            if (Files.isDirectory(p)) {
              deleteTree(p);
            } else {
              Files.deleteIfExists(p);
            }
          }
        }
      }
      for (Path d : dirs) {
        Files.createDirectories(d);
      }
      for (Map.Entry<Path, byte[]> e : files.entrySet()) {
        Path p = e.getKey();
        if (!Files.isRegularFile(p) || !Arrays.equals(Files.readAllBytes(p), e.getValue())) {
          Files.write(p, e.getValue());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restore " + root, e);
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    }
  }
}
