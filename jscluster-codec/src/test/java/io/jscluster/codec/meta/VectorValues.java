package io.jscluster.codec.meta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jscluster.codec.json.GoTime;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Reads golden-vector values written with Go field names into this module's records. */
public final class VectorValues {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private VectorValues() {}

  /** Reads a vectors file. */
  public static JsonNode load(Path file) throws IOException {
    return MAPPER.readTree(file.toFile());
  }

  /** Lower-case hex to bytes. */
  public static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }

  /** A uint64/int64 given as a JSON number or a decimal string. */
  public static long num(JsonNode n) {
    if (n == null || n.isNull()) {
      return 0;
    }
    BigInteger v = n.isTextual() ? new BigInteger(n.asText()) : n.bigIntegerValue();
    return v.longValue();
  }

  /** A Go string. */
  public static String str(JsonNode n) {
    return n == null || n.isNull() ? "" : n.asText();
  }

  /** A Go bool. */
  public static boolean bool(JsonNode n) {
    return n != null && n.asBoolean();
  }

  /** A time string, or null. */
  public static OffsetDateTime time(JsonNode n) {
    return n == null || n.isNull() ? null : GoTime.parse(n.asText());
  }

  /** A list, or null for nil. */
  public static <T> List<T> list(JsonNode n, Function<JsonNode, T> f) {
    if (n == null || n.isNull()) {
      return null;
    }
    List<T> out = new ArrayList<>();
    n.forEach(e -> out.add(f.apply(e)));
    return out;
  }

  /** A []string, or null. */
  public static List<String> strs(JsonNode n) {
    return list(n, VectorValues::str);
  }

  /** A map with string keys, or null. */
  public static <T> Map<String, T> map(JsonNode n, Function<JsonNode, T> f) {
    if (n == null || n.isNull()) {
      return null;
    }
    Map<String, T> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      out.put(e.getKey(), f.apply(e.getValue()));
    }
    return out;
  }

  /** A *ClientInfo, or null. */
  public static ClientInfo client(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    return new ClientInfo(time(n.get("Start")), str(n.get("Host")), num(n.get("ID")),
        str(n.get("Account")), str(n.get("Service")), str(n.get("User")), str(n.get("Name")),
        str(n.get("Lang")), str(n.get("Version")), num(n.get("RTT")), str(n.get("Server")),
        str(n.get("Cluster")), strs(n.get("Alternates")), time(n.get("Stop")), str(n.get("Jwt")),
        str(n.get("IssuerKey")), str(n.get("NameTag")), strs(n.get("Tags")), str(n.get("Kind")),
        str(n.get("ClientType")), str(n.get("MQTTClient")), str(n.get("Nonce")), str(n.get("Reply")));
  }
}
