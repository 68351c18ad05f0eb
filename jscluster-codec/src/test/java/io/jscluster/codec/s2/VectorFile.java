package io.jscluster.codec.s2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscluster.testing.GoldenVectors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Test helper: loads one golden-vector family and converts its value conventions. */
public final class VectorFile {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private VectorFile() {}

  /** The cases of a family file, or aborts the test as skipped when the vectors are absent. */
  public static List<JsonNode> cases(String fileName) {
    try {
      JsonNode root = MAPPER.readTree(GoldenVectors.require(fileName).toFile());
      List<JsonNode> out = new ArrayList<>();
      root.get("cases").forEach(out::add);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Lower-case hex to bytes; {@code null} stays {@code null}. */
  public static byte[] hex(String s) {
    return s == null ? null : HexFormat.of().parseHex(s);
  }

  /** The bytes of a hex field, or {@code null} when the field is absent or JSON null. */
  public static byte[] hex(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : hex(v.asText());
  }

  /** Bytes as lower-case hex. */
  public static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  /** A uint64 given either as a JSON number or as a decimal string, as Java long bits. */
  public static long u64(JsonNode v) {
    if (v == null || v.isNull()) {
      return 0;
    }
    if (v.isTextual()) {
      String t = v.asText();
      return t.startsWith("-") ? Long.parseLong(t) : Long.parseUnsignedLong(t);
    }
    if (v.isBigInteger()) {
      return v.bigIntegerValue().longValue();
    }
    return v.asLong();
  }
}
