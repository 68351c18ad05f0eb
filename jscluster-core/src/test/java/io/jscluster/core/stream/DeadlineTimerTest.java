package io.jscluster.core.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.core.Scheduler;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link DeadlineTimer} keeps one task per machine however often the deadline moves later. */
class DeadlineTimerTest {

  /** A virtual clock whose tasks run when {@link #advance} passes their time. */
  private static final class Clock implements Scheduler {
    final class T implements Timer {
      final long at;
      final Runnable r;
      boolean cancelled;

      T(long at, Runnable r) {
        this.at = at;
        this.r = r;
      }

      @Override
      public void cancel() {
        cancelled = true;
      }
    }

    long now;
    final List<T> tasks = new ArrayList<>();

    @Override
    public long nowMillis() {
      return now;
    }

    @Override
    public long wallNanos() {
      return now * 1_000_000L;
    }

    @Override
    public Timer schedule(long atMillis, Runnable task) {
      T t = new T(atMillis, task);
      tasks.add(t);
      return t;
    }

    @Override
    public void execute(Runnable task) {
      schedule(now, task);
    }

    long pending() {
      return tasks.stream().filter(t -> !t.cancelled).count();
    }

    void advance(long to) {
      now = to;
      boolean ran = true;
      while (ran) {
        ran = false;
        for (T t : List.copyOf(tasks)) {
          if (t.at <= now) {
            tasks.remove(t);
            if (!t.cancelled) {
              t.r.run();
            }
            ran = true;
          }
        }
      }
    }
  }

  private static final long MS = 1_000_000L;

  @Test
  void laterDeadlinesKeepTheArmedTaskWhichFiresEarlyAndIsReArmed() {
    Clock c = new Clock();
    List<Long> fired = new ArrayList<>();
    long[] deadline = {500 * MS};
    DeadlineTimer[] t = new DeadlineTimer[1];
    t[0] = new DeadlineTimer(c, () -> {
      fired.add(c.now);
      // The machine's tick: nothing before its deadline (then the driver re-arms); at it, the
      // machine acts and has no further deadline here.
      if (c.now * MS < deadline[0]) {
        t[0].arm(deadline[0]);
      }
    });
    t[0].arm(deadline[0]);
    // An ack batch every millisecond moves the deadline later each time: no new task.
    for (int ms = 1; ms <= 400; ms++) {
      c.advance(ms);
      deadline[0] = (ms + 500) * MS;
      t[0].arm(deadline[0]);
    }
    assertThat(t[0].scheduledTasks()).isEqualTo(1);
    assertThat(c.tasks).hasSize(1);
    // The first task fires at its time (early for the machine), which re-arms at the real one.
    c.advance(500);
    assertThat(fired).containsExactly(500L);
    assertThat(t[0].scheduledTasks()).isEqualTo(2);
    c.advance(900);
    assertThat(fired).containsExactly(500L, 900L);
  }

  @Test
  void anEarlierDeadlineReplacesTheTaskAndMaxValueDisarms() {
    Clock c = new Clock();
    List<Long> fired = new ArrayList<>();
    DeadlineTimer t = new DeadlineTimer(c, () -> fired.add(c.now));
    t.arm(30_000 * MS);
    // Rounded up to whole milliseconds: never before the deadline.
    t.arm(5 * MS + 1);
    assertThat(c.pending()).isEqualTo(1);
    assertThat(t.scheduledTasks()).isEqualTo(2);
    c.advance(5);
    assertThat(fired).isEmpty();
    c.advance(6);
    assertThat(fired).containsExactly(6L);
    assertThat(t.armed()).isFalse();

    t.arm(100 * MS);
    assertThat(t.armed()).isTrue();
    t.arm(Long.MAX_VALUE);
    assertThat(t.armed()).isFalse();
    c.advance(200);
    assertThat(fired).containsExactly(6L);

    // A deadline already past runs as soon as possible, not in the past.
    c.advance(300);
    t.arm(10 * MS);
    c.advance(300);
    assertThat(fired).containsExactly(6L, 300L);
  }
}
