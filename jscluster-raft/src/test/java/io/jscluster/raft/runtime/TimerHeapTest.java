package io.jscluster.raft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.testing.SeedRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimerHeapTest {

  private static final class T extends TimerHeap.Slot {
    final int id;

    T(int id) {
      this.id = id;
    }
  }

  @Test
  void randomArmRemoveAndPollMatchAReferenceModel() {
    SeedRange seeds = SeedRange.fromSystemProperties(5);
    for (int si = 0; si < seeds.count(); si++) {
      long seed = seeds.seed(si);
      System.out.println("TimerHeapTest seed " + seed);
      Random rnd = new Random(seed);
      TimerHeap heap = new TimerHeap();
      List<T> slots = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        slots.add(new T(i));
      }
      long now = 0;
      for (int op = 0; op < 10_000; op++) {
        T s = slots.get(rnd.nextInt(slots.size()));
        int kind = rnd.nextInt(10);
        if (kind < 6) {
          heap.arm(s, now + rnd.nextInt(1000));
        } else if (kind < 7) {
          heap.arm(s, Long.MAX_VALUE);
        } else if (kind < 8) {
          heap.remove(s);
        } else {
          now += rnd.nextInt(50);
          long min = Long.MAX_VALUE;
          for (T t : slots) {
            if (t.heapIndex >= 0) {
              min = Math.min(min, t.deadline);
            }
          }
          assertThat(heap.peekDeadline()).as("seed %d", seed).isEqualTo(min);
          TimerHeap.Slot due;
          long prev = Long.MIN_VALUE;
          while ((due = heap.pollDue(now)) != null) {
            assertThat(due.deadline).isLessThanOrEqualTo(now).isGreaterThanOrEqualTo(prev);
            assertThat(due.heapIndex).isEqualTo(-1);
            prev = due.deadline;
          }
        }
        int armed = 0;
        for (T t : slots) {
          if (t.heapIndex >= 0) {
            armed++;
          }
        }
        assertThat(heap.size()).as("seed %d", seed).isEqualTo(armed);
      }
    }
  }
}
