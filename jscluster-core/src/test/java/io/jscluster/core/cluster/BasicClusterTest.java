package io.jscluster.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.core.ClusterNode;
import io.jscluster.core.PubAck;
import io.jscluster.core.StreamConfigs;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BasicClusterTest {

  @Test
  void r3PublishReplicatesToEveryReplica() {
    try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(7).build()) {
      c.start();
      ClusterNode ml = c.awaitMetaLeader(60_000);
      assertThat(ml).isNotNull();
      c.createStream(StreamConfigs.builder("S").subjects("s.>").replicas(3).build());
      for (int i = 1; i <= 100; i++) {
        PubAck a = c.publish("S", "s.x", ("m" + i).getBytes(StandardCharsets.UTF_8));
        assertThat(a.isOk()).as("%s", a).isTrue();
        assertThat(a.seq()).isEqualTo(i);
      }
      c.awaitCurrent("S", 30_000);
      for (String n : c.names()) {
        assertThat(c.state(n, "S").msgs()).isEqualTo(100);
      }
    }
  }
}
