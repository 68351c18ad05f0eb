package io.jscluster.core.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.ops.StreamSyncRequest;
import io.jscluster.codec.state.StreamReplicatedState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyncRequestsTest {

  private static StreamReplicatedState snap(long first, long last) {
    return new StreamReplicatedState(0, 0, first, last, 0, List.of(), Map.of());
  }

  @Test
  void requestCoversTheMissingTail() {
    assertThat(SyncRequests.calculate(10, snap(1, 50), 7, "node1234"))
        .isEqualTo(new StreamSyncRequest("node1234", 11, 50, true, 7));
  }

  @Test
  void nothingWhenCaughtUpOrWithoutNodeOrSnapshot() {
    assertThat(SyncRequests.calculate(50, snap(1, 50), 7, "n")).isNull();
    assertThat(SyncRequests.calculate(51, snap(1, 50), 7, "n")).isNull();
    assertThat(SyncRequests.calculate(1, snap(1, 50), 7, null)).isNull();
    assertThat(SyncRequests.calculate(1, null, 7, "n")).isNull();
    // Unsigned comparison: a local last above 2^63 is still "ahead".
    assertThat(SyncRequests.calculate(-1L, snap(1, 50), 7, "n")).isNull();
  }

  @Test
  void catchingUpFlagAndCurrency() {
    CatchupState s = new CatchupState();
    assertThat(s.isCurrent(false, false)).isTrue();
    assertThat(s.isCurrent(true, true)).isTrue();
    assertThat(s.isCurrent(true, false)).isFalse();
    s.setCatchingUp();
    assertThat(s.isCatchingUp()).isTrue();
    assertThat(s.isCurrent(true, true)).isFalse();
    assertThat(s.isCurrent(false, false)).isTrue();
    s.clearCatchingUp();
    assertThat(s.isCurrent(true, true)).isTrue();
  }

  @Test
  void limiterWakesWaitersInOrder() {
    SyncRequestLimiter l = new SyncRequestLimiter(1);
    StringBuilder woken = new StringBuilder();
    Runnable a = () -> woken.append('a');
    Runnable b = () -> woken.append('b');
    assertThat(l.tryAcquire(a)).isTrue();
    assertThat(l.tryAcquire(a)).isFalse();
    assertThat(l.tryAcquire(b)).isFalse();
    assertThat(l.tryAcquire(b)).isFalse(); // queued once
    l.release();
    assertThat(woken).hasToString("a");
    assertThat(l.tryAcquire(a)).isTrue();
    l.cancel(b);
    l.release();
    assertThat(woken).hasToString("a");
    assertThat(l.available()).isEqualTo(1);
    assertThat(new SyncRequestLimiter().available()).isEqualTo(32);
  }
}
