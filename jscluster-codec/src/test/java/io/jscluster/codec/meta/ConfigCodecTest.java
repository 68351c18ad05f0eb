package io.jscluster.codec.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscluster.codec.CodecException;
import io.jscluster.codec.json.HostileInputs;
import io.jscluster.testing.GoldenVectors;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stand-alone config JSON: the golden {@code derived.config_json} texts and hostile input. */
class ConfigCodecTest {

  @Test
  void goldenConfigJsonRoundTrips() throws Exception {
    JsonNode root = VectorValues.load(GoldenVectors.require("assignments.json"));
    int checked = 0;
    for (JsonNode c : root.get("cases")) {
      JsonNode cfg = c.path("fields").path("assignment").path("Config");
      String json = c.path("derived").path("config_json").asText(null);
      if (json == null || cfg.isMissingNode() || cfg.isNull()) {
        continue;
      }
      int op = c.path("fields").path("op_code").asInt();
      boolean consumer = op == 1 || op == 3 || op == 9;
      byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
      if (consumer) {
        ConsumerConfig expected = AssignmentVectors.consumerConfig(cfg);
        assertThat(new String(ConfigCodec.encode(expected), StandardCharsets.UTF_8)).as(c.get("name").asText())
            .isEqualTo(json);
        // Decoding drops what omitempty hides (an empty list reads back as nil), so compare bytes.
        assertThat(ConfigCodec.encode(ConfigCodec.decodeConsumer(bytes).config())).isEqualTo(bytes);
      } else {
        StreamConfig expected = AssignmentVectors.streamConfig(cfg);
        assertThat(new String(ConfigCodec.encode(expected), StandardCharsets.UTF_8)).as(c.get("name").asText())
            .isEqualTo(json);
        assertThat(ConfigCodec.encode(ConfigCodec.decodeStream(bytes).config())).isEqualTo(bytes);
      }
      checked++;
    }
    System.out.println("golden config_json: " + checked + " configs round-tripped");
    assertThat(checked).isPositive();
  }

  @Test
  void unencodableConfigIsRejectedStandAlone() {
    assertThatThrownBy(() -> ConfigCodec.encode(StreamConfig.empty())).isInstanceOf(CodecException.class);
    assertThat(ConfigCodec.decodeStream("null".getBytes()).config()).isEqualTo(StreamConfig.empty());
    assertThat(ConfigCodec.decodeConsumer("{\"x\":1}".getBytes()).unsupportedReason())
        .isEqualTo("unsupported - config error: unknown field \"x\"");
  }

  @Test
  void hostileConfigs() {
    HostileInputs.run("ConfigCodec.decodeStream", List.of(ConfigCodec.encode(MetaSamples.streamConfig())),
        ConfigCodec::decodeStream);
    HostileInputs.run("ConfigCodec.decodeConsumer", List.of(ConfigCodec.encode(MetaSamples.consumerConfig())),
        ConfigCodec::decodeConsumer);
  }
}
