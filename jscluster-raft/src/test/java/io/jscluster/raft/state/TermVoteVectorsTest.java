package io.jscluster.raft.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscluster.raft.log.TermVote;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Golden vectors of nats-server's writeTermVote / readTermVote (kind {@code termVote}). */
class TermVoteVectorsTest {

  @TempDir Path dir;

  @Test
  void everyTermVoteCaseMatchesGoInMemoryAndThroughTheFile() throws Exception {
    VectorFile file = VectorFile.load("raft_vote.json");
    List<JsonNode> cases = file.cases("termVote");
    assertThat(cases).isNotEmpty();
    for (JsonNode c : cases) {
      String name = c.get("name").asText();
      byte[] bytes = VectorFile.hex(c.get("hex"));
      JsonNode expected = c.has("decoded") ? c.get("decoded") : c.get("fields");
      TermVote want = new TermVote(VectorFile.u64(expected.get("term")),
          expected.get("vote").asText());
      assertThat(TermVoteCodec.decode(bytes)).as(name).isEqualTo(want);
      file.count("termVote.decode");

      // The same bytes read back through tav.idx.
      Path store = Files.createDirectories(dir.resolve(name));
      Files.write(store.resolve(TermVoteFile.FILE_NAME), bytes);
      assertThat(new TermVoteFile(store).read()).as(name).isEqualTo(want);
      file.count("termVote.file");

      if (c.has("fields") && !c.path("decode_only").asBoolean()) {
        assertThat(HexFormat.of().formatHex(TermVoteCodec.encode(want))).as(name)
            .isEqualTo(c.get("hex").asText());
        Path written = Files.createDirectories(dir.resolve(name + "-w"));
        new TermVoteFile(written).write(want);
        assertThat(Files.readAllBytes(written.resolve(TermVoteFile.FILE_NAME))).as(name)
            .isEqualTo(bytes);
        file.count("termVote.encode");
      }
    }
    assertThat(file.printCounts("TermVoteVectorsTest")).isGreaterThan(cases.size());
  }
}
