package io.jscluster.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the code shown in {@code docs/*.md} identical to real, compiled and tested source files.
 * A page marks a code block with {@code <!-- include: PATH -->} (the whole file) or
 * {@code <!-- include: PATH#NAME -->} (the lines between {@code // region: NAME} and
 * {@code // endregion: NAME}, de-indented); the next fenced block must be exactly that text.
 */
class DocSnippetsTest {

  private static final Pattern INCLUDE = Pattern.compile("<!-- include: ([^#\\s]+)(?:#(\\S+))? -->");

  /** The repository root: {@code -Djscluster.root} (set by the build), else the nearest parent with docs/. */
  static Path root() {
    String r = System.getProperty("jscluster.root");
    if (r != null && !r.isBlank() && Files.isDirectory(Paths.get(r, "docs"))) {
      return Paths.get(r);
    }
    Path p = Paths.get("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("docs"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("cannot find the repository root (docs/)");
    }
    return p;
  }

  record Include(Path page, String path, String region, String shown) {}

  static List<Include> includes(Path page) throws IOException {
    List<String> lines = Files.readAllLines(page, StandardCharsets.UTF_8);
    List<Include> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = INCLUDE.matcher(lines.get(i).trim());
      if (!m.matches()) {
        continue;
      }
      int j = i + 1;
      while (j < lines.size() && lines.get(j).isBlank()) {
        j++;
      }
      if (j >= lines.size() || !lines.get(j).startsWith("```")) {
        throw new AssertionError(page + ":" + (i + 1) + ": include not followed by a fenced block");
      }
      StringBuilder shown = new StringBuilder();
      int k = j + 1;
      while (k < lines.size() && !lines.get(k).startsWith("```")) {
        shown.append(lines.get(k)).append('\n');
        k++;
      }
      if (k >= lines.size()) {
        throw new AssertionError(page + ":" + (i + 1) + ": unclosed fenced block");
      }
      out.add(new Include(page, m.group(1), m.group(2), shown.toString()));
      i = k;
    }
    return out;
  }

  /** The text of {@code region} of {@code file} (null: the whole file), de-indented. */
  static String source(Path file, String region) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (region == null) {
      return String.join("\n", lines) + "\n";
    }
    int begin = -1;
    int end = -1;
    for (int i = 0; i < lines.size(); i++) {
      String t = lines.get(i).trim();
      if (t.equals("// region: " + region)) {
        begin = i;
      } else if (t.equals("// endregion: " + region) && begin >= 0) {
        end = i;
        break;
      }
    }
    if (begin < 0 || end < 0) {
      throw new AssertionError(file + " has no region " + region);
    }
    List<String> body = lines.subList(begin + 1, end);
    int indent = Integer.MAX_VALUE;
    for (String l : body) {
      if (!l.isBlank()) {
        indent = Math.min(indent, l.length() - l.stripLeading().length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String l : body) {
      sb.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
    }
    return sb.toString();
  }

  @Test
  void everyIncludedSnippetIsTheSourceItNames() throws IOException {
    Path root = root();
    List<Include> all = new ArrayList<>();
    try (Stream<Path> pages = Files.list(root.resolve("docs"))) {
      for (Path page : pages.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
        all.addAll(includes(page));
      }
    }
    assertThat(all).as("docs/embedding.md includes its example")
        .anyMatch(i -> i.page().endsWith("embedding.md") && i.region() == null);
    assertThat(all).as("docs/testing.md includes real tests").anyMatch(i -> i.page().endsWith("testing.md"));
    for (Include inc : all) {
      Path file = root.resolve(inc.path());
      assertThat(file).as(inc.page() + " includes " + inc.path()).isRegularFile();
      assertThat(inc.shown()).as(inc.page().getFileName() + " shows " + inc.path()
          + (inc.region() == null ? "" : "#" + inc.region()) + "; copy the source into the page again")
          .isEqualTo(source(file, inc.region()));
    }
  }
}
