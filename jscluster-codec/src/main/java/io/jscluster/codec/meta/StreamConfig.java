package io.jscluster.codec.meta;

import io.jscluster.codec.json.RawJsonMember;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * A stream's configuration (Go {@code StreamConfig}), the JSON embedded as {@code stream} in a
 * stream assignment. Components follow Go's field order, which is the JSON member order. Go
 * {@code int} is {@code long}; uint64 values are {@code long} bits; durations are nanoseconds.
 * Null strings become "", null enums their Go zero value; lists and maps may be null (nil).
 *
 * <p>{@code unknown} holds members this version does not model, in input order; they are
 * written back after the known members so that re-encoding a config from a newer server drops
 * nothing. A config that has any (here or in a nested object) decodes as unsupported.
 *
 * @param name {@code name}
 * @param description {@code description}
 * @param subjects {@code subjects}
 * @param retention {@code retention}
 * @param maxConsumers {@code max_consumers}
 * @param maxMsgs {@code max_msgs}
 * @param maxBytes {@code max_bytes}
 * @param maxAge {@code max_age} (ns)
 * @param maxMsgsPer {@code max_msgs_per_subject}
 * @param maxMsgSize {@code max_msg_size} (Go int32)
 * @param discard {@code discard}
 * @param storage {@code storage}
 * @param replicas {@code num_replicas}
 * @param noAck {@code no_ack}
 * @param duplicates {@code duplicate_window} (ns)
 * @param placement {@code placement}, or null
 * @param mirror {@code mirror}, or null
 * @param sources {@code sources}, or null; elements may be null (Go nil pointers)
 * @param compression {@code compression}
 * @param firstSeq {@code first_seq} (uint64 bits)
 * @param subjectTransform {@code subject_transform}, or null
 * @param rePublish {@code republish}, or null
 * @param allowDirect {@code allow_direct}
 * @param mirrorDirect {@code mirror_direct}
 * @param discardNewPer {@code discard_new_per_subject}
 * @param sealed {@code sealed}
 * @param denyDelete {@code deny_delete}
 * @param denyPurge {@code deny_purge}
 * @param allowRollup {@code allow_rollup_hdrs}
 * @param consumerLimits {@code consumer_limits}
 * @param allowMsgTtl {@code allow_msg_ttl}
 * @param subjectDeleteMarkerTtl {@code subject_delete_marker_ttl} (ns)
 * @param allowMsgCounter {@code allow_msg_counter}
 * @param allowAtomicPublish {@code allow_atomic}
 * @param allowMsgSchedules {@code allow_msg_schedules}
 * @param persistMode {@code persist_mode}
 * @param allowBatchPublish {@code allow_batched}
 * @param metadata {@code metadata}, or null
 * @param unknown unmodelled members, in input order
 */
public record StreamConfig(
    String name,
    String description,
    List<String> subjects,
    RetentionPolicy retention,
    long maxConsumers,
    long maxMsgs,
    long maxBytes,
    long maxAge,
    long maxMsgsPer,
    int maxMsgSize,
    DiscardPolicy discard,
    StorageType storage,
    long replicas,
    boolean noAck,
    long duplicates,
    Placement placement,
    StreamSource mirror,
    List<StreamSource> sources,
    StoreCompression compression,
    long firstSeq,
    SubjectTransformConfig subjectTransform,
    RePublish rePublish,
    boolean allowDirect,
    boolean mirrorDirect,
    boolean discardNewPer,
    boolean sealed,
    boolean denyDelete,
    boolean denyPurge,
    boolean allowRollup,
    StreamConsumerLimits consumerLimits,
    boolean allowMsgTtl,
    long subjectDeleteMarkerTtl,
    boolean allowMsgCounter,
    boolean allowAtomicPublish,
    boolean allowMsgSchedules,
    PersistMode persistMode,
    boolean allowBatchPublish,
    Map<String, String> metadata,
    List<RawJsonMember> unknown) {

  /** Normalises nulls and copies collections. */
  public StreamConfig {
    name = Values.str(name);
    description = Values.str(description);
    subjects = Values.list(subjects);
    retention = retention == null ? RetentionPolicy.LIMITS : retention;
    discard = discard == null ? DiscardPolicy.OLD : discard;
    storage = storage == null ? StorageType.UNSPECIFIED : storage;
    sources = Values.list(sources);
    compression = compression == null ? StoreCompression.NONE : compression;
    consumerLimits = consumerLimits == null ? StreamConsumerLimits.NONE : consumerLimits;
    persistMode = persistMode == null ? PersistMode.DEFAULT : persistMode;
    metadata = Values.map(metadata);
    unknown = Values.members(unknown);
  }

  /** Go's zero {@code StreamConfig} (what a {@code null} config JSON decodes to). */
  public static StreamConfig empty() {
    return new StreamConfig("", "", null, null, 0, 0, 0, 0, 0, 0, null, null, 0, false, 0, null, null, null,
        null, 0, null, null, false, false, false, false, false, false, false, null, false, 0, false, false,
        false, null, false, null, null);
  }

  /** This config with {@code duplicate_window} replaced. */
  public StreamConfig withDuplicates(long newDuplicates) {
    return new StreamConfig(name, description, subjects, retention, maxConsumers, maxMsgs, maxBytes, maxAge,
        maxMsgsPer, maxMsgSize, discard, storage, replicas, noAck, newDuplicates, placement, mirror, sources,
        compression, firstSeq, subjectTransform, rePublish, allowDirect, mirrorDirect, discardNewPer, sealed,
        denyDelete, denyPurge, allowRollup, consumerLimits, allowMsgTtl, subjectDeleteMarkerTtl,
        allowMsgCounter, allowAtomicPublish, allowMsgSchedules, persistMode, allowBatchPublish, metadata,
        unknown);
  }
}
