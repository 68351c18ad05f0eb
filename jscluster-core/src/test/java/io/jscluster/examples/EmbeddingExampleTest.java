package io.jscluster.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.core.StreamInfo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the embedding guide's example (docs/embedding.md): three servers, real time, real files. */
class EmbeddingExampleTest {

  @Test
  void threeEmbeddedServersReplicateAStream(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    StreamInfo info = EmbeddingExample.run(dir, 10, new PrintStream(buf, true, StandardCharsets.UTF_8));
    String out = buf.toString(StandardCharsets.UTF_8);

    assertThat(info.state().msgs()).isEqualTo(10);
    assertThat(info.state().lastSeq()).isEqualTo(10);
    assertThat(info.peers()).hasSize(3);
    assertThat(info.leader()).isNotEmpty();
    assertThat(info.current()).isTrue();
    assertThat(out).contains("{\"stream\":\"ORDERS\",\"seq\":1}", "{\"stream\":\"ORDERS\",\"seq\":10}",
        "ORDERS: 10 messages, last seq 10");
  }
}
