package io.jscluster.core.cluster;

import static io.jscluster.core.cluster.ClusterScenariosTest.T;
import static io.jscluster.core.cluster.ClusterScenariosTest.b;
import static io.jscluster.core.cluster.ClusterScenariosTest.publishN;
import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.core.ClusterNode;
import io.jscluster.core.PubAck;
import io.jscluster.core.StreamConfigs;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A publish the leader cannot commit fails with a {@link TimeoutException} once the request
 * timeout passed, each at its own deadline (the replica keeps the deadlines in arrival order
 * behind one timer).
 */
class PublishTimeoutTest {

  private static final long TIMEOUT = 2_000;

  @Test
  @DisplayName("Publishes without a quorum time out at their own deadlines; answered ones never do")
  void unansweredPublishesTimeOutInOrder() {
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(81).requestTimeout(TIMEOUT).build()) {
      c.start();
      c.awaitMetaLeader(T);
      c.createStream(StreamConfigs.builder("TEST").subjects("foo").replicas(3).build());
      c.awaitStreamLeader("TEST", T);
      publishN(c, "TEST", "foo", 5);
      ClusterNode leader = c.streamLeader("TEST");
      CompletableFuture<PubAck> answered = leader.publish("TEST", "foo", null, b("ok"));
      c.runUntil(answered::isDone, T);
      assertThat(answered.join().isOk()).isTrue();
      for (String n : c.names()) {
        if (!n.equals(leader.name())) {
          c.kill(n);
        }
      }
      long t0 = c.simulation().now();
      List<CompletableFuture<PubAck>> early = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        early.add(leader.publish("TEST", "foo", null, b("early" + i)));
      }
      c.runFor(TIMEOUT / 4);
      CompletableFuture<PubAck> late = leader.publish("TEST", "foo", null, b("late"));

      c.runFor(TIMEOUT - TIMEOUT / 4 - 10);
      assertThat(early).noneMatch(CompletableFuture::isDone);
      c.runUntil(() -> early.stream().allMatch(CompletableFuture::isDone), T);
      assertThat(c.simulation().now() - t0).isGreaterThanOrEqualTo(TIMEOUT);
      for (CompletableFuture<PubAck> f : early) {
        assertThat(f).isCompletedExceptionally();
        assertThat(causeOf(f)).isInstanceOf(TimeoutException.class);
      }
      assertThat(late).as("its deadline is %d ms later", TIMEOUT / 4).isNotDone();
      c.runUntil(late::isDone, T);
      assertThat(c.simulation().now() - t0).isGreaterThanOrEqualTo(TIMEOUT + TIMEOUT / 4);
      assertThat(late).isCompletedExceptionally();
      assertThat(causeOf(late)).isInstanceOf(TimeoutException.class);
      assertThat(answered.join().isOk()).as("an answered publish stays answered").isTrue();
    }
  }

  private static Throwable causeOf(CompletableFuture<?> f) {
    try {
      f.join();
      return null;
    } catch (CompletionException e) {
      return e.getCause();
    }
  }
}
