package io.jscluster.codec.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jscluster.codec.CodecException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Go encoding/json output rules the writer reproduces. */
class GoJsonWriterTest {

  private static String str(String s) {
    GoJsonWriter w = new GoJsonWriter();
    w.value(s);
    return new String(w.toByteArray(), StandardCharsets.UTF_8);
  }

  @Test
  void htmlCharactersAndLineSeparatorsAreEscaped() {
    assertThat(str("orders.>")).isEqualTo("\"orders.\\u003e\"");
    assertThat(str("a<b&c")).isEqualTo("\"a\\u003cb\\u0026c\"");
    assertThat(str("x\u2028y\u2029")).isEqualTo("\"x\\u2028y\\u2029\"");
  }

  @Test
  void controlCharactersQuotesAndBackslashes() {
    assertThat(str("\n\r\t")).isEqualTo("\"\\n\\r\\t\"");
    // Go 1.22+ (the server's toolchain) writes \b and \f.
    assertThat(str("\b\f")).isEqualTo("\"\\b\\f\"");
    assertThat(str("\u0000\u0001\u001f")).isEqualTo("\"\\u0000\\u0001\\u001f\"");
    assertThat(str("\"\\")).isEqualTo("\"\\\"\\\\\"");
  }

  @Test
  void slashDelAndNonAsciiAreRaw() {
    assertThat(str("/\u007f")).isEqualTo("\"/\u007f\"");
    assertThat(str("\u00e9\u6ce8\u2713")).isEqualTo("\"\u00e9\u6ce8\u2713\"");
    GoJsonWriter w = new GoJsonWriter();
    w.value("\ud83d\ude00");
    assertThat(w.toByteArray()).containsExactly('"', 0xf0, 0x9f, 0x98, 0x80, '"');
  }

  @Test
  void unpairedSurrogateBecomesEscapedReplacement() {
    assertThat(str("a\ud800b")).isEqualTo("\"a\\ufffdb\"");
    assertThat(str("\udc00")).isEqualTo("\"\\ufffd\"");
  }

  @Test
  void fullSignedAndUnsignedRanges() {
    GoJsonWriter w = new GoJsonWriter();
    w.beginArray().value(Long.MIN_VALUE).value(Long.MAX_VALUE).value(0L).value(-1L)
        .unsignedValue(-1L).unsignedValue(Long.MIN_VALUE).unsignedValue(10).endArray();
    assertThat(new String(w.toByteArray(), StandardCharsets.US_ASCII)).isEqualTo(
        "[-9223372036854775808,9223372036854775807,0,-1,18446744073709551615,9223372036854775808,10]");
  }

  @Test
  void timesAsGoMarshalsThem() {
    assertThat(GoTime.format(GoTime.ZERO)).isEqualTo("0001-01-01T00:00:00Z");
    assertThat(GoTime.format(OffsetDateTime.of(2024, 3, 15, 12, 30, 45, 123456789, ZoneOffset.UTC)))
        .isEqualTo("2024-03-15T12:30:45.123456789Z");
    assertThat(GoTime.format(OffsetDateTime.of(2023, 12, 31, 23, 59, 59, 120_000_000, ZoneOffset.UTC)))
        .isEqualTo("2023-12-31T23:59:59.12Z");
    assertThat(GoTime.format(OffsetDateTime.of(2024, 6, 1, 8, 0, 0, 500, ZoneOffset.ofHoursMinutes(5, 30))))
        .isEqualTo("2024-06-01T08:00:00.0000005+05:30");
    assertThat(GoTime.format(OffsetDateTime.of(2024, 6, 1, 8, 0, 0, 0, ZoneOffset.ofHours(-7))))
        .isEqualTo("2024-06-01T08:00:00-07:00");
    assertThat(GoTime.format(GoTime.parse("2024-01-01T00:00:00+00:00"))).isEqualTo("2024-01-01T00:00:00Z");
    assertThatThrownBy(() -> GoTime.format(OffsetDateTime.of(10000, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC)))
        .isInstanceOf(CodecException.class);
  }

  @Test
  void timesParseStrictly() {
    assertThat(GoTime.parse("2024-06-01T08:00:00.0000005+05:30"))
        .isEqualTo(OffsetDateTime.of(2024, 6, 1, 8, 0, 0, 500, ZoneOffset.ofHoursMinutes(5, 30)));
    assertThat(GoTime.parse("2024-06-01T08:00:00.1234567891Z").getNano()).isEqualTo(123456789);
    for (String bad : List.of("2024-06-01 08:00:00Z", "2024-06-01T08:00:00", "2024-13-01T08:00:00Z",
        "2024-02-30T08:00:00Z", "2024-06-01T24:00:00Z", "2024-06-01T08:00:00.Z", "2024-06-01T08:00:00+0530",
        "2024-06-01T08:00:00z", "24-06-01T08:00:00Z", "", "2024-06-01T08:00:00,5Z",
        "2024-06-01T08:00:00+24:00", "2024-06-01T8:00:00Z")) {
      assertThatThrownBy(() -> GoTime.parse(bad)).as(bad).isInstanceOf(CodecException.class);
    }
  }

  @Test
  void mapKeysSortByUtf8Bytes() {
    assertThat(GoJsonWriter.sortedKeys(List.of("9", "10", "2", "100"))).containsExactly("10", "100", "2", "9");
    // UTF-16 order would put the supplementary character first.
    assertThat(GoJsonWriter.sortedKeys(List.of("\ud83d\ude00", "\uffff", "A", "a", "_")))
        .containsExactly("A", "_", "a", "\uffff", "\ud83d\ude00");
    Map<String, String> m = new LinkedHashMap<>();
    m.put("b", "<&>");
    m.put("A", "x");
    GoJsonWriter w = new GoJsonWriter();
    w.beginObject().strMapOmit("metadata", m).strMapOmit("empty", Map.of()).endObject();
    assertThat(new String(w.toByteArray(), StandardCharsets.UTF_8))
        .isEqualTo("{\"metadata\":{\"A\":\"x\",\"b\":\"\\u003c\\u0026\\u003e\"}}");
  }

  @Test
  void omitEmptyAndNilRules() {
    GoJsonWriter w = new GoJsonWriter();
    w.beginObject()
        .strOmit("a", "").str("b", "").i64Omit("c", 0).i64("d", 0).u64Omit("e", 0).boolOmit("f", false)
        .bool("g", false).strList("h", null).strListOmit("i", List.of()).strList("j", List.of())
        .timePtrOmit("k", null).time("l", null).i64ListOmit("m", List.of(1L, 0L))
        .endObject();
    assertThat(new String(w.toByteArray(), StandardCharsets.UTF_8)).isEqualTo(
        "{\"b\":\"\",\"d\":0,\"g\":false,\"h\":null,\"j\":[],\"l\":\"0001-01-01T00:00:00Z\",\"m\":[1,0]}");
  }

  @Test
  void rawValuesAreCompactedAndEscaped() {
    GoJsonWriter w = new GoJsonWriter();
    w.beginObject().name("x").rawValue(" { \"a\" : \"<x> \u2028\" , \"b\" : [ 1 , 2 ] } ".getBytes(StandardCharsets.UTF_8))
        .endObject();
    assertThat(new String(w.toByteArray(), StandardCharsets.UTF_8))
        .isEqualTo("{\"x\":{\"a\":\"\\u003cx\\u003e \\u2028\",\"b\":[1,2]}}");
    assertThatThrownBy(() -> new GoJsonWriter().rawValue("{\"a\":}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(CodecException.class);
    assertThatThrownBy(() -> new GoJsonWriter().rawValue("1 2".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(CodecException.class);
  }

  @Test
  void bytesAreBase64() {
    GoJsonWriter w = new GoJsonWriter();
    w.beginArray().bytesValue(new byte[] {1, 2, 3, (byte) 0xff}).bytesValue(null).bytesValue(new byte[0]).endArray();
    assertThat(new String(w.toByteArray(), StandardCharsets.US_ASCII)).isEqualTo("[\"AQID/w==\",null,\"\"]");
    GoJsonReader r = new GoJsonReader("\"AQID/w==\"".getBytes(), 0, 10, 0);
    assertThat(r.readBytes("b")).containsExactly(1, 2, 3, 0xff);
    assertThatThrownBy(() -> new GoJsonReader("\"AQID/w\"".getBytes(), 0, 8, 0).readBytes("b"))
        .isInstanceOf(CodecException.class);
  }
}
