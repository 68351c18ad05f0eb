package io.jscluster.raft.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-memory transport: routing by exact subject, no echo, asynchronous FIFO delivery. */
class InMemoryNetworkTest {

  @Test
  void deliversToSubscribersOfOtherNodesInOrder() {
    InMemoryNetwork net = new InMemoryNetwork();
    Transport a = net.endpoint("a");
    Transport b = net.endpoint("b");
    Transport c = net.endpoint("c");
    List<String> got = new ArrayList<>();
    a.subscribe("s", (subj, reply, p) -> got.add("a:" + new String(p)));
    b.subscribe("s", (subj, reply, p) -> got.add("b:" + new String(p) + ":" + reply));
    c.subscribe("other", (subj, reply, p) -> got.add("c:" + new String(p)));
    a.send("s", "r", "1".getBytes());
    a.send("s", null, "2".getBytes());
    assertThat(got).isEmpty();
    assertThat(net.deliverAll()).isEqualTo(2);
    assertThat(got).containsExactly("b:1:r", "b:2:null");
  }

  @Test
  void unsubscribeAndDisconnectStopDelivery() {
    InMemoryNetwork net = new InMemoryNetwork();
    Transport a = net.endpoint("a");
    Transport b = net.endpoint("b");
    List<String> got = new ArrayList<>();
    Subscription sub = b.subscribe("s", (subj, reply, p) -> got.add(new String(p)));
    a.send("s", null, "queued".getBytes());
    sub.unsubscribe();
    sub.unsubscribe();
    net.deliverAll();
    assertThat(got).isEmpty();
    b.subscribe("s", (subj, reply, p) -> got.add(new String(p)));
    a.send("s", null, "x".getBytes());
    net.disconnect("b");
    net.deliverAll();
    assertThat(got).isEmpty();
    b.subscribe("s", (subj, reply, p) -> got.add(new String(p)));
    a.send("s", null, "y".getBytes());
    net.deliverAll();
    assertThat(got).containsExactly("y");
  }

  @Test
  void customDispatcherDecidesDelivery() {
    InMemoryNetwork net = new InMemoryNetwork();
    List<InMemoryNetwork.Envelope> held = new ArrayList<>();
    net.setDispatcher(held::add);
    Transport a = net.endpoint("a");
    List<String> got = new ArrayList<>();
    net.endpoint("b").subscribe("s", (subj, reply, p) -> got.add(new String(p)));
    a.send("s", null, "1".getBytes());
    a.send("s", null, "2".getBytes());
    assertThat(held).hasSize(2);
    net.deliver(held.get(1));
    net.deliver(held.get(0));
    net.deliver(held.get(0));
    assertThat(got).containsExactly("2", "1", "1");
  }
}
