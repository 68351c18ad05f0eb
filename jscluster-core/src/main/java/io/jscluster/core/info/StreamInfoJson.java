package io.jscluster.core.info;

import io.jscluster.codec.json.GoJsonWriter;
import io.jscluster.codec.json.GoTime;
import io.jscluster.codec.meta.ConfigCodec;
import io.jscluster.codec.meta.StreamConfig;
import io.jscluster.core.store.StreamState;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Go {@code encoding/json} output of the StreamInfo a stream member returns to a
 * {@code $JSC.SI.<account>.<stream>} request: {@code config}, {@code created}, {@code state},
 * {@code cluster} (omitempty) and {@code ts}, in nats-server's struct order. This port has no
 * domain, mirror, sources or alternates to report in that reply. Thread-safe (no state).
 */
public final class StreamInfoJson {

  private StreamInfoJson() {}

  /**
   * {@code json.Marshal(StreamInfo)} for the cluster-internal reply.
   *
   * @param config the stream's config
   * @param created when the stream was created, or null for Go's zero time
   * @param state the replying replica's store state
   * @param cluster cluster info (already passed through {@code checkClusterInfo}), or null
   * @param nowNanos Unix nanoseconds of the reply ({@code ts})
   */
  public static byte[] encode(StreamConfig config, OffsetDateTime created, StreamState state,
      ClusterInfo cluster, long nowNanos) {
    GoJsonWriter w = new GoJsonWriter();
    w.beginObject();
    w.name("config").rawValue(ConfigCodec.encode(config));
    w.time("created", created == null ? GoTime.ZERO : created);
    w.name("state");
    writeState(w, state);
    if (cluster != null) {
      w.name("cluster");
      ClusterInfoJson.write(w, cluster);
    }
    w.time("ts", time(nowNanos));
    w.endObject();
    return w.toByteArray();
  }

  /** Writes Go's {@code StreamState} object for a store state (no per-subject or deleted detail). */
  public static void writeState(GoJsonWriter w, StreamState s) {
    w.beginObject();
    w.u64("messages", s.msgs());
    w.u64("bytes", s.bytes());
    w.u64("first_seq", s.firstSeq());
    w.time("first_ts", time(s.firstTimeNanos()));
    w.u64("last_seq", s.lastSeq());
    w.time("last_ts", time(s.lastTimeNanos()));
    w.i64Omit("num_subjects", s.numSubjects());
    w.i64Omit("num_deleted", s.numDeleted());
    w.i64("consumer_count", 0);
    w.endObject();
  }

  private static OffsetDateTime time(long nanos) {
    if (nanos == 0) {
      return GoTime.ZERO;
    }
    return OffsetDateTime.ofInstant(Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L),
        Math.floorMod(nanos, 1_000_000_000L)), ZoneOffset.UTC);
  }
}
