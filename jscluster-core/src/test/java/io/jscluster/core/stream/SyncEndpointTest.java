package io.jscluster.core.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.core.ManualScheduler;
import io.jscluster.core.sync.FollowerCatchup;
import io.jscluster.raft.transport.MessageHandler;
import io.jscluster.raft.transport.Subscription;
import io.jscluster.raft.transport.Transport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link SyncEndpoint} hands deliveries to its machine in batches, in order, one task per batch. */
class SyncEndpointTest {

  /** Records subscriptions; {@link #deliver} plays the network. */
  private static final class FakeTransport implements Transport {
    final Map<String, MessageHandler> subs = new HashMap<>();
    final List<String> sent = new ArrayList<>();

    @Override
    public void send(String subject, String reply, byte[] payload) {
      sent.add(subject + "|" + reply);
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

    void deliver(String subject, String reply, int n) {
      MessageHandler h = subs.get(subject);
      if (h != null) {
        h.onMessage(subject, reply, new byte[] {(byte) n});
      }
    }
  }

  @Test
  void coalescesDeliveriesIntoOrderedBatchesAndDropsUnsubscribedOnes() {
    ManualScheduler sched = new ManualScheduler(true);
    FakeTransport net = new FakeTransport();
    List<List<Integer>> batches = new ArrayList<>();
    SyncEndpoint ep = new SyncEndpoint(net, sched, (SyncEndpoint.BatchSink) batch -> {
      List<Integer> b = new ArrayList<>();
      for (FollowerCatchup.Delivery d : batch) {
        b.add((int) d.payload()[0] + (d.subject().equals("in.b") ? 100 : 0));
      }
      batches.add(b);
    });
    ep.subscribe("in.a");
    ep.subscribe("in.b");
    for (int i = 0; i < 5; i++) {
      net.deliver(i % 2 == 0 ? "in.a" : "in.b", "r", i);
    }
    assertThat(sched.tasks).hasSize(1);
    sched.runAll();
    assertThat(batches).containsExactly(List.of(0, 101, 2, 103, 4));

    // Queued, then unsubscribed before the task ran: dropped.
    net.deliver("in.a", "r", 7);
    net.deliver("in.b", "r", 8);
    ep.unsubscribe("in.a");
    sched.runAll();
    assertThat(batches.get(1)).containsExactly(108);

    // More than one batch's worth: split over consecutive tasks, order kept.
    batches.clear();
    int n = SyncEndpoint.MAX_BATCH + 10;
    for (int i = 0; i < n; i++) {
      net.deliver("in.b", "r", i);
    }
    sched.executed = 0;
    sched.runAll();
    assertThat(sched.executed).isEqualTo(2);
    assertThat(batches).hasSize(2);
    assertThat(batches.get(0)).hasSize(SyncEndpoint.MAX_BATCH);
    assertThat(batches.get(1)).hasSize(10);
    assertThat(batches.get(1).get(0)).isEqualTo(100 + (byte) SyncEndpoint.MAX_BATCH);

    // Closed: nothing more reaches the sink.
    net.deliver("in.b", "r", 1);
    ep.close();
    sched.runAll();
    assertThat(batches).hasSize(2);
  }

  @Test
  void deliveriesQueuedWhileABigBatchIsSplitFollowItsRestWithoutAnotherDelivery() {
    ManualScheduler sched = new ManualScheduler(true);
    FakeTransport net = new FakeTransport();
    List<Integer> seen = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    SyncEndpoint ep = new SyncEndpoint(net, sched, (SyncEndpoint.BatchSink) batch -> {
      sizes.add(batch.size());
      for (FollowerCatchup.Delivery d : batch) {
        seen.add(d.payload()[0] & 0xff);
      }
    });
    ep.subscribe("in");
    int n = 2 * SyncEndpoint.MAX_BATCH + 5;
    for (int i = 0; i < n; i++) {
      net.deliver("in", "r", i % 200);
    }
    // The first task hands over one batch and schedules the next for the rest.
    sched.tasks.poll().run();
    assertThat(sizes).containsExactly(SyncEndpoint.MAX_BATCH);
    assertThat(sched.tasks).hasSize(1);
    // Arrivals now find a drain scheduled: they schedule nothing, yet must not be stranded.
    net.deliver("in", "r", 201);
    net.deliver("in", "r", 202);
    assertThat(sched.tasks).hasSize(1);
    sched.runAll();
    assertThat(sizes).containsExactly(SyncEndpoint.MAX_BATCH, SyncEndpoint.MAX_BATCH, 5, 2);
    assertThat(seen).hasSize(n + 2);
    for (int i = 0; i < n; i++) {
      assertThat(seen.get(i)).as("position %d", i).isEqualTo(i % 200);
    }
    assertThat(seen.subList(n, n + 2)).containsExactly(201, 202);
    assertThat(sched.tasks).isEmpty();
    ep.close();
  }

  @Test
  void subscribesEachAckReplyUnderAWildcardOnceAndResubscribesAfterUnsubscribe() {
    ManualScheduler sched = new ManualScheduler(true);
    FakeTransport net = new FakeTransport();
    List<String> got = new ArrayList<>();
    SyncEndpoint ep = new SyncEndpoint(net, sched, (s, r, p) -> got.add(s));
    ep.subscribe("$JSC.ACK.abc.*");
    String reply = "$JSC.ACK.abc.128";
    ep.publish("inbox", reply, new byte[1]);
    ep.publish("inbox", reply, new byte[1]);
    assertThat(net.subs).containsOnlyKeys(reply);
    net.deliver(reply, null, 0);
    sched.runAll();
    assertThat(got).containsExactly(reply);
    ep.unsubscribe("$JSC.ACK.abc.*");
    assertThat(net.subs).isEmpty();
    ep.subscribe("$JSC.ACK.abc.*");
    ep.publish("inbox", reply, new byte[1]);
    assertThat(net.subs).containsOnlyKeys(reply);
  }
}
