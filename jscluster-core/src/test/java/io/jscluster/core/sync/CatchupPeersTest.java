package io.jscluster.core.sync;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CatchupPeersTest {

  @Test
  @DisplayName("Go: TestJetStreamClusterStreamCatchupPeers")
  void presenceNotLagSignalsCatchingUp() {
    CatchupPeers p = new CatchupPeers();
    assertThat(p.peers()).isEmpty();
    assertThat(p.hasPeers()).isFalse();
    p.set("A", 0);
    p.set("B", 100);
    assertThat(p.peers()).containsExactlyInAnyOrder("A", "B");
    assertThat(p.hasPeers()).isTrue();
    assertThat(p.contains("A")).isTrue();
    p.clearAll();
    assertThat(p.peers()).isEmpty();
    assertThat(p.hasPeers()).isFalse();
  }

  @Test
  void updatesFloorAtZeroAndNeverRemove() {
    CatchupPeers p = new CatchupPeers();
    p.set("", 5);
    assertThat(p.hasPeers()).isFalse();
    p.set("A", 2);
    p.update("A");
    assertThat(p.lag("A")).isEqualTo(1);
    p.update("A");
    p.update("A");
    assertThat(p.lag("A")).isZero();
    assertThat(p.contains("A")).isTrue();
    p.set("B", 10);
    p.decrement("B", 4);
    assertThat(p.lag("B")).isEqualTo(6);
    p.decrement("B", 100);
    assertThat(p.lag("B")).isZero();
    p.decrement("B", 1);
    assertThat(p.contains("B")).isTrue();
    // Decrement of a missing peer creates nothing.
    p.decrement("C", 1);
    p.update("C");
    assertThat(p.contains("C")).isFalse();
    assertThat(p.lag("C")).isZero();
    // Unsigned lags.
    p.set("D", -1L);
    p.decrement("D", 5);
    assertThat(p.lag("D")).isEqualTo(-6L);
    p.clear("A");
    assertThat(p.peers()).containsExactlyInAnyOrder("B", "D");
  }
}
