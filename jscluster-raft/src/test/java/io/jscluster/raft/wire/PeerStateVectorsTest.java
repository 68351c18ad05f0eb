package io.jscluster.raft.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscluster.raft.state.VectorFile;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Golden vectors of nats-server's encodePeerState / decodePeerState. */
class PeerStateVectorsTest {

  @Test
  void everyPeerStateCaseDecodesAndEncodesLikeGo() {
    VectorFile file = VectorFile.load("raft_peer_state.json");
    List<JsonNode> cases = file.cases(null);
    assertThat(cases).isNotEmpty();
    for (JsonNode c : cases) {
      String name = c.get("name").asText();
      byte[] bytes = VectorFile.hex(c.get("hex"));
      if (c.has("error")) {
        assertThatThrownBy(() -> PeerStateCodec.decode(bytes)).as(name)
            .isInstanceOf(WireFormatException.class);
        file.count("decodeError");
        continue;
      }
      JsonNode expected = c.has("decoded") ? c.get("decoded") : c.get("fields");
      PeerState decoded = PeerStateCodec.decode(bytes);
      assertThat(decoded).as(name).isEqualTo(fromJson(expected));
      file.count("decode");
      if (c.has("fields") && !c.path("decode_only").asBoolean()) {
        byte[] encoded = PeerStateCodec.encode(fromJson(c.get("fields")));
        assertThat(HexFormat.of().formatHex(encoded)).as(name).isEqualTo(c.get("hex").asText());
        file.count("encode");
      }
    }
    assertThat(file.printCounts("PeerStateVectorsTest")).isGreaterThanOrEqualTo(cases.size());
  }

  @Test
  void encoderRefusesIdsThatDoNotFitEightBytes() {
    assertThatThrownBy(() -> PeerStateCodec.encode(new PeerState(1, List.of("123456789"), 0)))
        .isInstanceOf(WireFormatException.class).hasMessageContaining("knownPeers[0]");
    assertThatThrownBy(() -> PeerStateCodec.encode(new PeerState(1, List.of("\u2713"), 0)))
        .isInstanceOf(WireFormatException.class);
  }

  @Test
  void hugePeerCountIsRejectedBeforeAllocating() {
    byte[] bytes = HexFormat.of().parseHex("01000000ffffffff4142434445464748");
    assertThatThrownBy(() -> PeerStateCodec.decode(bytes))
        .isInstanceOf(WireFormatException.class).hasMessageContaining("offset 8");
  }

  @Test
  void everyTruncationOfAValidEncodingEitherDecodesOrFailsTyped() {
    byte[] full = PeerStateCodec.encode(new PeerState(3, List.of("S1Nunr6R", "yrzKKRBu"), 1));
    for (int len = 0; len <= full.length; len++) {
      int n = len;
      try {
        PeerState ps = PeerStateCodec.decode(full, 0, n);
        assertThat(ps.knownPeers()).hasSize(2);
      } catch (WireFormatException expected) {
        assertThat(n).isLessThan(8 + 16);
      }
    }
  }

  private static PeerState fromJson(JsonNode n) {
    List<String> peers = new ArrayList<>();
    n.get("known_peers").forEach(p -> peers.add(p.asText()));
    return new PeerState((int) VectorFile.u64(n.get("cluster_size")), peers,
        n.get("domain_ext").asInt());
  }
}
