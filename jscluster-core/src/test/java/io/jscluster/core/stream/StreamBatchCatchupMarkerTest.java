package io.jscluster.core.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.msg.BatchMsg;
import io.jscluster.codec.msg.BatchMsgCodec;
import io.jscluster.codec.msg.StreamMsg;
import io.jscluster.core.store.MemoryStreamStore;
import io.jscluster.core.store.StreamState;
import io.jscluster.raft.CommittedEntry;
import io.jscluster.raft.wire.Entry;
import io.jscluster.raft.wire.EntryType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A Raft catch-up marker committed between the entries of an atomic batch. */
class StreamBatchCatchupMarkerTest {

  @Test
  @DisplayName("Go: TestJetStreamAtomicBatchPublishCatchupMarkerMidBatch (a catch-up marker inside a batch neither breaks nor rejects it)")
  void catchupMarkerMidBatch() {
    MemoryStreamStore store = new MemoryStreamStore();
    StreamReplica replica = StreamApplyPathTest.newReplica(store);
    long ts = 1_000_000;
    byte[] first = BatchMsgCodec.encode(new BatchMsg("uuid", 1, false,
        new StreamMsg("foo.a", "", null, "hello".getBytes(StandardCharsets.UTF_8), 0, ts, false)));
    byte[] commit = BatchMsgCodec.encode(new BatchMsg("uuid", 2, true,
        new StreamMsg("foo.a", "", null, "world".getBytes(StandardCharsets.UTF_8), 1, ts, false)));

    replica.committed(new CommittedEntry(1, List.of(Entry.normal(first))));
    assertThat(store.state().msgs()).as("the batch waits for its commit").isZero();
    // The marker Raft signals when a catch-up of this node starts: no payload.
    replica.committed(new CommittedEntry(2, List.of(new Entry(EntryType.CATCHUP, new byte[0]))));
    replica.committed(new CommittedEntry(3, List.of(Entry.normal(commit))));

    StreamState s = store.state();
    assertThat(s.msgs()).isEqualTo(2);
    assertThat(s.firstSeq()).isEqualTo(1);
    assertThat(s.lastSeq()).isEqualTo(2);
    assertThat(replica.clfs()).as("nothing of the batch failed").isZero();
    assertThat(new String(store.load(2).data(), StandardCharsets.UTF_8)).isEqualTo("world");
  }
}
