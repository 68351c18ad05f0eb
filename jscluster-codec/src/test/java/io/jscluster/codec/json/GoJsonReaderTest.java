package io.jscluster.codec.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jscluster.codec.CodecException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The Go encoding/json decoding rules the reader reproduces. */
class GoJsonReaderTest {

  private static GoJsonReader reader(String json) {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    return new GoJsonReader(b, 0, b.length, 0);
  }

  private static GoJsonReader reader(byte[] b) {
    return new GoJsonReader(b, 0, b.length, 0);
  }

  @Test
  void keysFoldLikeGo() {
    assertThat(GoJsonReader.fold("First")).isEqualTo("first");
    assertThat(GoJsonReader.fold("NUM")).isEqualTo("num");
    // KELVIN SIGN and LONG S fold to ASCII letters under Unicode simple folding.
    assertThat(GoJsonReader.fold("\u212aeep_\u017feq")).isEqualTo("keep_seq");
    GoJsonReader r = reader("{\"A\\u0042\":1, \"x\":[{}]}");
    r.beginObject("o");
    assertThat(r.nextMember("o")).isTrue();
    assertThat(r.key()).isEqualTo("AB");
    assertThat(r.foldedKey()).isEqualTo("ab");
    assertThat(r.readInt("ab", 64)).isEqualTo(1);
    assertThat(r.nextMember("o")).isTrue();
    r.skipValue("x");
    assertThat(r.nextMember("o")).isFalse();
    r.expectEnd("o");
  }

  @Test
  void unsignedRangeAndIntegerForms() {
    assertThat(reader("18446744073709551615").readUint64("u")).isEqualTo(-1L);
    assertThat(reader("-9223372036854775808").readInt("i", 64)).isEqualTo(Long.MIN_VALUE);
    assertThat(reader("-2147483648").readInt("i", 32)).isEqualTo(Integer.MIN_VALUE);
    assertThat(reader("-0").readInt("i", 64)).isZero();
    for (String bad : new String[] {"18446744073709551616", "-1", "-0", "1.5", "1e3", "\"1\"", "true", "01", "+1", "-"}) {
      assertThatThrownBy(() -> {
        GoJsonReader r = reader(bad);
        r.readUint64("u");
        r.expectEnd("u");
      }).as(bad).isInstanceOf(CodecException.class);
    }
    assertThatThrownBy(() -> reader("2147483648").readInt("i", 32)).isInstanceOf(CodecException.class);
    assertThatThrownBy(() -> reader("9223372036854775808").readInt("i", 64)).isInstanceOf(CodecException.class);
  }

  @Test
  void stringsUnescapeAndRepairLikeGo() {
    assertThat(reader("\"\\u00e9\\u003c\\/\\b\\f\\n\\r\\t\\\"\\\\\"").readString("s")).isEqualTo("\u00e9</\b\f\n\r\t\"\\");
    assertThat(reader("\"\\ud83d\\ude00\"").readString("s")).isEqualTo("\ud83d\ude00");
    assertThat(reader("\"\\ud800x\"").readString("s")).isEqualTo("\ufffdx");
    assertThat(reader("\"\\ud800\\u0041\"").readString("s")).isEqualTo("\ufffdA");
    assertThat(reader("\"\\udc00\"").readString("s")).isEqualTo("\ufffd");
    // Invalid UTF-8 bytes each become U+FFFD.
    assertThat(reader(new byte[] {'"', (byte) 0xff, 'a', (byte) 0xe2, (byte) 0x82, 'b', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'})
        .readString("s")).isEqualTo("\ufffda\ufffd\ufffdb\ufffd\ufffd\ufffd");
    assertThat(reader(new byte[] {'"', (byte) 0xf0, (byte) 0x9f, (byte) 0x98, (byte) 0x80, '"'}).readString("s"))
        .isEqualTo("\ud83d\ude00");
    for (String bad : new String[] {"\"a", "\"\\x\"", "\"\\u12\"", "\"a\u0001\"", "'a'"}) {
      assertThatThrownBy(() -> reader(bad).readString("s")).as(bad).isInstanceOf(CodecException.class);
    }
  }

  @Test
  void syntaxIsCheckedEvenInSkippedValues() {
    for (String bad : new String[] {"[1,]", "{\"a\":1,}", "{\"a\" 1}", "[1 2]", "{1:2}", "tru", "nul", "[", "{\"a\":",
        "1.", "1e", "-a", "[\"\\q\"]"}) {
      assertThatThrownBy(() -> {
        GoJsonReader r = reader(bad);
        r.skipValue("v");
        r.expectEnd("v");
      }).as(bad).isInstanceOf(CodecException.class);
    }
    GoJsonReader ok = reader(" {\"a\":[1,-2.5e+3,true,false,null,{\"b\":\"c\"}],\"d\":{}} \n");
    ok.skipValue("v");
    ok.expectEnd("v");
  }

  @Test
  void trailingDataIsRejected() {
    GoJsonReader r = reader("{} x");
    r.skipValue("v");
    assertThatThrownBy(() -> r.expectEnd("v")).isInstanceOf(CodecException.class)
        .satisfies(e -> assertThat(((CodecException) e).offset()).isEqualTo(3));
  }

  @Test
  void nestingIsLimitedWithoutRecursion() {
    String ok = "[".repeat(GoJsonReader.MAX_DEPTH) + "]".repeat(GoJsonReader.MAX_DEPTH);
    reader(ok).skipValue("v");
    String deep = "[".repeat(GoJsonReader.MAX_DEPTH + 1) + "]".repeat(GoJsonReader.MAX_DEPTH + 1);
    assertThatThrownBy(() -> reader(deep).skipValue("v")).isInstanceOf(CodecException.class)
        .hasMessageContaining("max depth");
    String hugeOpen = "{\"a\":".repeat(200_000);
    assertThatThrownBy(() -> reader(hugeOpen).skipValue("v")).isInstanceOf(CodecException.class);
  }

  @Test
  void errorsNameFieldAndOffset() {
    GoJsonReader r = new GoJsonReader("xx{\"First\":\"1\"}".getBytes(StandardCharsets.UTF_8), 2, 13, 1);
    r.beginObject("deleteRange");
    r.nextMember("deleteRange");
    assertThatThrownBy(() -> r.readUint64("deleteRange.First"))
        .isInstanceOfSatisfying(CodecException.class, e -> {
          assertThat(e.field()).isEqualTo("deleteRange.First");
          assertThat(e.offset()).isEqualTo(10);
        });
  }
}
