package io.jscluster.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code docs/port-map.md} honest: every nats-server function of the port scope and every
 * test of the specs' catalogues has a row; every row is either ported (naming Java that exists)
 * or not ported (with a reason); and every Java name the map cites exists in the sources.
 *
 * <p>The map lives in this module's tests because this is the one module that sees all others.
 * The scope and catalogues are read from {@code ../shared/spec}; without that folder the
 * completeness checks are skipped with a printed message, the name checks still run.
 */
class PortMapTest {

  private static final Pattern ROW = Pattern.compile("^\\|\\s*`?([A-Za-z][\\w()]*)`?\\s*\\|(.*)\\|\\s*$");
  private static final Pattern JAVA_REF = Pattern.compile("`(io\\.jscluster\\.[\\w.]+(?:#\\w+)?)`");

  /** The system property naming the spec folder. */
  static final String SPEC_PROPERTY = "jscluster.spec.dir";

  private static Path root;
  private static Map<String, Row> rows;

  record Row(String name, String status, List<String> refs, String text, int line) {}

  @BeforeAll
  static void readMap() throws IOException {
    root = Paths.get(System.getProperty("jscluster.root", "..")).toAbsolutePath().normalize();
    Path map = root.resolve("docs/port-map.md");
    assertThat(map).as("docs/port-map.md").exists();
    rows = new LinkedHashMap<>();
    List<String> lines = Files.readAllLines(map);
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = ROW.matcher(lines.get(i));
      if (!m.matches() || m.group(1).equals("Go")) {
        continue;
      }
      String[] cells = m.group(2).split("\\|", -1);
      String status = cells[0].trim().toLowerCase();
      List<String> refs = new ArrayList<>();
      Matcher r = JAVA_REF.matcher(m.group(2));
      while (r.find()) {
        refs.add(r.group(1));
      }
      Row previous = rows.put(m.group(1), new Row(m.group(1), status, refs, m.group(2), i + 1));
      assertThat(previous).as("duplicate row for %s (line %d)", m.group(1), i + 1).isNull();
    }
    assertThat(rows).as("rows parsed from the port map").isNotEmpty();
  }

  @Test
  void everyRowIsPortedWithJavaOrNotPortedWithAReason() {
    List<String> bad = new ArrayList<>();
    for (Row row : rows.values()) {
      if (row.status().startsWith("ported") || row.status().startsWith("partly")) {
        if (row.refs().isEmpty()) {
          bad.add("line " + row.line() + " " + row.name() + ": ported but names no Java");
        }
      } else if (row.status().startsWith("not ported")) {
        String[] cells = row.text().split("\\|", -1);
        String reason = cells[cells.length - 1].trim();
        if (reason.length() < 10) {
          bad.add("line " + row.line() + " " + row.name() + ": not ported without a reason");
        }
      } else {
        bad.add("line " + row.line() + " " + row.name() + ": unknown status '" + row.status() + "'");
      }
    }
    assertThat(bad).isEmpty();
  }

  @Test
  void everyJavaNameInTheMapExists() {
    List<Path> sourceRoots = sourceRoots();
    List<String> missing = new ArrayList<>();
    int checked = 0;
    for (Row row : rows.values()) {
      for (String ref : row.refs()) {
        checked++;
        if (!exists(sourceRoots, ref)) {
          missing.add(row.name() + " -> " + ref);
        }
      }
    }
    System.out.println("port map: " + rows.size() + " rows, " + checked + " Java names checked");
    assertThat(missing).as("Java names cited in docs/port-map.md that do not exist").isEmpty();
  }

  @Test
  void everyFunctionOfThePortScopeHasARow() {
    Path scope = spec("port-scope.md");
    Set<String> functions = scopeFunctions(read(scope));
    assertThat(functions).hasSizeGreaterThan(50);
    assertThat(functions).allSatisfy(f -> assertThat(rows).as("row for function %s", f).containsKey(f));
  }

  @Test
  void everyCatalogueTestHasARow() {
    Set<String> tests = catalogueTests(read(spec("raft.md")), read(spec("jetstream-cluster.md")));
    assertThat(tests).hasSizeGreaterThan(100);
    List<String> missing = tests.stream().filter(t -> !rows.containsKey(t)).toList();
    System.out.println("port map: " + tests.size() + " catalogue tests, " + missing.size() + " without a row");
    assertThat(missing).as("catalogue tests without a row in docs/port-map.md").isEmpty();
  }

  @Test
  void theStoreAndSequenceSetFormatsHaveRows() {
    // The scope names these in prose ("the encoded stream state and the SequenceSet"), so the
    // camelCase scan above cannot see them; their Go names are required explicitly.
    assertThat(rows).containsKeys("EncodedStreamState", "DecodeStreamState", "SequenceSet");
  }

  @Test
  void everyPortedTestRowCitesJavaThatNamesTheGoTest() {
    // A ported Go test is traced by name: one cited Java test must mention it (a @DisplayName or
    // a "Go:" comment just above the cited method, or a comment in its body; for a cited type,
    // anywhere in its file), so a row cannot point at an unrelated test.
    List<Path> sourceRoots = sourceRoots();
    List<String> bad = new ArrayList<>();
    for (Row row : rows.values()) {
      // Only full ports: a partial row may cite spec-derived tests that do not name the Go test.
      if (!row.status().startsWith("ported") || !row.name().startsWith("Test")) {
        continue;
      }
      boolean named = false;
      for (String ref : row.refs()) {
        String type = ref.contains("#") ? ref.substring(0, ref.indexOf('#')) : ref;
        String member = ref.contains("#") ? ref.substring(ref.indexOf('#') + 1) : null;
        Optional<String> src = sourceOf(sourceRoots, type);
        if (src.isPresent() && namesGoTest(src.get(), member, row.name())) {
          named = true;
          break;
        }
      }
      if (!named) {
        bad.add("line " + row.line() + " " + row.name() + ": no cited Java test names the Go test");
      }
    }
    assertThat(bad).isEmpty();
  }

  /**
   * Whether {@code goName} appears in the header (annotations and comments directly above) or the
   * body of a method {@code member} declared in {@code src}; with no member, anywhere in it.
   */
  static boolean namesGoTest(String src, String member, String goName) {
    Pattern word = Pattern.compile("\\b" + Pattern.quote(goName) + "\\b");
    if (member == null) {
      return word.matcher(src).find();
    }
    Matcher d = Pattern.compile("(?m)^[ \\t]*[\\w<>\\[\\]?,. ]*\\b" + Pattern.quote(member) + "\\s*\\([^;{]*\\{")
        .matcher(src);
    while (d.find()) {
      String window = src.substring(headerStart(src, d.start()), bodyEnd(src, d.end() - 1));
      if (word.matcher(window).find()) {
        return true;
      }
    }
    return false;
  }

  /** Start of the annotation and comment lines directly above the line starting at {@code at}. */
  private static int headerStart(String src, int at) {
    int start = at;
    while (start > 0) {
      int prevEnd = start - 1; // the '\n' ending the previous line
      int prevStart = src.lastIndexOf('\n', prevEnd - 1) + 1;
      String line = src.substring(prevStart, prevEnd).trim();
      if (line.isEmpty() || line.endsWith("}") || line.endsWith(";") || line.endsWith("{")) {
        break;
      }
      start = prevStart;
    }
    return start;
  }

  /** Index just after the brace closing the block opened at {@code open}, skipping literals. */
  private static int bodyEnd(String src, int open) {
    int depth = 0;
    for (int i = open; i < src.length(); i++) {
      char c = src.charAt(i);
      if (c == '"' || c == '\'') {
        for (i++; i < src.length() && src.charAt(i) != c; i++) {
          if (src.charAt(i) == '\\') {
            i++;
          }
        }
      } else if (c == '/' && i + 1 < src.length() && src.charAt(i + 1) == '/') {
        i = src.indexOf('\n', i);
        if (i < 0) {
          return src.length();
        }
      } else if (c == '/' && i + 1 < src.length() && src.charAt(i + 1) == '*') {
        i = src.indexOf("*/", i + 2);
        if (i < 0) {
          return src.length();
        }
        i++;
      } else if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return i + 1;
      }
    }
    return src.length();
  }

  @Test
  void aGoNameCountsOnlyAtTheCitedMethod() {
    String src = String.join("\n",
        "class T {",
        "  @Test",
        "  @DisplayName(\"Go: TestA\")",
        "  void a() {",
        "    String s = \"}{\"; /* don't } */ char q = '\\'';",
        "  }",
        "",
        "  @Test",
        "  void b() {",
        "    // Go: TestB (part)",
        "  }",
        "}");
    assertThat(namesGoTest(src, "a", "TestA")).isTrue();
    assertThat(namesGoTest(src, "b", "TestA")).isFalse();
    assertThat(namesGoTest(src, "b", "TestB")).isTrue();
    assertThat(namesGoTest(src, "a", "TestB")).isFalse();
    assertThat(namesGoTest(src, null, "TestB")).isTrue();
  }

  /**
   * The Go test names of raft.md section 10 (bold) and jetstream-cluster.md section 8 (in
   * backticks). A bold {@code **…Suffix**} right after a full name abbreviates a sibling test:
   * the suffix replaces the previous name from the last occurrence of its first word, or else
   * as many trailing words as the suffix has.
   */
  static Set<String> catalogueTests(String raft, String js) {
    Set<String> tests = new LinkedHashSet<>();
    String section = raft.substring(raft.indexOf("## 10."), raft.indexOf("## 11."));
    Matcher bold = Pattern.compile("\\*\\*(Test\\w+|…\\w+)\\*\\*").matcher(section);
    String previous = null;
    while (bold.find()) {
      String name = bold.group(1);
      if (name.startsWith("…")) {
        assertThat(previous).as("abbreviated test %s follows a full name", name).isNotNull();
        name = expand(previous, name.substring(1));
      }
      tests.add(name);
      previous = name;
    }
    Matcher ticked = Pattern.compile("`(Test\\w+)`")
        .matcher(js.substring(js.indexOf("## 8. Test catalogue"), js.indexOf("## 9.")));
    while (ticked.find()) {
      tests.add(ticked.group(1));
    }
    return tests;
  }

  static String expand(String full, String suffix) {
    List<String> words = camelWords(suffix);
    int at = full.lastIndexOf(words.get(0));
    if (at > 0) {
      return full.substring(0, at) + suffix;
    }
    List<String> fullWords = camelWords(full);
    return String.join("", fullWords.subList(0, fullWords.size() - words.size())) + suffix;
  }

  private static List<String> camelWords(String s) {
    List<String> words = new ArrayList<>();
    Matcher m = Pattern.compile("[A-Z]+(?![a-z])|[A-Z][a-z0-9]*|[a-z0-9]+").matcher(s);
    while (m.find()) {
      words.add(m.group());
    }
    return words;
  }

  @Test
  void abbreviatedCatalogueNamesExpandToTheGoNames() {
    assertThat(expand("TestNRGDontSwitchToCandidateWithInflightSnapshot", "WithMultipleInflightSnapshots"))
        .isEqualTo("TestNRGDontSwitchToCandidateWithMultipleInflightSnapshots");
    assertThat(expand("TestNRGTruncateWALRevertsUncommittedAddPeer", "RemovePeer"))
        .isEqualTo("TestNRGTruncateWALRevertsUncommittedRemovePeer");
  }

  /** The camelCase function names listed under the scope's groups, e.g. {@code gcbAdd}. */
  static Set<String> scopeFunctions(String text) {
    Set<String> names = new LinkedHashSet<>();
    String body = text.substring(text.indexOf("## Group A"), text.indexOf("## Tests"));
    // Parenthetical prose such as "(the clustered consumer-create path ...)" names nothing.
    body = body.replaceAll("\\((?!Locked\\))[^)]*\\)", " ");
    body = body.replaceAll("`[^`]*`", " ");
    Matcher m = Pattern.compile("\\b[a-z]+[A-Z]\\w*(?:\\(Locked\\))?").matcher(body);
    while (m.find()) {
      names.add(m.group());
    }
    return names;
  }

  private static List<Path> sourceRoots() {
    List<Path> sourceRoots = new ArrayList<>();
    try (Stream<Path> modules = Files.list(root)) {
      modules.filter(p -> p.getFileName().toString().startsWith("jscluster-")).sorted().forEach(m -> {
        sourceRoots.add(m.resolve("src/main/java"));
        sourceRoots.add(m.resolve("src/test/java"));
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sourceRoots;
  }

  /** The source of the file declaring {@code type} (its outermost class for a nested type). */
  private static Optional<String> sourceOf(List<Path> sourceRoots, String type) {
    String candidate = type;
    while (candidate.contains(".")) {
      String path = candidate.replace('.', '/') + ".java";
      for (Path sr : sourceRoots) {
        Path file = sr.resolve(path);
        if (Files.isRegularFile(file)) {
          return Optional.of(read(file));
        }
      }
      candidate = candidate.substring(0, candidate.lastIndexOf('.'));
    }
    return Optional.empty();
  }

  private static boolean exists(List<Path> sourceRoots, String ref) {
    String type = ref.contains("#") ? ref.substring(0, ref.indexOf('#')) : ref;
    String member = ref.contains("#") ? ref.substring(ref.indexOf('#') + 1) : null;
    Optional<String> source = Optional.empty();
    String nested = null;
    String candidate = type;
    while (source.isEmpty() && candidate.contains(".")) {
      String path = candidate.replace('.', '/') + ".java";
      for (Path sr : sourceRoots) {
        Path file = sr.resolve(path);
        if (Files.isRegularFile(file)) {
          source = Optional.of(read(file));
          break;
        }
      }
      if (source.isEmpty()) {
        // Maybe a nested type: Outer.Inner lives in Outer.java.
        nested = candidate.substring(candidate.lastIndexOf('.') + 1);
        candidate = candidate.substring(0, candidate.lastIndexOf('.'));
        if (!Character.isUpperCase(candidate.charAt(candidate.lastIndexOf('.') + 1))) {
          break;
        }
      }
    }
    if (source.isEmpty()) {
      return false;
    }
    String src = source.get();
    if (nested != null && !Pattern.compile("\\b(class|record|interface|enum)\\s+" + nested + "\\b").matcher(src).find()) {
      return false;
    }
    if (member == null) {
      return true;
    }
    Pattern decl = Pattern.compile("(?m)^\\s*(?:@\\w+(?:\\([^)]*\\))?\\s+)*[\\w<>\\[\\]?,. ]*\\b" + member + "\\s*\\(");
    Matcher d = decl.matcher(src);
    while (d.find()) {
      String line = d.group().trim();
      if (!line.startsWith("return") && !line.startsWith(member) && !line.startsWith("new ")) {
        return true;
      }
    }
    // A record component or enum constant is also a member.
    return Pattern.compile("\\brecord\\s+\\w+\\s*\\([^)]*\\b" + member + "\\b").matcher(src).find()
        || Pattern.compile("(?m)^\\s*" + member + "\\s*[(,;]").matcher(src).find();
  }

  private static Path spec(String name) {
    Path dir = specDir();
    Path file = dir.resolve(name);
    if (!Files.isRegularFile(file)) {
      String msg = "SKIPPED port-map completeness: " + file + " not found";
      System.out.println(msg);
      Assumptions.abort(msg);
    }
    return file;
  }

  /**
   * The spec folder: the system property {@value #SPEC_PROPERTY} (the build passes
   * {@code ../shared/spec}); a relative value is resolved against the repository root.
   */
  static Path specDir() {
    String configured = System.getProperty(SPEC_PROPERTY, "../shared/spec");
    Path dir = Paths.get(configured.isBlank() ? "../shared/spec" : configured);
    if (!dir.isAbsolute()) {
      dir = root.resolve(dir);
    }
    return dir.toAbsolutePath().normalize();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
