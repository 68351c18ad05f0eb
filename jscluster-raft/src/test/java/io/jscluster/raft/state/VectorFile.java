package io.jscluster.raft.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscluster.testing.GoldenVectors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Test helper for the Raft disk-format golden vectors: reads one family file, selects cases by
 * kind and converts the value conventions (hex, numbers that may be decimal strings).
 */
public final class VectorFile {

  private final String fileName;
  private final JsonNode root;
  private final Map<String, Integer> counts = new TreeMap<>();

  private VectorFile(String fileName, JsonNode root) {
    this.fileName = fileName;
    this.root = root;
  }

  /** Loads {@code fileName} from the configured folder, or aborts the test as skipped. */
  public static VectorFile load(String fileName) {
    try {
      return new VectorFile(fileName,
          new ObjectMapper().readTree(GoldenVectors.require(fileName).toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The kind of a case: case-level {@code kind}, else {@code fields.kind}, else "default". */
  public static String kind(JsonNode c) {
    if (c.hasNonNull("kind")) {
      return c.get("kind").asText();
    }
    JsonNode f = c.get("fields");
    return f != null && f.hasNonNull("kind") ? f.get("kind").asText() : "default";
  }

  /** Every case of {@code kind} ({@code null} = all cases). */
  public List<JsonNode> cases(String kind) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode c : root.get("cases")) {
      if (kind == null || kind.equals(kind(c))) {
        out.add(c);
      }
    }
    return out;
  }

  /** Records that a case of {@code kind} was checked. */
  public void count(String kind) {
    counts.merge(kind, 1, Integer::sum);
  }

  /** Prints the per-kind check counts and returns their total. */
  public int printCounts(String test) {
    int total = counts.values().stream().mapToInt(Integer::intValue).sum();
    System.out.println(test + " [" + fileName + "] ran " + total + " checks, by kind: " + counts);
    return total;
  }

  /** Decodes lower-case hex; {@code null} or JSON null gives an empty array. */
  public static byte[] hex(JsonNode node) {
    if (node == null || node.isNull()) {
      return new byte[0];
    }
    return HexFormat.of().parseHex(node.asText());
  }

  /** A u64 that may be a JSON number or a decimal string, as a long with the same bits. */
  public static long u64(JsonNode node) {
    return node.isTextual() ? Long.parseUnsignedLong(node.asText()) : node.asLong();
  }
}
