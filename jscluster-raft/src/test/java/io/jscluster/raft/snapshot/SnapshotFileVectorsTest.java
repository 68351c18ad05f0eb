package io.jscluster.raft.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.jscluster.raft.state.VectorFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden vectors of nats-server's encodeSnapshot / loadLastSnapshot (HighwayHash-64 keyed with
 * SHA-256 of the group name) and termAndIndexFromSnapFile.
 */
class SnapshotFileVectorsTest {

  private static final HexFormat HEX = HexFormat.of();

  @TempDir Path dir;

  @Test
  void everySnapshotCaseMatchesGo() throws Exception {
    VectorFile file = VectorFile.load("raft_snapshot_file.json");
    List<JsonNode> cases = file.cases("snapshot");
    assertThat(cases).isNotEmpty();
    for (JsonNode c : cases) {
      String name = c.get("name").asText();
      byte[] bytes = VectorFile.hex(c.get("hex"));
      boolean decodeOnly = c.path("decode_only").asBoolean();
      String group = decodeOnly ? c.get("group").asText() : c.get("fields").get("group").asText();
      SnapshotCodec codec = new SnapshotCodec(group);
      if (c.has("error")) {
        assertThatThrownBy(() -> codec.decode(bytes)).as(name)
            .isInstanceOf(SnapshotCorruptException.class);
        file.count("snapshot.decodeError");
        continue;
      }
      JsonNode f = c.get("fields");
      JsonNode derived = c.get("derived");
      assertThat(HEX.formatHex(codec.key())).as(name).isEqualTo(derived.get("key_hex").asText());
      // The hash itself, independent of the file layout.
      long sum = HighwayHash64.hash(codec.key(), bytes, 0, bytes.length - 8);
      byte[] sumLe = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(sum).array();
      assertThat(HEX.formatHex(sumLe)).as(name).isEqualTo(derived.get("checksum_hex").asText());
      file.count("snapshot.highwayhash");

      Snapshot decoded = codec.decode(bytes);
      assertThat(decoded.lastTerm()).as(name).isEqualTo(VectorFile.u64(f.get("last_term")));
      assertThat(decoded.lastIndex()).as(name).isEqualTo(VectorFile.u64(f.get("last_index")));
      assertThat(decoded.peerState()).as(name).isEqualTo(VectorFile.hex(f.get("peerstate")));
      assertThat(decoded.data()).as(name).isEqualTo(VectorFile.hex(f.get("data")));
      assertThat(decoded.fileName()).as(name).isEqualTo(derived.get("file_name").asText());
      file.count("snapshot.decode");

      Snapshot built = new Snapshot(VectorFile.u64(f.get("last_term")),
          VectorFile.u64(f.get("last_index")), VectorFile.hex(f.get("peerstate")),
          VectorFile.hex(f.get("data")));
      assertThat(HEX.formatHex(codec.encode(built))).as(name).isEqualTo(c.get("hex").asText());
      file.count("snapshot.encode");

      // Through the store: the file written is byte-identical and reads back.
      SnapshotStore store = new SnapshotStore(dir.resolve(name), group);
      Path written = store.writeFile(built);
      assertThat(written.getFileName().toString()).isEqualTo(derived.get("file_name").asText());
      assertThat(Files.readAllBytes(written)).as(name).isEqualTo(bytes);
      file.count("snapshot.storeWrite");
    }
    file.printCounts("SnapshotFileVectorsTest(snapshot)");
  }

  @Test
  void everySnapFileNameCaseMatchesGo() {
    VectorFile file = VectorFile.load("raft_snapshot_file.json");
    List<JsonNode> cases = file.cases("snapFileName");
    assertThat(cases).isNotEmpty();
    for (JsonNode c : cases) {
      String name = c.get("name").asText();
      String fileName = new String(VectorFile.hex(c.get("hex")), StandardCharsets.UTF_8);
      assertThat(fileName).as(name).isEqualTo(c.get("file_name").asText());
      Optional<SnapshotFileName.TermIndex> parsed = SnapshotFileName.parse(fileName);
      if (c.has("error")) {
        assertThat(parsed).as(name).isEmpty();
        file.count("snapFileName.rejected");
      } else {
        JsonNode d = c.get("decoded");
        assertThat(parsed).as(name).contains(new SnapshotFileName.TermIndex(
            VectorFile.u64(d.get("term")), VectorFile.u64(d.get("index"))));
        file.count("snapFileName.parsed");
      }
    }
    file.printCounts("SnapshotFileVectorsTest(snapFileName)");
  }
}
