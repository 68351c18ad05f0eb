package io.jscluster.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.core.store.StoredMessage;
import io.jscluster.core.store.StreamLimits;
import io.jscluster.core.store.StreamStore;
import io.jscluster.raft.log.RaftLog;
import io.jscluster.raft.log.TermVote;
import io.jscluster.raft.log.TermVoteStore;
import io.jscluster.raft.sim.SimDisk;
import io.jscluster.raft.snapshot.Snapshot;
import io.jscluster.raft.snapshot.SnapshotStorage;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link FileNodeStorage} with its default policies on a {@link SimDisk}: everything it reported
 * durable survives a power cut that keeps only forced file contents and forced directory entries.
 * Regression for Jepsen 2025 failure (b) as the power-loss campaign found it: the directories the
 * storage created ({@code _js_/<group>/wal}, {@code streams/<name>}) were never made durable in
 * their parents, so a power cut on every node shortly after a stream was created took the whole
 * WAL and store — forced contents included — and every acknowledged message with them.
 */
class FileNodeStoragePowerLossTest {

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("A new group's WAL and term/vote survive a power loss (their directories are durable) — Jepsen 2025 failure b")
  void newGroupSurvivesPowerLoss() {
    SimDisk disk = new SimDisk("n1");
    FileNodeStorage st = new FileNodeStorage(disk.root());
    RaftLog log = st.raftLog("S-R3F-1", StorageType.FILE);
    log.append(1, 1, b("one"));
    log.append(2, 1, b("two"));
    log.sync();
    TermVoteStore tv = st.termVote("S-R3F-1", StorageType.FILE);
    tv.save(new TermVote(3, "abcdefgh"));
    disk.crash(new Random(1), SimDisk.CrashMode.LOSE_UNSYNCED);

    RaftLog again = st.raftLog("S-R3F-1", StorageType.FILE);
    assertThat(again.lastIndex()).isEqualTo(2);
    assertThat(again.read(2).data()).isEqualTo(b("two"));
    again.close();
    assertThat(st.termVote("S-R3F-1", StorageType.FILE).load()).isEqualTo(new TermVote(3, "abcdefgh"));
  }

  @Test
  @DisplayName("A new stream store's stored messages survive a power loss (its directory is durable) — Jepsen 2025 failure b")
  void newStreamStoreSurvivesPowerLoss() {
    SimDisk disk = new SimDisk("n1");
    FileNodeStorage st = new FileNodeStorage(disk.root());
    StreamStore store = st.streamStore("ORDERS", StorageType.FILE, StreamLimits.NONE, () -> 1L);
    store.store("orders.1", null, b("a"));
    store.store("orders.2", null, b("b"));
    store.sync();
    st.saveFailed("ORDERS", 7);
    disk.crash(new Random(2), SimDisk.CrashMode.LOSE_UNSYNCED);

    StreamStore again = st.streamStore("ORDERS", StorageType.FILE, StreamLimits.NONE, () -> 1L);
    try {
      assertThat(again.state().msgs()).isEqualTo(2);
      StoredMessage m = again.load(2);
      assertThat(m.data()).isEqualTo(b("b"));
    } finally {
      again.close();
    }
    assertThat(st.loadFailed("ORDERS")).isEqualTo(7);
  }

  @Test
  @DisplayName("A snapshot of a new group survives a power loss")
  void newGroupSnapshotSurvivesPowerLoss() throws Exception {
    SimDisk disk = new SimDisk("n1");
    FileNodeStorage st = new FileNodeStorage(disk.root());
    SnapshotStorage snaps = st.snapshots("_meta_", StorageType.FILE);
    snaps.write(new Snapshot(2, 10, b("peers"), b("state")));
    disk.crash(new Random(3), SimDisk.CrashMode.LOSE_UNSYNCED);

    var recovered = st.snapshots("_meta_", StorageType.FILE).recover().latest();
    assertThat(recovered).isPresent();
    assertThat(recovered.get().snapshot().lastIndex()).isEqualTo(10);
    assertThat(recovered.get().snapshot().data()).isEqualTo(b("state"));
  }

  @Test
  @DisplayName("A removed stream and group stay removed after a power loss")
  void removalSurvivesPowerLoss() {
    SimDisk disk = new SimDisk("n1");
    FileNodeStorage st = new FileNodeStorage(disk.root());
    StreamStore store = st.streamStore("OLD", StorageType.FILE, StreamLimits.NONE, () -> 1L);
    store.store("old", null, b("x"));
    store.close();
    st.saveFailed("OLD", 1);
    RaftLog log = st.raftLog("S-OLD", StorageType.FILE);
    log.append(1, 1, b("x"));
    log.sync();
    log.close();

    st.removeStream("OLD");
    st.removeGroup("S-OLD");
    disk.crash(new Random(4), SimDisk.CrashMode.LOSE_UNSYNCED);

    assertThat(disk.exists(st.streamDir("OLD"))).isFalse();
    assertThat(disk.exists(st.groupDir("S-OLD"))).isFalse();
    assertThat(st.loadFailed("OLD")).isZero();
  }
}
