package io.jscluster.core.meta;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.EntryOp;
import io.jscluster.codec.meta.RaftGroup;
import io.jscluster.codec.meta.StorageType;
import io.jscluster.codec.meta.StreamAssignment;
import io.jscluster.codec.meta.StreamAssignmentCodec;
import io.jscluster.core.StreamConfigs;
import io.jscluster.raft.CommittedEntry;
import io.jscluster.raft.wire.Entry;
import io.jscluster.raft.wire.EntryType;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The startup replay of the meta log acts only on its final state (nats-server applies it in
 * recovery mode, staging adds, updates and removes until the replay is done).
 */
class MetaReplayTest {

  static final List<String> PEERS = List.of("aaaaaaaa", "bbbbbbbb", "cccccccc");

  /** What the node was told, in order. */
  static final class Recorder implements MetaGroup.Handler {
    final List<String> calls = new ArrayList<>();

    @Override
    public void streamAssigned(StreamAssignment sa, boolean update, String unsupported) {
      calls.add((update ? "update " : "assign ") + sa.config().name() + "@" + sa.group().name()
          + "/" + sa.config().maxMsgs());
    }

    @Override
    public void streamRemoved(StreamAssignment sa) {
      calls.add("remove " + sa.config().name() + "@" + sa.group().name());
    }

    @Override
    public void metaLeaderChanged(boolean isLeader, long term) {}

    @Override
    public void replayDone() {
      calls.add("done");
    }
  }

  static StreamAssignment sa(String name, String group, int second, long maxMsgs) {
    RaftGroup g = new RaftGroup(group, PEERS, StorageType.FILE, "", "", false, null, null);
    return new StreamAssignment(null, OffsetDateTime.of(2026, 1, 1, 0, 0, second, 0, ZoneOffset.UTC),
        StreamConfigs.builder(name).subjects(name.toLowerCase()).replicas(3).maxMsgs(maxMsgs).build(), g,
        "$JSC.SYNC.abcdefgh", "", "", null);
  }

  static CommittedEntry op(long index, EntryOp op, StreamAssignment sa) {
    return new CommittedEntry(index, List.of(Entry.normal(StreamAssignmentCodec.encode(op, sa))));
  }

  static MetaGroup meta(Recorder r) {
    return new MetaGroup(PEERS.get(0), PEERS, new Random(1), () -> 0L, () -> 0L, r);
  }

  @Test
  @DisplayName("a replayed log creates no replica for a deleted stream and tells the node the final state once")
  void replayActsOnTheFinalStateOnly() {
    Recorder r = new Recorder();
    MetaGroup m = meta(r);
    // A stream created and deleted, one recreated under a new group, one updated twice.
    m.committed(op(1, EntryOp.ASSIGN_STREAM, sa("GONE", "G1", 1, -1)));
    m.committed(op(2, EntryOp.ASSIGN_STREAM, sa("AGAIN", "G2", 2, -1)));
    m.committed(op(3, EntryOp.ASSIGN_STREAM, sa("KEPT", "G3", 3, -1)));
    m.committed(op(4, EntryOp.REMOVE_STREAM, sa("GONE", "G1", 1, -1)));
    m.committed(op(5, EntryOp.REMOVE_STREAM, sa("AGAIN", "G2", 2, -1)));
    m.committed(op(6, EntryOp.ASSIGN_STREAM, sa("AGAIN", "G4", 6, -1)));
    m.committed(op(7, EntryOp.UPDATE_STREAM, sa("KEPT", "G3", 3, 10)));
    m.committed(op(8, EntryOp.UPDATE_STREAM, sa("KEPT", "G3", 3, 20)));
    assertThat(r.calls).as("nothing acted on while replaying").isEmpty();
    assertThat(m.streams()).containsOnlyKeys("AGAIN", "KEPT");

    m.marker();
    // Removals first (a no-op for a replica never created; it lets the node drop leftovers), then
    // every surviving assignment once, as it ends.
    assertThat(r.calls).containsExactly("remove GONE@G1", "assign AGAIN@G4/-1", "assign KEPT@G3/20", "done");

    // After the replay every applied op reaches the node at once.
    r.calls.clear();
    m.committed(op(9, EntryOp.REMOVE_STREAM, sa("KEPT", "G3", 3, 20)));
    m.committed(op(10, EntryOp.ASSIGN_STREAM, sa("NEW", "G5", 10, -1)));
    assertThat(r.calls).containsExactly("remove KEPT@G3", "assign NEW@G5/-1");
    m.marker();
    assertThat(r.calls).as("a later marker (end of a Raft catch-up) changes nothing").hasSize(2);
  }

  @Test
  @DisplayName("a snapshot and entries replayed together end in the final state; a stream the snapshot removes is not created")
  void snapshotThenEntries() {
    Recorder r = new Recorder();
    MetaGroup m = meta(r);
    byte[] snap = MetaSnapshotCodec.encode(List.of(sa("A", "G1", 1, -1), sa("B", "G2", 2, -1)));
    m.committed(new CommittedEntry(5, List.of(new Entry(EntryType.SNAPSHOT, snap))));
    m.committed(op(6, EntryOp.REMOVE_STREAM, sa("A", "G1", 1, -1)));
    m.committed(op(7, EntryOp.UPDATE_STREAM, sa("B", "G2", 2, 5)));
    byte[] later = MetaSnapshotCodec.encode(List.of(sa("B", "G2", 2, 5), sa("C", "G3", 8, -1)));
    m.committed(new CommittedEntry(8, List.of(new Entry(EntryType.SNAPSHOT, later))));
    m.committed(op(9, EntryOp.REMOVE_STREAM, sa("C", "G3", 8, -1)));
    assertThat(r.calls).isEmpty();

    m.marker();
    assertThat(r.calls).containsExactly("remove A@G1", "remove C@G3", "assign B@G2/5", "done");
  }

  @Test
  @DisplayName("while running, the leader's snapshot is applied as a diff at once and asks for a local meta snapshot, "
      + "as does the marker that ends a Raft catch-up (nats-server's meta loop: didSnap while not leader, nil entry)")
  void runtimeSnapshotAppliesTheDiffAndSnapshots() {
    Recorder r = new Recorder();
    MetaGroup m = meta(r);
    List<Boolean> forced = new ArrayList<>();
    m.afterApply(forced::add);
    m.committed(op(1, EntryOp.ASSIGN_STREAM, sa("KEPT", "G1", 1, -1)));
    m.committed(op(2, EntryOp.ASSIGN_STREAM, sa("GONE", "G2", 2, -1)));
    m.committed(op(3, EntryOp.ASSIGN_STREAM, sa("AGAIN", "G3", 3, -1)));
    m.marker();
    r.calls.clear();
    forced.clear();

    byte[] snap = MetaSnapshotCodec.encode(List.of(sa("KEPT", "G1", 1, -1), sa("AGAIN", "G4", 9, -1),
        sa("NEW", "G5", 9, -1)));
    m.committed(new CommittedEntry(20, List.of(new Entry(EntryType.SNAPSHOT, snap))));
    // KEPT is re-stated unchanged: the node hears nothing of it, so its replica and files stay.
    assertThat(r.calls).containsExactly("remove AGAIN@G3", "remove GONE@G2", "assign AGAIN@G4/-1",
        "assign NEW@G5/-1");
    assertThat(forced).containsExactly(true);

    forced.clear();
    m.marker();
    assertThat(r.calls).hasSize(4);
    assertThat(forced).containsExactly(true);
  }
}
