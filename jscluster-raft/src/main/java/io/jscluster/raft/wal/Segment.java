package io.jscluster.raft.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One segment file and the in-memory index of its records: the file offset and term of each,
 * never the payloads. Records are contiguous from {@link #base}; an index below the log's first
 * index whose record recovery found damaged holds a placeholder (term 0, the damaged record's
 * offset), which is never served.
 */
final class Segment {

  final long base;
  final Path path;
  final FileChannel channel;
  private int[] offsets = new int[64];
  private long[] terms = new long[64];
  private int count;
  /** Logical end of the segment: file length plus any bytes still in the write buffer. */
  long end;
  /** Written since the last force. */
  boolean dirty;

  Segment(long base, Path path, FileChannel channel, long end) {
    this.base = base;
    this.path = path;
    this.channel = channel;
    this.end = end;
  }

  int count() {
    return count;
  }

  /** Index of the last record, or {@code base - 1} when empty. */
  long lastIndex() {
    return base + count - 1;
  }

  boolean holds(long index) {
    return index >= base && index < base + count;
  }

  void add(int offset, long term) {
    if (count == offsets.length) {
      offsets = Arrays.copyOf(offsets, count * 2);
      terms = Arrays.copyOf(terms, count * 2);
    }
    offsets[count] = offset;
    terms[count] = term;
    count++;
  }

  int offsetOf(long index) {
    return offsets[(int) (index - base)];
  }

  long termOf(long index) {
    return terms[(int) (index - base)];
  }

  /** End offset of the record at {@code index}: the next record's start, or the segment end. */
  long endOf(long index) {
    int i = (int) (index - base);
    return i + 1 < count ? offsets[i + 1] : end;
  }

  /** Bytes taken by the records {@code from..lastIndex()}. */
  long bytesFrom(long from) {
    if (from > lastIndex()) {
      return 0;
    }
    return end - offsetOf(Math.max(from, base));
  }

  /** Forgets records from {@code index} on; the file is cut by the caller. */
  void dropFrom(long index) {
    int keep = (int) (index - base);
    if (keep < count) {
      end = keep == 0 ? WalFormat.SEGMENT_HEADER : offsets[keep];
      count = keep;
    }
  }

  void close() throws IOException {
    channel.close();
  }
}
