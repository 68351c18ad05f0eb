package io.jscluster.codec.state;

import static io.jscluster.codec.s2.VectorFile.hex;
import static io.jscluster.codec.s2.VectorFile.u64;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscluster.codec.CodecException;
import io.jscluster.codec.s2.VectorFile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Every case of seqset.json and stream_state.json, failures collected and reported together. */
class StateGoldenTest {

  /** Replays a vector op script on {@code ss} in order. */
  static void replay(SequenceSet ss, JsonNode ops) {
    for (JsonNode op : ops) {
      if (op.has("insert")) {
        op.get("insert").forEach(v -> ss.insert(u64(v)));
      } else if (op.has("delete")) {
        op.get("delete").forEach(v -> ss.delete(u64(v)));
      } else if (op.has("insert_range")) {
        long to = u64(op.get("insert_range").get(1));
        for (long s = u64(op.get("insert_range").get(0)); ; s++) {
          ss.insert(s);
          if (s == to) {
            break;
          }
        }
      } else if (op.has("delete_range")) {
        long to = u64(op.get("delete_range").get(1));
        for (long s = u64(op.get("delete_range").get(0)); ; s++) {
          ss.delete(s);
          if (s == to) {
            break;
          }
        }
      } else if (op.has("set_initial_min")) {
        ss.setInitialMin(u64(op.get("set_initial_min")));
      } else {
        throw new IllegalArgumentException("unknown op " + op);
      }
    }
  }

  static List<List<Long>> ranges(JsonNode ranges) {
    List<List<Long>> out = new ArrayList<>();
    ranges.forEach(r -> out.add(List.of(u64(r.get(0)), u64(r.get(1)))));
    return out;
  }

  static List<List<Long>> ranges(SequenceSet ss) {
    List<List<Long>> out = new ArrayList<>();
    for (long[] r : ss.ranges()) {
      out.add(List.of(r[0], r[1]));
    }
    return out;
  }

  private static void check(List<String> failures, String name, Runnable r) {
    try {
      r.run();
    } catch (AssertionError | RuntimeException e) {
      failures.add(name + ": " + e.getMessage());
    }
  }

  @Test
  void seqsetVectors() {
    List<JsonNode> cases = VectorFile.cases("seqset.json");
    List<String> failures = new ArrayList<>();
    for (JsonNode c : cases) {
      String name = c.get("name").asText();
      byte[] bytes = hex(c, "hex");
      if (c.has("error")) {
        check(
            failures,
            name,
            () -> {
              try {
                SequenceSet.decode(bytes);
                throw new AssertionError("decode should fail");
              } catch (CodecException expected) {
                // the typed failure is the contract
              }
            });
        continue;
      }
      if (c.has("fields")) {
        check(
            failures,
            name + " encode",
            () -> {
              SequenceSet ss = new SequenceSet();
              replay(ss, c.get("fields").get("ops"));
              assertThat(hex(ss.encode())).isEqualTo(c.get("hex").asText());
              assertThat(ss.encodedLength()).isEqualTo(bytes.length);
              JsonNode exp = c.get("expected");
              assertThat(ss.size()).isEqualTo(exp.get("size").asLong());
              assertThat(ss.nodes()).isEqualTo(exp.get("nodes").asInt());
              assertThat(ss.min()).isEqualTo(u64(exp.get("min")));
              assertThat(ss.max()).isEqualTo(u64(exp.get("max")));
              assertThat(ranges(ss)).isEqualTo(ranges(exp.get("member_ranges")));
              List<List<Long>> nodes = new ArrayList<>();
              exp.get("encoded_nodes")
                  .forEach(
                      n ->
                          nodes.add(
                              List.of(
                                  u64(n.get("base")),
                                  n.get("height").asLong(),
                                  n.get("count").asLong())));
              List<List<Long>> ours = new ArrayList<>();
              ss.nodeSummary().forEach(n -> ours.add(List.of(n[0], n[1], n[2])));
              assertThat(ours).isEqualTo(nodes);
            });
      }
      check(
          failures,
          name + " decode",
          () -> {
            SequenceSet.Decoded d = SequenceSet.decode(bytes);
            JsonNode exp = c.has("decoded") ? c.get("decoded") : c.get("expected");
            assertThat(d.set().size()).isEqualTo(exp.get("size").asLong());
            assertThat(d.set().nodes()).isEqualTo(exp.get("nodes").asInt());
            assertThat(d.set().min()).isEqualTo(u64(exp.get("min")));
            assertThat(d.set().max()).isEqualTo(u64(exp.get("max")));
            assertThat(ranges(d.set())).isEqualTo(ranges(exp.get("member_ranges")));
            if (exp.has("consumed")) {
              assertThat(d.consumed()).isEqualTo(exp.get("consumed").asInt());
            } else {
              assertThat(d.consumed()).isEqualTo(bytes.length);
            }
            String reencoded =
                exp.has("reencoded_hex") ? exp.get("reencoded_hex").asText() : c.get("hex").asText();
            assertThat(hex(d.set().encode())).isEqualTo(reencoded);
          });
    }
    System.out.println(
        "golden seqset: " + cases.size() + " cases, " + failures.size() + " failures");
    assertThat(failures).isEmpty();
  }

  static List<DeleteBlock> blocksFromFields(JsonNode blocks) {
    List<DeleteBlock> out = new ArrayList<>();
    for (JsonNode b : blocks) {
      switch (b.get("type").asText()) {
        case "range" -> out.add(new DeleteRange(u64(b.get("first")), u64(b.get("num"))));
        case "seqset" -> {
          SequenceSet ss = new SequenceSet();
          replay(ss, b.get("ops"));
          out.add(ss);
        }
        default -> throw new IllegalArgumentException("block type " + b);
      }
    }
    return out;
  }

  static StreamReplicatedState stateFromFields(JsonNode f) {
    Map<String, StreamSourceState> sources = new LinkedHashMap<>();
    JsonNode src = f.get("sources");
    if (src != null && !src.isNull()) {
      src.forEach(
          s ->
              sources.put(
                  s.get("name").asText(),
                  new StreamSourceState(u64(s.get("seq")), s.get("ident").asText())));
    }
    return new StreamReplicatedState(
        u64(f.get("msgs")),
        u64(f.get("bytes")),
        u64(f.get("first_seq")),
        u64(f.get("last_seq")),
        u64(f.get("failed")),
        blocksFromFields(f.get("delete_blocks")),
        sources);
  }

  static void assertDecoded(StreamReplicatedState s, JsonNode exp) {
    assertThat(s.msgs()).isEqualTo(u64(exp.get("msgs")));
    assertThat(s.bytes()).isEqualTo(u64(exp.get("bytes")));
    assertThat(s.firstSeq()).isEqualTo(u64(exp.get("first_seq")));
    assertThat(s.lastSeq()).isEqualTo(u64(exp.get("last_seq")));
    assertThat(s.failed()).isEqualTo(u64(exp.get("failed")));
    Map<String, List<Object>> expSources = new TreeMap<>();
    JsonNode es = exp.get("sources");
    if (es != null && !es.isNull()) {
      es.fields()
          .forEachRemaining(
              e ->
                  expSources.put(
                      e.getKey(),
                      List.of(u64(e.getValue().get("seq")), e.getValue().get("ident").asText())));
    }
    Map<String, List<Object>> ourSources = new TreeMap<>();
    s.sources().forEach((k, v) -> ourSources.put(k, List.of(v.seq(), v.ident())));
    assertThat(ourSources).isEqualTo(expSources);
    JsonNode eb = exp.get("delete_blocks");
    assertThat(s.deleted()).hasSize(eb.size());
    for (int i = 0; i < eb.size(); i++) {
      JsonNode b = eb.get(i);
      DeleteBlock ours = s.deleted().get(i);
      switch (b.get("type").asText()) {
        case "range" -> {
          assertThat(ours).isEqualTo(new DeleteRange(u64(b.get("first")), u64(b.get("num"))));
        }
        case "seqset" -> {
          assertThat(ours).isInstanceOf(SequenceSet.class);
          assertThat(((SequenceSet) ours).size()).isEqualTo(b.get("size").asLong());
          assertThat(ranges((SequenceSet) ours)).isEqualTo(ranges(b.get("member_ranges")));
        }
        case "slice" -> {
          List<Long> seqs = new ArrayList<>();
          b.get("seqs").forEach(v -> seqs.add(u64(v)));
          assertThat(ours).isInstanceOf(DeleteSlice.class);
          List<Long> got = new ArrayList<>();
          for (long v : ((DeleteSlice) ours).seqs()) {
            got.add(v);
          }
          assertThat(got).isEqualTo(seqs);
        }
        default -> throw new AssertionError("unknown block type " + b);
      }
      JsonNode st = b.get("state");
      assertThat(List.of(ours.first(), ours.last(), ours.num()))
          .isEqualTo(List.of(u64(st.get(0)), u64(st.get(1)), u64(st.get(2))));
    }
    assertThat(s.numDeleted()).isEqualTo(u64(exp.get("num_deleted_from_blocks")));
  }

  @Test
  void streamStateVectors() {
    List<JsonNode> cases = VectorFile.cases("stream_state.json");
    List<String> failures = new ArrayList<>();
    for (JsonNode c : cases) {
      String name = c.get("name").asText();
      byte[] bytes = hex(c, "hex");
      if (c.has("is_encoded_stream_state")) {
        check(
            failures,
            name + " isEncoded",
            () ->
                assertThat(StreamStateCodec.isEncoded(bytes, 0, bytes.length))
                    .isEqualTo(c.get("is_encoded_stream_state").asBoolean()));
      }
      if (c.has("error")) {
        check(
            failures,
            name,
            () -> {
              try {
                StreamStateCodec.decodeSnapshot(bytes);
                throw new AssertionError("decode should fail");
              } catch (CodecException expected) {
                // the typed failure is the contract
              }
            });
        continue;
      }
      check(
          failures,
          name + " decode",
          () -> assertDecoded(StreamStateCodec.decodeSnapshot(bytes), c.get("decoded")));
      if (c.has("fields") && !c.path("decode_only").asBoolean(false)) {
        check(
            failures,
            name + " encode",
            () -> {
              JsonNode f = c.get("fields");
              StreamReplicatedState s = stateFromFields(f);
              long numDeleted = u64(f.get("num_deleted"));
              boolean withSources = f.get("with_sources").asBoolean();
              byte[] enc = StreamStateCodec.encode(s, numDeleted, withSources);
              assertThat(hex(enc)).isEqualTo(c.get("hex").asText());
              assertThat(StreamStateCodec.encodedLength(s, numDeleted, withSources))
                  .isEqualTo(enc.length);
              if (c.path("num_deleted_matches_filestore_rule").asBoolean(false)) {
                assertThat(
                        StreamStateCodec.fileStoreNumDeleted(s.firstSeq(), s.lastSeq(), s.msgs()))
                    .isEqualTo(numDeleted);
              }
            });
      }
    }
    System.out.println(
        "golden stream_state: " + cases.size() + " cases, " + failures.size() + " failures");
    assertThat(failures).isEmpty();
  }
}
