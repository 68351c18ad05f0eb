package io.jscluster.core.stream;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code Nats-Msg-Id} de-duplication window of one stream: id to (sequence, timestamp). A
 * sequence of 0 marks an id whose proposal is still in flight on the leader. Entries older than
 * the window are dropped lazily; a window of 0 or less disables de-duplication.
 */
final class DedupeTable {

  record Entry(long seq, long tsNanos) {}

  private final LinkedHashMap<String, Entry> ids = new LinkedHashMap<>();
  private long windowNanos;

  DedupeTable(long windowNanos) {
    this.windowNanos = windowNanos;
  }

  void window(long nanos) {
    this.windowNanos = nanos;
  }

  /** The live entry for {@code id} at {@code nowNanos}, or null. */
  Entry lookup(String id, long nowNanos) {
    if (windowNanos <= 0) {
      return null;
    }
    Entry e = ids.get(id);
    if (e == null || e.tsNanos() < nowNanos - windowNanos) {
      return null;
    }
    return e;
  }

  /** Records {@code id}, then drops entries that fell out of the window at {@code tsNanos}. */
  void put(String id, long seq, long tsNanos) {
    if (windowNanos <= 0) {
      return;
    }
    ids.remove(id);
    ids.put(id, new Entry(seq, tsNanos));
    long floor = tsNanos - windowNanos;
    Iterator<Map.Entry<String, Entry>> it = ids.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Entry> e = it.next();
      if (e.getValue().tsNanos() >= floor) {
        break;
      }
      it.remove();
    }
  }

  /** Forgets {@code id} if it is still in flight (its proposal stored nothing). */
  void dropInFlight(String id) {
    Entry e = ids.get(id);
    if (e != null && e.seq() == 0) {
      ids.remove(id);
    }
  }

  /** Forgets every in-flight id (leadership changed). */
  void dropAllInFlight() {
    ids.values().removeIf(e -> e.seq() == 0);
  }

  int size() {
    return ids.size();
  }
}
