package io.jscluster.codec.meta;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * A stream's state as JSON (Go {@code StreamState}), carried as {@code restore_state}. Members:
 * {@code messages}, {@code bytes}, {@code first_seq}, {@code first_ts}, {@code last_seq},
 * {@code last_ts}, then {@code num_subjects}, {@code subjects}, {@code num_deleted},
 * {@code deleted}, {@code lost} (omitempty), and {@code consumer_count}. uint64 values are
 * {@code long} bits.
 *
 * @param msgs messages
 * @param bytes bytes
 * @param firstSeq first sequence
 * @param firstTime first timestamp (Go zero time when unset)
 * @param lastSeq last sequence
 * @param lastTime last timestamp
 * @param numSubjects number of subjects
 * @param subjects per-subject counts, or null
 * @param numDeleted number of deleted messages
 * @param deleted deleted sequences, or null
 * @param lost lost data, or null
 * @param consumers consumer count
 */
public record StreamState(
    long msgs,
    long bytes,
    long firstSeq,
    OffsetDateTime firstTime,
    long lastSeq,
    OffsetDateTime lastTime,
    long numSubjects,
    Map<String, Long> subjects,
    long numDeleted,
    List<Long> deleted,
    LostStreamData lost,
    long consumers) {

  /** Normalises null times to Go's zero time and copies collections. */
  public StreamState {
    firstTime = firstTime == null ? io.jscluster.codec.json.GoTime.ZERO : firstTime;
    lastTime = lastTime == null ? io.jscluster.codec.json.GoTime.ZERO : lastTime;
    subjects = Values.map(subjects);
    deleted = Values.list(deleted);
  }

  /**
   * Messages lost from a stream (Go {@code LostStreamData}): {@code msgs} (null for nil) and
   * {@code bytes}, both always written.
   *
   * @param msgs lost sequences, or null
   * @param bytes lost bytes
   */
  public record LostStreamData(List<Long> msgs, long bytes) {

    /** Copies the list. */
    public LostStreamData {
      msgs = Values.list(msgs);
    }
  }
}
