package io.jscluster.raft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.transport.Subscription;
import io.jscluster.raft.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalNetworkTest {

  @Test
  void deliversToOtherSubscribersOnlyAndStopsAfterUnsubscribe() {
    LocalNetwork net = new LocalNetwork();
    Transport a = net.endpoint("a");
    Transport b = net.endpoint("b");
    Transport c = net.endpoint("c");
    List<String> got = new ArrayList<>();
    a.subscribe("s", (s, r, p) -> got.add("a:" + r + ":" + p.length));
    Subscription sb = b.subscribe("s", (s, r, p) -> got.add("b:" + r + ":" + p.length));
    a.send("s", "rep", new byte[3]);
    assertThat(got).containsExactly("b:rep:3");
    got.clear();
    c.send("s", null, new byte[1]);
    assertThat(got).containsExactlyInAnyOrder("a:null:1", "b:null:1");
    got.clear();
    sb.unsubscribe();
    sb.unsubscribe();
    c.send("s", null, new byte[1]);
    assertThat(got).containsExactly("a:null:1");
    c.send("nobody", null, new byte[1]);
    assertThat(net.subjectCount()).isEqualTo(1);
  }
}
