package io.jscluster.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.core.meta.Placement;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HeadersAndAcksTest {

  @Test
  void headersRoundTrip() {
    byte[] h = Headers.of(Headers.MSG_ID, "abc", Headers.EXPECTED_LAST_SEQ, "22");
    assertThat(Headers.get(h, Headers.MSG_ID)).isEqualTo("abc");
    assertThat(Headers.get(h, Headers.EXPECTED_LAST_SEQ)).isEqualTo("22");
    assertThat(Headers.get(h, "Nats-Msg")).isNull();
    assertThat(Headers.get("garbage".getBytes(StandardCharsets.US_ASCII), Headers.MSG_ID)).isNull();
    assertThat(Headers.isFlowControl("NATS/1.0 100 FlowControl Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII)))
        .isTrue();
    assertThat(Headers.isFlowControl(h)).isFalse();
  }

  @Test
  @DisplayName("The duplicate PubAck has a space after the colon (nats-server quirk)")
  void pubAckJson() {
    assertThat(PubAck.ok("S", 5).toJson()).isEqualTo("{\"stream\":\"S\",\"seq\":5}");
    assertThat(PubAck.duplicateOf("S", 5).toJson()).isEqualTo("{\"stream\":\"S\",\"seq\":5,\"duplicate\": true}");
    assertThat(ApiError.wrongLastSequence(3).toJson())
        .isEqualTo("{\"code\":400,\"err_code\":10071,\"description\":\"wrong last sequence: 3\"}");
  }

  @Test
  void placementPrefersLeastLoaded() {
    List<String> peers = List.of("a", "b", "c", "d", "e");
    List<String> pick = Placement.select(peers, 3, Map.of("a", 2, "b", 2), new Random(1));
    assertThat(pick).containsExactlyInAnyOrder("c", "d", "e");
    assertThat(Placement.select(peers, 6, Map.of(), new Random(1))).isNull();
    assertThat(Placement.select(peers, 5, Map.of(), new Random(1))).hasSize(5).doesNotHaveDuplicates();
  }
}
