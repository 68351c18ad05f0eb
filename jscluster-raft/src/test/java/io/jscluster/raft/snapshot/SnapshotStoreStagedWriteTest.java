package io.jscluster.raft.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jscluster.raft.snapshot.SnapshotRecovery.Reason;
import io.jscluster.raft.wire.PeerState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A snapshot write staged on another thread: invisible to a restart until published. */
class SnapshotStoreStagedWriteTest {

  private static final String GROUP = "S-R3F-9gXpFvuD";
  private static final PeerState PEERS = new PeerState(3, List.of("S1Nunr6R", "yrzKKRBu",
      "cnrtt3eg"), PeerState.EXT_EXTENDED);

  @TempDir Path dir;

  private static Snapshot snap(long term, long index) {
    return Snapshot.of(term, index, PEERS, ("state@" + term + "." + index)
        .getBytes(StandardCharsets.UTF_8));
  }

  private List<String> files(SnapshotStore s) throws IOException {
    try (Stream<Path> f = Files.list(s.directory())) {
      return f.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aWrittenButUnpublishedSnapshotIsAnInterruptedWriteToARestart() throws IOException {
    SnapshotStore s = new SnapshotStore(dir, GROUP);
    s.write(snap(1, 5));
    SnapshotStorage.StagedWrite w = s.stage(snap(1, 9));
    w.write();
    assertThat(files(s)).containsExactly("snap.1.5", "snap.1.9.staged.tmp");

    // A crash here: the restart starts from the previous snapshot and removes the staged file.
    SnapshotStore restarted = new SnapshotStore(dir, GROUP);
    SnapshotRecovery r = restarted.recover();
    assertThat(r.latest()).hasValueSatisfying(x -> assertThat(x.snapshot().lastIndex()).isEqualTo(5));
    assertThat(r.findings()).singleElement().satisfies(f -> assertThat(f.reason()).isEqualTo(Reason.TMP_LEFTOVER));
    restarted.removeObsolete(r);
    assertThat(files(restarted)).containsExactly("snap.1.5");
  }

  @Test
  void publishMakesTheStagedSnapshotTheStoredOne() throws IOException {
    SnapshotStore s = new SnapshotStore(dir, GROUP);
    s.write(snap(1, 5));
    assertThat(s.read(1, 5).data()).isEqualTo(snap(1, 5).data());
    SnapshotStorage.StagedWrite w = s.stage(snap(2, 9));
    w.write();
    w.publish();
    assertThat(files(s)).containsExactly("snap.1.5", "snap.2.9");
    assertThat(s.read(2, 9).data()).isEqualTo(snap(2, 9).data());
    assertThat(new SnapshotStore(dir, GROUP).recover().latest())
        .hasValueSatisfying(x -> assertThat(x.snapshot().lastIndex()).isEqualTo(9));
  }

  @Test
  void discardRemovesTheStagedFileAndNothingElse() throws IOException {
    SnapshotStore s = new SnapshotStore(dir, GROUP);
    s.write(snap(1, 5));
    SnapshotStorage.StagedWrite w = s.stage(snap(1, 9));
    w.write();
    w.discard();
    assertThat(files(s)).containsExactly("snap.1.5");
    // Discarding a staged write that never wrote is harmless.
    s.stage(snap(1, 10)).discard();
    assertThat(files(s)).containsExactly("snap.1.5");
  }

  @Test
  void aStagedWriteNeverRecreatesARemovedDirectory() throws IOException {
    SnapshotStore s = new SnapshotStore(dir, GROUP);
    SnapshotStorage.StagedWrite w = s.stage(snap(1, 9));
    // The group is removed while the write is queued on another thread.
    Files.delete(s.directory());
    assertThatThrownBy(w::write).isInstanceOf(IOException.class);
    assertThat(Files.exists(s.directory())).isFalse();
  }

  @Test
  void theDefaultStagingWritesWhenPublished() throws IOException {
    MemorySnapshotStorage m = new MemorySnapshotStorage(GROUP);
    SnapshotStorage.StagedWrite w = m.stage(snap(1, 9));
    w.write();
    assertThat(m.recover().latest()).isEmpty();
    w.publish();
    assertThat(m.read(1, 9).data()).isEqualTo(snap(1, 9).data());
  }
}
