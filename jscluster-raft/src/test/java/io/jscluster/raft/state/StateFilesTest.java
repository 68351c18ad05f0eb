package io.jscluster.raft.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jscluster.raft.log.LogException;
import io.jscluster.raft.log.TermVote;
import io.jscluster.raft.wire.PeerState;
import io.jscluster.raft.wire.WireFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tav.idx and peers.idx: atomic writes, write-if-changed, leniency and failure behaviour. */
class StateFilesTest {

  @TempDir Path dir;

  @Test
  void missingFilesReadAsNothing() throws IOException {
    assertThat(new TermVoteFile(dir).read()).isEqualTo(TermVote.NONE);
    assertThat(new PeerStateFile(dir).read()).isEmpty();
  }

  @Test
  void termVoteRoundTripsAndSkipsIdenticalRewrites() throws IOException {
    TermVoteFile tav = new TermVoteFile(dir);
    assertThat(tav.write(new TermVote(7, "S1Nunr6R"))).isTrue();
    assertThat(tav.write(new TermVote(7, "S1Nunr6R"))).isFalse();
    assertThat(tav.write(new TermVote(8, ""))).isTrue();
    assertThat(new TermVoteFile(dir).read()).isEqualTo(new TermVote(8, ""));
    assertThat(Files.size(tav.path())).isEqualTo(8);
    assertThat(dir.resolve("tav.idx.tmp")).doesNotExist();
  }

  @Test
  void aLeftoverTmpFileIsIgnoredAndOverwritten() throws IOException {
    TermVoteFile tav = new TermVoteFile(dir);
    tav.write(new TermVote(3, "yrzKKRBu"));
    // A crash between writing the temporary file and renaming it.
    Files.write(dir.resolve("tav.idx.tmp"), new byte[] {9, 9, 9});
    assertThat(new TermVoteFile(dir).read()).isEqualTo(new TermVote(3, "yrzKKRBu"));
    tav.write(new TermVote(4, ""));
    assertThat(new TermVoteFile(dir).read()).isEqualTo(new TermVote(4, ""));
  }

  @Test
  void aFailedWriteKeepsTheOldValueAndForgetsTheCache() throws IOException {
    PeerStateFile peers = new PeerStateFile(dir.resolve("g"));
    PeerState ps = new PeerState(3, List.of("S1Nunr6R", "yrzKKRBu", "cnrtt3eg"), 1);
    // A non-empty directory where the file should be makes the rename fail.
    Files.createDirectories(peers.path().resolve("blocker"));
    assertThatThrownBy(() -> peers.write(ps)).isInstanceOf(IOException.class);
    Files.delete(peers.path().resolve("blocker"));
    Files.delete(peers.path());
    assertThat(peers.write(ps)).as("retried, not skipped as unchanged").isTrue();
    assertThat(new PeerStateFile(dir.resolve("g")).read()).contains(ps);
  }

  @Test
  void aCorruptPeersFileIsATypedError() throws IOException {
    Files.write(dir.resolve(PeerStateFile.FILE_NAME), new byte[] {1, 0, 0});
    assertThatThrownBy(() -> new PeerStateFile(dir).read())
        .isInstanceOf(WireFormatException.class);
  }

  @Test
  void termVoteRefusesVotesLongerThanAnId() {
    assertThatThrownBy(() -> TermVoteCodec.encode(new TermVote(1, "123456789")))
        .isInstanceOf(WireFormatException.class);
  }

  @Test
  void asTermVoteStoreFailuresAreIoLogExceptions() throws IOException {
    TermVoteFile tav = new TermVoteFile(dir);
    tav.save(new TermVote(9, "cnrtt3eg"));
    assertThat(new TermVoteFile(dir).load()).isEqualTo(new TermVote(9, "cnrtt3eg"));
    Files.delete(tav.path());
    Files.createDirectories(tav.path().resolve("blocker"));
    assertThatThrownBy(() -> tav.save(new TermVote(10, ""))).isInstanceOfSatisfying(
        LogException.class, e -> assertThat(e.kind()).isEqualTo(LogException.Kind.IO));
    assertThatThrownBy(() -> new TermVoteFile(dir).load()).isInstanceOf(LogException.class);
  }
}
