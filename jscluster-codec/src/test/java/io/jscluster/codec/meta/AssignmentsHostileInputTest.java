package io.jscluster.codec.meta;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscluster.codec.EntryOp;
import io.jscluster.codec.json.HostileInputs;
import io.jscluster.testing.GoldenVectors;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hostile bytes into the assignment decoders: only CodecException may come out. Seeds are built
 * in code (so the test runs without the vectors folder) plus, when present, every golden case.
 */
class AssignmentsHostileInputTest {

  private static List<byte[]> seeds(boolean consumer) throws Exception {
    List<byte[]> seeds = new ArrayList<>();
    if (consumer) {
      ConsumerAssignment ca = MetaSamples.consumerAssignment();
      seeds.add(ConsumerAssignmentCodec.encode(EntryOp.ASSIGN_CONSUMER, ca));
      seeds.add(ConsumerAssignmentCodec.encode(EntryOp.ASSIGN_COMPRESSED_CONSUMER, ca));
    } else {
      seeds.add(StreamAssignmentCodec.encode(EntryOp.ASSIGN_STREAM, MetaSamples.streamAssignment()));
    }
    if (GoldenVectors.dir().isPresent()) {
      JsonNode root = VectorValues.load(GoldenVectors.dir().get().resolve("assignments.json"));
      for (JsonNode c : root.get("cases")) {
        byte[] b = VectorValues.hex(c.get("hex").asText());
        int op = b.length == 0 ? -1 : b[0];
        if ((op == 1 || op == 3 || op == 9) == consumer && b.length < 8_000) {
          seeds.add(b);
        }
      }
    }
    return seeds;
  }

  @Test
  void streamAssignments() throws Exception {
    HostileInputs.run("StreamAssignmentCodec", seeds(false), StreamAssignmentCodec::decode);
  }

  @Test
  void consumerAssignments() throws Exception {
    HostileInputs.run("ConsumerAssignmentCodec", seeds(true), ConsumerAssignmentCodec::decode);
  }
}
