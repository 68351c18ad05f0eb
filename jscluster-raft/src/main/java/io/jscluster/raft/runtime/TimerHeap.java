package io.jscluster.raft.runtime;

import java.util.Arrays;

/**
 * An indexed binary min-heap of timers, one slot per member, keyed by its deadline. Re-arming a
 * member moves its slot in place (O(log n), no garbage), so a follower whose election timer is
 * pushed back by every heartbeat costs one sift and no stale entries; a member with no deadline is
 * not in the heap at all. Single-threaded (owned by one loop).
 */
final class TimerHeap {

  /** A heap element: the deadline and the slot's current position (-1 when absent). */
  abstract static class Slot {
    long deadline = Long.MAX_VALUE;
    int heapIndex = -1;
  }

  private Slot[] heap = new Slot[64];
  private int size;

  int size() {
    return size;
  }

  /** The earliest deadline, or {@code Long.MAX_VALUE} when empty. */
  long peekDeadline() {
    return size == 0 ? Long.MAX_VALUE : heap[0].deadline;
  }

  /**
   * The earliest slot if its deadline is at or before {@code now}, left in the heap: the caller
   * must re-arm it (to a later deadline) or remove it before asking again.
   */
  Slot peekDue(long now) {
    return size == 0 || heap[0].deadline > now ? null : heap[0];
  }

  /** Removes and returns the earliest slot if its deadline is at or before {@code now}. */
  Slot pollDue(long now) {
    if (size == 0 || heap[0].deadline > now) {
      return null;
    }
    Slot s = heap[0];
    remove(s);
    return s;
  }

  /** Sets {@code s}'s deadline; {@code Long.MAX_VALUE} removes it from the heap. */
  void arm(Slot s, long deadline) {
    if (deadline == Long.MAX_VALUE) {
      remove(s);
      s.deadline = deadline;
      return;
    }
    if (s.heapIndex < 0) {
      if (size == heap.length) {
        heap = Arrays.copyOf(heap, size * 2);
      }
      s.deadline = deadline;
      s.heapIndex = size;
      heap[size++] = s;
      siftUp(s.heapIndex);
      return;
    }
    long old = s.deadline;
    s.deadline = deadline;
    if (deadline < old) {
      siftUp(s.heapIndex);
    } else if (deadline > old) {
      siftDown(s.heapIndex);
    }
  }

  /** Takes {@code s} out of the heap (no-op when absent). */
  void remove(Slot s) {
    int i = s.heapIndex;
    if (i < 0) {
      return;
    }
    s.heapIndex = -1;
    Slot last = heap[--size];
    heap[size] = null;
    if (i == size) {
      return;
    }
    heap[i] = last;
    last.heapIndex = i;
    siftDown(i);
    if (last.heapIndex == i) {
      siftUp(i);
    }
  }

  private void siftUp(int i) {
    Slot s = heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      Slot p = heap[parent];
      if (p.deadline <= s.deadline) {
        break;
      }
      heap[i] = p;
      p.heapIndex = i;
      i = parent;
    }
    heap[i] = s;
    s.heapIndex = i;
  }

  private void siftDown(int i) {
    Slot s = heap[i];
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      int right = child + 1;
      if (right < size && heap[right].deadline < heap[child].deadline) {
        child = right;
      }
      Slot c = heap[child];
      if (s.deadline <= c.deadline) {
        break;
      }
      heap[i] = c;
      c.heapIndex = i;
      i = child;
    }
    heap[i] = s;
    s.heapIndex = i;
  }
}
