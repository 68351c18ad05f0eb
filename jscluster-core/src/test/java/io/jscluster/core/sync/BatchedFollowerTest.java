package io.jscluster.core.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.core.store.FileStoreConfig;
import io.jscluster.core.store.FileStreamStore;
import io.jscluster.core.store.MemoryStreamStore;
import io.jscluster.core.store.StreamLimits;
import io.jscluster.core.store.StreamStore;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A follower fed in batches through {@link FollowerCatchup#onMessages}, into a file store. */
class BatchedFollowerTest {

  @TempDir Path dir;

  @Test
  void batchesStoreEverythingAndAckAfterwards() {
    MemoryStreamStore leader = new MemoryStreamStore(StreamLimits.NONE, () -> 1);
    byte[] data = new byte[300];
    for (int i = 1; i <= 3000; i++) {
      data[0] = (byte) i;
      leader.storeAt(i, i, "s." + (i % 7), null, data.clone());
      if (i % 11 == 0) {
        leader.remove(i);
      }
    }
    leader.skip(3001, 50);
    leader.storeAt(3051, 3051, "s.x", null, data);
    try (StreamStore follower = FileStreamStore.open(FileStoreConfig.of(dir.resolve("f")))) {
      ArrayDeque<CatchupLoop.Msg> wire = new ArrayDeque<>();
      CatchupTransport t = new CatchupTransport() {
        @Override
        public void publish(String subject, String reply, byte[] payload) {
          wire.add(new CatchupLoop.Msg(subject, reply, payload));
        }

        @Override
        public void subscribe(String subject) {}

        @Override
        public void unsubscribe(String subject) {}
      };
      CatchupLoop.TestReplica replica = new CatchupLoop.TestReplica(follower, "$JSC.SYNC.batch001");
      Object[] result = {null};
      FollowerCatchup f = new FollowerCatchup(CatchupConfig.DEFAULT,
          new SyncSubjects(new SplittableRandom(1)), new SyncRequestLimiter(), t, replica,
          new CatchupLoop.TestNode(), new CatchupState(), () -> true, () -> {},
          e -> result[0] = e == null ? "ok" : e);
      f.start(CatchupProtocolTest.snapshotOf(leader), 1, 0);
      CatchupLoop.TestStream stream = new CatchupLoop.TestStream(leader);
      LeaderCatchups runs = new LeaderCatchups(stream.peers);
      LeaderCatchup[] run = new LeaderCatchup[1];
      CatchupConfig small = CatchupConfig.DEFAULT.withBudget(1 << 20, 500);
      int batches = 0;
      while (result[0] == null) {
        List<FollowerCatchup.Delivery> batch = new ArrayList<>();
        List<CatchupLoop.Msg> rest = new ArrayList<>();
        while (!wire.isEmpty()) {
          CatchupLoop.Msg m = wire.poll();
          if (m.subject().startsWith("$JSC.SYNC.")) {
            run[0] = runs.handleSyncRequest(m.reply(), m.payload(), 0,
                (inbox, req) -> new LeaderCatchup(small, new SyncSubjects(new SplittableRandom(2)),
                    new CatchupBudget(0), t, stream, null, inbox, req, () -> {}));
          } else if (m.subject().startsWith("$JSC.ACK.")) {
            rest.add(m);
          } else {
            batch.add(new FollowerCatchup.Delivery(m.subject(), m.reply(), m.payload()));
          }
        }
        for (CatchupLoop.Msg ack : rest) {
          run[0].onAck(ack.subject(), ack.payload(), 0);
        }
        if (!batch.isEmpty()) {
          batches++;
          f.onMessages(batch, 0);
        }
        assertThat(batches).isLessThan(10_000);
      }
      assertThat(result[0]).isEqualTo("ok");
      assertThat(batches).isGreaterThan(1);
      assertThat(follower.state().msgs()).isEqualTo(leader.state().msgs());
      assertThat(follower.state().lastSeq()).isEqualTo(3051);
      assertThat(follower.deletedSequences()).isEqualTo(leader.deletedSequences());
      for (long s = 1; s <= 3051; s++) {
        assertThat(follower.load(s)).isEqualTo(leader.load(s));
      }
    }
    leader.close();
  }

  @Test
  void aBatchWhoseSyncFailsIsNotAckedAndTheFollowerRetries() {
    MemoryStreamStore leader = new MemoryStreamStore(StreamLimits.NONE, () -> 1);
    for (int i = 1; i <= 10; i++) {
      leader.storeAt(i, i, "s", null, new byte[] {(byte) i});
    }
    CountingStore follower =
        new CountingStore(new MemoryStreamStore(StreamLimits.NONE, () -> 1), new int[1]);
    List<CatchupLoop.Msg> wire = new ArrayList<>();
    CatchupTransport t = new CatchupTransport() {
      @Override
      public void publish(String subject, String reply, byte[] payload) {
        wire.add(new CatchupLoop.Msg(subject, reply, payload));
      }

      @Override
      public void subscribe(String subject) {}

      @Override
      public void unsubscribe(String subject) {}
    };
    CatchupLoop.TestReplica replica = new CatchupLoop.TestReplica(follower, "$JSC.SYNC.fail0001");
    Object[] result = {null};
    FollowerCatchup f = new FollowerCatchup(CatchupConfig.DEFAULT,
        new SyncSubjects(new SplittableRandom(3)), new SyncRequestLimiter(), t, replica,
        new CatchupLoop.TestNode(), new CatchupState(), () -> true, () -> {},
        e -> result[0] = e == null ? "ok" : e);
    f.start(CatchupProtocolTest.snapshotOf(leader), 1, 0);
    assertThat(f.requestsSent()).isEqualTo(1);
    String inbox = f.inbox();
    wire.clear();
    List<FollowerCatchup.Delivery> batch = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      batch.add(new FollowerCatchup.Delivery(inbox, "$JSC.ACK.x." + i,
          io.jscluster.codec.msg.StreamMsgCodec.encode(new io.jscluster.codec.msg.StreamMsg(
              "s", "", null, new byte[] {(byte) i}, i, i, false))));
    }
    follower.failBatchSync = new io.jscluster.core.store.StoreIOException("sync",
        new java.io.IOException("disk gone"));
    f.onMessages(batch, 1_000);
    // Nothing acked: none of the batch is known to be durable.
    assertThat(wire).noneMatch(m -> m.subject().startsWith("$JSC.ACK."));
    assertThat(f.isDone()).isFalse();
    follower.failBatchSync = null;
    f.tick(f.deadline());
    assertThat(f.requestsSent()).isEqualTo(2);
    assertThat(result[0]).isNull();
  }
}
