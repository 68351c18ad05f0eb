package io.jscluster.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the folder of golden vectors produced by nats-server's own encoders.
 *
 * <p>The folder comes from the system property {@code jscluster.vectors.dir} (the build passes
 * {@code ../shared/vectors}; a relative path is resolved against the repository root). Tests never copy vectors into the project; any folder laid out
 * the same way can be pointed at.
 */
public final class GoldenVectors {

  /** The system property that names the vectors folder. */
  public static final String PROPERTY = "jscluster.vectors.dir";

  private GoldenVectors() {}

  /** The configured folder if it exists, else empty. */
  public static Optional<Path> dir() {
    String configured = System.getProperty(PROPERTY);
    if (configured == null || configured.isBlank()) {
      return Optional.empty();
    }
    Path path = Paths.get(configured);
    if (!path.isAbsolute()) {
      // A relative folder is relative to the repository root, not to the module's working dir.
      String root = System.getProperty("jscluster.root");
      path = root == null ? path : Paths.get(root).resolve(path);
    }
    path = path.toAbsolutePath().normalize();
    return Files.isDirectory(path) ? Optional.of(path) : Optional.empty();
  }

  /**
   * Returns the file of one family (for example {@code stream_msg.json}), or aborts the calling
   * test as skipped, printing why, when the folder or the file is absent.
   */
  public static Path require(String fileName) {
    Optional<Path> dir = dir();
    if (dir.isEmpty()) {
      String msg = "SKIPPED golden vectors: folder '" + System.getProperty(PROPERTY)
          + "' not found (set -D" + PROPERTY + "=<dir>)";
      System.out.println(msg);
      Assumptions.abort(msg);
    }
    Path file = dir.get().resolve(fileName);
    if (!Files.isRegularFile(file)) {
      String msg = "SKIPPED golden vectors: " + file + " not found";
      System.out.println(msg);
      Assumptions.abort(msg);
    }
    return file;
  }
}
