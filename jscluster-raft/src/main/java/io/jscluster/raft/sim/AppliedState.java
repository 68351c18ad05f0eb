package io.jscluster.raft.sim;

import io.jscluster.raft.wire.Entry;
import io.jscluster.raft.wire.EntryType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The simulated upper layer's state as snapshot bytes: every applied index with its entries, so a
 * node restored from a snapshot holds exactly what it would have applied one index at a time and
 * the invariant checker can compare it entry by entry.
 *
 * <pre>
 * count u32 | per index: index u64, entries u32, per entry: type u8, length u32, data
 * </pre>
 */
final class AppliedState {

  private AppliedState() {}

  static byte[] encode(SortedMap<Long, List<Entry>> applied) {
    int size = 4;
    for (List<Entry> es : applied.values()) {
      size += 12;
      for (Entry e : es) {
        size += 5 + e.length();
      }
    }
    ByteBuffer bb = ByteBuffer.allocate(size);
    bb.putInt(applied.size());
    for (Map.Entry<Long, List<Entry>> me : applied.entrySet()) {
      bb.putLong(me.getKey()).putInt(me.getValue().size());
      for (Entry e : me.getValue()) {
        bb.put((byte) e.type().ordinal()).putInt(e.length()).put(e.array(), e.offset(), e.length());
      }
    }
    return bb.array();
  }

  /** Decodes what {@link #encode} produced; the simulation only decodes its own bytes. */
  static TreeMap<Long, List<Entry>> decode(byte[] bytes) {
    ByteBuffer bb = ByteBuffer.wrap(bytes);
    TreeMap<Long, List<Entry>> out = new TreeMap<>();
    int n = bb.getInt();
    for (int k = 0; k < n; k++) {
      long index = bb.getLong();
      int count = bb.getInt();
      List<Entry> es = new ArrayList<>(count);
      for (int j = 0; j < count; j++) {
        EntryType t = EntryType.values()[bb.get()];
        byte[] d = new byte[bb.getInt()];
        bb.get(d);
        es.add(new Entry(t, d));
      }
      out.put(index, List.copyOf(es));
    }
    return out;
  }
}
