package io.jscluster.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RealTimeSchedulerTest {

  @Test
  void runsInDueOrderOnOneThreadAndHonoursCancel() throws InterruptedException {
    try (RealTimeScheduler s = new RealTimeScheduler("test-loop")) {
      List<String> seen = new CopyOnWriteArrayList<>();
      CountDownLatch done = new CountDownLatch(1);
      // Everything is scheduled from one loop task, so no timer can fire in between however
      // slowly the test thread runs: the order below depends only on the due times.
      s.execute(() -> {
        long now = s.nowMillis();
        s.schedule(now + 30, () -> {
          seen.add("late:" + s.inLoop());
          done.countDown();
        });
        Scheduler.Timer t = s.schedule(now + 10, () -> seen.add("cancelled"));
        s.schedule(now + 5, () -> seen.add("early:" + s.inLoop()));
        seen.add("now");
        t.cancel();
      });
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(seen).containsExactly("now", "early:true", "late:true");
      long a = s.wallNanos();
      assertThat(s.wallNanos()).isGreaterThanOrEqualTo(a);
    }
  }
}
