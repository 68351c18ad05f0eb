package io.jscluster.core.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.ops.StreamSyncRequest;
import io.jscluster.codec.ops.StreamSyncRequestCodec;
import io.jscluster.core.ManualScheduler;
import io.jscluster.core.store.MemoryStreamStore;
import io.jscluster.core.store.StreamLimits;
import io.jscluster.core.sync.CatchupBudget;
import io.jscluster.core.sync.LeaderCatchup;
import io.jscluster.raft.transport.MessageHandler;
import io.jscluster.raft.transport.Subscription;
import io.jscluster.raft.transport.Transport;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A stream leader serves a peer's new sync request after stopping that peer's older run: the
 * follower only reads its newest inbox, and the old run would otherwise hold the server's
 * catch-up budget until it stalls (30 s), starving the new one.
 */
class StreamSyncSupersedeTest {

  private static final String SYNC = "$JSC.SYNC.test";

  /** Counts messages per subject; {@link #request} plays a follower's sync request. */
  private static final class Net implements Transport {
    final Map<String, MessageHandler> subs = new HashMap<>();
    final Map<String, Integer> sentTo = new HashMap<>();

    @Override
    public void send(String subject, String reply, byte[] payload) {
      sentTo.merge(subject, 1, Integer::sum);
    }

    @Override
    public Subscription subscribe(String subject, MessageHandler handler) {
      subs.put(subject, handler);
      return new Subscription() {
        @Override
        public String subject() {
          return subject;
        }

        @Override
        public void unsubscribe() {
          subs.remove(subject);
        }
      };
    }

    void request(String peer, String inbox) {
      subs.get(SYNC).onMessage(SYNC, inbox,
          StreamSyncRequestCodec.encode(new StreamSyncRequest(peer, 1, 100, true, 0)));
    }

    int sent(String inbox) {
      return sentTo.getOrDefault(inbox, 0);
    }
  }

  private static final LeaderCatchup.Node NODE = new LeaderCatchup.Node() {
    @Override
    public long index() {
      return 1_000;
    }

    @Override
    public long applied() {
      return 1_000;
    }

    @Override
    public void stepDown() {}

    @Override
    public void reinstallSnapshot() {}
  };

  @Test
  void aPeersNewRequestStopsItsOlderRunAndGetsTheBudget() {
    long[] clock = {1};
    MemoryStreamStore store = new MemoryStreamStore(StreamLimits.NONE, () -> clock[0]++);
    try {
      for (int i = 0; i < 100; i++) {
        store.store("foo", null, new byte[1024]);
      }
      ManualScheduler sched = new ManualScheduler(false);
      Net net = new Net();
      // Room for about eight messages in the whole server.
      CatchupBudget budget = new CatchupBudget(8 * 1024);
      StreamSync sync = new StreamSync(net, sched, budget, new SplittableRandom(3), store, "leader01", "S");
      sync.leader(true, SYNC, NODE);

      net.request("peer0001", "inbox.1");
      sched.runAll();
      int first = net.sent("inbox.1");
      assertThat(first).as("the first run filled the server's budget").isBetween(7, 10);
      assertThat(budget.belowMax()).isFalse();

      // The follower gave up on inbox.1 and asks again: the old run stops and returns its share.
      net.request("peer0001", "inbox.2");
      sched.runAll();
      assertThat(net.sent("inbox.1")).isEqualTo(first);
      assertThat(net.sent("inbox.2")).as("the new run got the budget").isBetween(7, 10);

      // Another peer's request leaves peer0001's run alone (and waits for the budget).
      net.request("peer0002", "inbox.3");
      sched.runAll();
      assertThat(net.sent("inbox.3")).isZero();
      assertThat(budget.totalBytes()).isGreaterThan(0);
      sync.stop();
      assertThat(budget.totalBytes()).isZero();
    } finally {
      store.close();
    }
  }
}
