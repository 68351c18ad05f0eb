package io.jscluster.raft;

import static io.jscluster.raft.NodeHarness.S2;
import static io.jscluster.raft.NodeHarness.ae;
import static io.jscluster.raft.NodeHarness.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jscluster.raft.wire.Entry;
import java.nio.charset.StandardCharsets;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * {@link SnapshotCheckpoint#stage}: the snapshot file is written elsewhere and adopted later; until
 * then nothing is compacted and the checkpoint can still be aborted.
 */
class StagedSnapshotInstallTest {

  private static final Entry E = entry("foo");

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void fails(RaftException.Error error, ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOfSatisfying(RaftException.class,
        e -> assertThat(e.error()).isEqualTo(error));
  }

  /** Four entries from S-2, committed and applied up to 3. */
  private static NodeHarness applied3() {
    NodeHarness h = new NodeHarness();
    for (int i = 0; i < 4; i++) {
      h.deliverAe(ae(S2, 1, i, i == 0 ? 0 : 1, i, E));
    }
    h.deliverAe(ae(S2, 1, 3, 1, 4));
    h.node.applied(h.now, 3);
    assertThat(h.node.appliedIndex()).isEqualTo(3);
    return h;
  }

  @Test
  void nothingIsCompactedUntilTheWrittenSnapshotIsAdopted() {
    NodeHarness h = applied3();
    SnapshotCheckpoint c = h.node.createSnapshotCheckpoint(h.now, false);
    SnapshotCheckpoint.Staged st = c.stage(h.now, b("s3"));
    st.write();
    assertThat(h.node.snapshotIndex()).isZero();
    assertThat(h.log.firstIndex()).isEqualTo(1);
    assertThat(h.snapshots.recover().latest()).isEmpty();
    // Still open meanwhile: no other checkpoint opens without force.
    fails(RaftException.Error.SNAPSHOT_IN_PROGRESS, () -> h.node.createSnapshotCheckpoint(h.now, false));

    st.adopt(h.now);
    assertThat(h.node.snapshotIndex()).isEqualTo(3);
    assertThat(h.node.loadLastSnapshot().data()).isEqualTo(b("s3"));
    assertThat(h.log.firstIndex()).isEqualTo(4);
    fails(RaftException.Error.SNAPSHOT_ABORTED, () -> st.adopt(h.now));
  }

  @Test
  void anInstallWhileTheFileIsWrittenWinsAndTheStagedOneIsDropped() {
    NodeHarness h = applied3();
    SnapshotCheckpoint c = h.node.createSnapshotCheckpoint(h.now, false);
    SnapshotCheckpoint.Staged st = c.stage(h.now, b("staged"));
    h.node.installSnapshot(h.now, b("direct"), true);
    st.write();
    fails(RaftException.Error.SNAPSHOT_ABORTED, () -> st.adopt(h.now));
    assertThat(h.node.loadLastSnapshot().data()).isEqualTo(b("direct"));
  }

  @Test
  void anAbortWhileTheFileIsWrittenDropsIt() {
    NodeHarness h = applied3();
    SnapshotCheckpoint c = h.node.createSnapshotCheckpoint(h.now, false);
    SnapshotCheckpoint.Staged st = c.stage(h.now, b("staged"));
    c.abort();
    st.write();
    fails(RaftException.Error.SNAPSHOT_ABORTED, () -> st.adopt(h.now));
    assertThat(h.node.snapshotIndex()).isZero();
    assertThat(h.snapshots.recover().latest()).isEmpty();
    // The node can snapshot again.
    h.node.createSnapshotCheckpoint(h.now, false).install(h.now, b("again"));
    assertThat(h.node.snapshotIndex()).isEqualTo(3);
  }

  @Test
  void adoptingBeforeTheWriteRanFailsAndClosesTheCheckpoint() {
    NodeHarness h = applied3();
    SnapshotCheckpoint.Staged st = h.node.createSnapshotCheckpoint(h.now, false).stage(h.now, b("x"));
    fails(RaftException.Error.SNAPSHOT_FAILED, () -> st.adopt(h.now));
    assertThat(h.node.snapshotIndex()).isZero();
    assertThat(h.log.firstIndex()).isEqualTo(1);
    h.node.createSnapshotCheckpoint(h.now, false).abort();
  }

  @Test
  void aNodeStoppedWhileTheFileIsWrittenAdoptsNothing() {
    NodeHarness h = applied3();
    SnapshotCheckpoint.Staged st = h.node.createSnapshotCheckpoint(h.now, false).stage(h.now, b("x"));
    h.node.stop();
    st.write();
    fails(RaftException.Error.CLOSED, () -> st.adopt(h.now));
    assertThat(h.snapshots.recover().latest()).isEmpty();
  }
}
