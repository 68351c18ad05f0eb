package io.jscluster.raft.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscluster.raft.state.VectorFile;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Golden vectors of NRG's AE, AR, vote request and vote response codecs. */
class RaftMessageVectorsTest {

  private static final HexFormat HEX = HexFormat.of();

  @Test
  void appendEntryVectors() {
    VectorFile file = VectorFile.load("raft_append_entry.json");
    int seen = 0;
    for (String kind : List.of("appendEntry", "appendEntryResponse")) {
      for (JsonNode c : file.cases(kind)) {
        seen++;
        check(file, kind, c);
      }
    }
    assertThat(seen).isEqualTo(file.cases(null).size());
    file.printCounts("RaftMessageVectorsTest");
  }

  @Test
  void voteVectors() {
    VectorFile file = VectorFile.load("raft_vote.json");
    int seen = 0;
    for (String kind : List.of("voteRequest", "voteResponse")) {
      for (JsonNode c : file.cases(kind)) {
        seen++;
        check(file, kind, c);
      }
    }
    assertThat(seen).isGreaterThanOrEqualTo(12);
    file.printCounts("RaftMessageVectorsTest");
  }

  private static void check(VectorFile file, String kind, JsonNode c) {
    String name = c.get("name").asText();
    if (c.has("encode_error")) {
      assertThatThrownBy(() -> encode(kind, build(kind, c.get("fields")))).as(name)
          .isInstanceOf(WireFormatException.class);
      file.count(kind + ".encodeError");
      return;
    }
    byte[] bytes = VectorFile.hex(c.get("hex"));
    if (c.has("error")) {
      assertThatThrownBy(() -> decode(kind, bytes)).as(name)
          .isInstanceOf(WireFormatException.class);
      file.count(kind + ".decodeError");
      return;
    }
    JsonNode expected = c.has("decoded") ? c.get("decoded") : c.get("fields");
    assertThat(decode(kind, bytes)).as(name).isEqualTo(build(kind, expected));
    file.count(kind + ".decode");
    if (c.has("fields") && !c.path("decode_only").asBoolean()) {
      RaftMessage m = build(kind, c.get("fields"));
      assertThat(HEX.formatHex(encode(kind, m))).as(name).isEqualTo(c.get("hex").asText());
      if (m instanceof AppendEntry ae) {
        ByteBuf buf = Unpooled.buffer();
        try {
          RaftCodec.encode(ae, buf);
          assertThat(HEX.formatHex(io.netty.buffer.ByteBufUtil.getBytes(buf))).as(name)
              .isEqualTo(c.get("hex").asText());
          assertThat(RaftCodec.decodeAppendEntry(buf)).as(name).isEqualTo(decode(kind, bytes));
        } finally {
          buf.release();
        }
      }
      file.count(kind + ".encode");
    }
  }

  private static RaftMessage decode(String kind, byte[] b) {
    return switch (kind) {
      case "appendEntry" -> RaftCodec.decodeAppendEntry(b);
      case "appendEntryResponse" -> RaftCodec.decodeAppendEntryResponse(b);
      case "voteRequest" -> RaftCodec.decodeVoteRequest(b);
      case "voteResponse" -> RaftCodec.decodeVoteResponse(b);
      default -> throw new IllegalArgumentException(kind);
    };
  }

  private static byte[] encode(String kind, RaftMessage m) {
    if (m instanceof AppendEntry ae) {
      return RaftCodec.encode(ae);
    } else if (m instanceof AppendEntryResponse ar) {
      return RaftCodec.encode(ar);
    } else if (m instanceof VoteRequest vr) {
      return RaftCodec.encode(vr);
    }
    return RaftCodec.encode((VoteResponse) m);
  }

  private static RaftMessage build(String kind, JsonNode f) {
    return switch (kind) {
      case "appendEntry" -> {
        List<Entry> entries = new ArrayList<>();
        for (JsonNode e : f.get("entries")) {
          entries.add(new Entry(EntryType.fromCode(e.get("type").asInt(), -1),
              VectorFile.hex(e.get("data"))));
        }
        yield new AppendEntry(f.get("leader").asText(), VectorFile.u64(f.get("term")),
            VectorFile.u64(f.get("commit")), VectorFile.u64(f.get("pterm")),
            VectorFile.u64(f.get("pindex")), entries, VectorFile.u64(f.get("lterm")));
      }
      case "appendEntryResponse" -> new AppendEntryResponse(VectorFile.u64(f.get("term")),
          VectorFile.u64(f.get("index")), f.get("peer").asText(), f.get("success").asBoolean());
      case "voteRequest" -> new VoteRequest(VectorFile.u64(f.get("term")),
          VectorFile.u64(f.get("last_term")), VectorFile.u64(f.get("last_index")),
          f.get("candidate").asText());
      case "voteResponse" -> new VoteResponse(VectorFile.u64(f.get("term")),
          f.get("peer").asText(), f.get("granted").asBoolean(), f.get("empty").asBoolean());
      default -> throw new IllegalArgumentException(kind);
    };
  }
}
