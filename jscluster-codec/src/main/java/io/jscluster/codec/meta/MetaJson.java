package io.jscluster.codec.meta;

import io.jscluster.codec.CodecException;
import io.jscluster.codec.json.GoJsonReader;
import io.jscluster.codec.json.GoJsonWriter;
import io.jscluster.codec.json.RawJsonMember;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON of the meta records, member by member in Go's struct order. Readers decode over the
 * current value (Go decodes a repeated member into the same struct) and collect unmodelled
 * members of config objects into their {@code unknown} lists, reporting the first one to a
 * {@link Strictness} when the caller checks strictly.
 */
final class MetaJson {

  private MetaJson() {}

  /** Records the first unknown config member, as Go's strict decoder reports it. */
  static final class Strictness {
    private String firstUnknown;

    void unknown(String name) {
      if (firstUnknown == null) {
        firstUnknown = name;
      }
    }

    /** The first unknown member name, or null. */
    String firstUnknown() {
      return firstUnknown;
    }
  }

  // ================================================================ enums

  static RetentionPolicy retention(GoJsonReader r, String f) {
    long at = r.offset();
    String raw = r.readRawText(f);
    return switch (raw) {
      case "\"limits\"" -> RetentionPolicy.LIMITS;
      case "\"interest\"" -> RetentionPolicy.INTEREST;
      case "\"workqueue\"" -> RetentionPolicy.WORK_QUEUE;
      default -> throw cannot(f, at, raw);
    };
  }

  static DiscardPolicy discard(GoJsonReader r, String f) {
    long at = r.offset();
    String raw = r.readRawText(f);
    return switch (asciiLower(raw)) {
      case "\"old\"" -> DiscardPolicy.OLD;
      case "\"new\"" -> DiscardPolicy.NEW;
      default -> throw cannot(f, at, raw);
    };
  }

  static StorageType storage(GoJsonReader r, String f) {
    long at = r.offset();
    String raw = r.readRawText(f);
    return switch (raw) {
      case "\"file\"" -> StorageType.FILE;
      case "\"memory\"" -> StorageType.MEMORY;
      default -> throw cannot(f, at, raw);
    };
  }

  static StoreCompression compression(GoJsonReader r, String f) {
    long at = r.offset();
    // Go unmarshals this one into a string first, so escapes are allowed and null reads as "".
    String s = r.string(f, "");
    return switch (s) {
      case "s2" -> StoreCompression.S2;
      case "none" -> StoreCompression.NONE;
      default -> throw new CodecException(f, at, "unknown compression algorithm");
    };
  }

  static PersistMode persistMode(GoJsonReader r, String f) {
    long at = r.offset();
    String raw = r.readRawText(f);
    return switch (raw) {
      case "\"default\"", "\"\"" -> PersistMode.DEFAULT;
      case "\"async\"" -> PersistMode.ASYNC;
      default -> throw cannot(f, at, raw);
    };
  }

  static DeliverPolicy deliverPolicy(GoJsonReader r, String f) {
    long at = r.offset();
    String raw = r.readRawText(f);
    return switch (raw) {
      case "\"all\"", "\"undefined\"" -> DeliverPolicy.ALL;
      case "\"last\"" -> DeliverPolicy.LAST;
      case "\"last_per_subject\"" -> DeliverPolicy.LAST_PER_SUBJECT;
      case "\"new\"" -> DeliverPolicy.NEW;
      case "\"by_start_sequence\"" -> DeliverPolicy.BY_START_SEQUENCE;
      case "\"by_start_time\"" -> DeliverPolicy.BY_START_TIME;
      default -> throw cannot(f, at, raw);
    };
  }

  static AckPolicy ackPolicy(GoJsonReader r, String f) {
    long at = r.offset();
    String raw = r.readRawText(f);
    return switch (raw) {
      case "\"none\"" -> AckPolicy.NONE;
      case "\"all\"" -> AckPolicy.ALL;
      case "\"explicit\"" -> AckPolicy.EXPLICIT;
      case "\"flow_control\"" -> AckPolicy.FLOW_CONTROL;
      default -> throw cannot(f, at, raw);
    };
  }

  static ReplayPolicy replayPolicy(GoJsonReader r, String f) {
    long at = r.offset();
    String raw = r.readRawText(f);
    return switch (raw) {
      case "\"instant\"" -> ReplayPolicy.INSTANT;
      case "\"original\"" -> ReplayPolicy.ORIGINAL;
      default -> throw cannot(f, at, raw);
    };
  }

  static PriorityPolicy priorityPolicy(GoJsonReader r, String f) {
    long at = r.offset();
    String raw = r.readRawText(f);
    return switch (raw) {
      case "\"none\"" -> PriorityPolicy.NONE;
      case "\"overflow\"" -> PriorityPolicy.OVERFLOW;
      case "\"pinned_client\"" -> PriorityPolicy.PINNED_CLIENT;
      case "\"prioritized\"" -> PriorityPolicy.PRIORITIZED;
      default -> throw cannot(f, at, raw);
    };
  }

  private static CodecException cannot(String f, long at, String raw) {
    String shown = raw.length() > 40 ? raw.substring(0, 40) + "..." : raw;
    return new CodecException(f, at, "can not unmarshal " + shown);
  }

  private static String asciiLower(String s) {
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        if (sb == null) {
          sb = new StringBuilder(s);
        }
        sb.setCharAt(i, (char) (c + 32));
      }
    }
    return sb == null ? s : sb.toString();
  }

  static void storage(GoJsonWriter w, String name, StorageType st, String field) {
    if (st.json() == null) {
      throw new CodecException(field, -1, "can not marshal storage type " + st);
    }
    w.name(name).value(st.json());
  }

  // ================================================================ shared helpers

  private static List<RawJsonMember> addUnknown(GoJsonReader r, String f, List<RawJsonMember> current,
      Strictness strict) {
    if (strict != null) {
      strict.unknown(r.key());
    }
    List<RawJsonMember> out = new ArrayList<>(current);
    RawJsonMember m = r.readUnknownMember(f);
    // A repeated unknown member replaces the earlier one, like a repeated known member.
    out.removeIf(x -> x.name().equals(m.name()));
    out.add(m);
    return out;
  }

  private static void writeUnknown(GoJsonWriter w, List<RawJsonMember> unknown) {
    for (RawJsonMember m : unknown) {
      w.name(m.name()).rawValue(m.json());
    }
  }

  private static String f(String parent, GoJsonReader r) {
    return parent + "." + r.key();
  }

  // ================================================================ placement & friends

  static void write(GoJsonWriter w, Placement p) {
    w.beginObject();
    w.strOmit("cluster", p.cluster());
    w.strListOmit("tags", p.tags());
    w.strOmit("preferred", p.preferred());
    writeUnknown(w, p.unknown());
    w.endObject();
  }

  static Placement readPlacement(GoJsonReader r, String field, Placement cur, Strictness strict) {
    if (r.tryNull()) {
      return null;
    }
    String cluster = cur == null ? "" : cur.cluster();
    List<String> tags = cur == null ? null : cur.tags();
    String preferred = cur == null ? "" : cur.preferred();
    List<RawJsonMember> unknown = cur == null ? List.of() : cur.unknown();
    r.beginObject(field);
    while (r.nextMember(field)) {
      String f = f(field, r);
      switch (r.foldedKey()) {
        case "cluster" -> cluster = r.string(f, cluster);
        case "tags" -> tags = r.stringList(f);
        case "preferred" -> preferred = r.string(f, preferred);
        default -> unknown = addUnknown(r, f, unknown, strict);
      }
    }
    return new Placement(cluster, tags, preferred, unknown);
  }

  static void write(GoJsonWriter w, SubjectTransformConfig t) {
    w.beginObject().str("src", t.source()).str("dest", t.destination());
    writeUnknown(w, t.unknown());
    w.endObject();
  }

  static SubjectTransformConfig readTransform(GoJsonReader r, String field, SubjectTransformConfig cur,
      Strictness strict) {
    SubjectTransformConfig base = cur == null ? new SubjectTransformConfig("", "", List.of()) : cur;
    if (r.tryNull()) {
      return cur;
    }
    String src = base.source();
    String dest = base.destination();
    List<RawJsonMember> unknown = base.unknown();
    r.beginObject(field);
    while (r.nextMember(field)) {
      String f = f(field, r);
      switch (r.foldedKey()) {
        case "src" -> src = r.string(f, src);
        case "dest" -> dest = r.string(f, dest);
        default -> unknown = addUnknown(r, f, unknown, strict);
      }
    }
    return new SubjectTransformConfig(src, dest, unknown);
  }

  static void write(GoJsonWriter w, RePublish p) {
    w.beginObject().strOmit("src", p.source()).str("dest", p.destination()).boolOmit("headers_only", p.headersOnly());
    writeUnknown(w, p.unknown());
    w.endObject();
  }

  static RePublish readRePublish(GoJsonReader r, String field, RePublish cur, Strictness strict) {
    if (r.tryNull()) {
      return null;
    }
    String src = cur == null ? "" : cur.source();
    String dest = cur == null ? "" : cur.destination();
    boolean headersOnly = cur != null && cur.headersOnly();
    List<RawJsonMember> unknown = cur == null ? List.of() : cur.unknown();
    r.beginObject(field);
    while (r.nextMember(field)) {
      String f = f(field, r);
      switch (r.foldedKey()) {
        case "src" -> src = r.string(f, src);
        case "dest" -> dest = r.string(f, dest);
        case "headers_only" -> headersOnly = r.bool(f, headersOnly);
        default -> unknown = addUnknown(r, f, unknown, strict);
      }
    }
    return new RePublish(src, dest, headersOnly, unknown);
  }

  static void write(GoJsonWriter w, ExternalStream e) {
    w.beginObject().str("api", e.apiPrefix()).str("deliver", e.deliverPrefix());
    writeUnknown(w, e.unknown());
    w.endObject();
  }

  static ExternalStream readExternal(GoJsonReader r, String field, ExternalStream cur, Strictness strict) {
    if (r.tryNull()) {
      return null;
    }
    String api = cur == null ? "" : cur.apiPrefix();
    String deliver = cur == null ? "" : cur.deliverPrefix();
    List<RawJsonMember> unknown = cur == null ? List.of() : cur.unknown();
    r.beginObject(field);
    while (r.nextMember(field)) {
      String f = f(field, r);
      switch (r.foldedKey()) {
        case "api" -> api = r.string(f, api);
        case "deliver" -> deliver = r.string(f, deliver);
        default -> unknown = addUnknown(r, f, unknown, strict);
      }
    }
    return new ExternalStream(api, deliver, unknown);
  }

  static void write(GoJsonWriter w, StreamConsumerSource c) {
    w.beginObject().strOmit("name", c.name()).strOmit("deliver_subject", c.deliverSubject());
    writeUnknown(w, c.unknown());
    w.endObject();
  }

  static StreamConsumerSource readConsumerSource(GoJsonReader r, String field, StreamConsumerSource cur,
      Strictness strict) {
    if (r.tryNull()) {
      return null;
    }
    String name = cur == null ? "" : cur.name();
    String deliver = cur == null ? "" : cur.deliverSubject();
    List<RawJsonMember> unknown = cur == null ? List.of() : cur.unknown();
    r.beginObject(field);
    while (r.nextMember(field)) {
      String f = f(field, r);
      switch (r.foldedKey()) {
        case "name" -> name = r.string(f, name);
        case "deliver_subject" -> deliver = r.string(f, deliver);
        default -> unknown = addUnknown(r, f, unknown, strict);
      }
    }
    return new StreamConsumerSource(name, deliver, unknown);
  }

  static void write(GoJsonWriter w, StreamSource s) {
    if (s == null) {
      w.nullValue();
      return;
    }
    w.beginObject();
    w.str("name", s.name());
    w.u64Omit("opt_start_seq", s.optStartSeq());
    w.timePtrOmit("opt_start_time", s.optStartTime());
    w.strOmit("filter_subject", s.filterSubject());
    if (s.subjectTransforms() != null && !s.subjectTransforms().isEmpty()) {
      w.name("subject_transforms").beginArray();
      for (SubjectTransformConfig t : s.subjectTransforms()) {
        write(w, t == null ? new SubjectTransformConfig("", "", List.of()) : t);
      }
      w.endArray();
    }
    if (s.external() != null) {
      w.name("external");
      write(w, s.external());
    }
    if (s.consumer() != null) {
      w.name("consumer");
      write(w, s.consumer());
    }
    writeUnknown(w, s.unknown());
    w.endObject();
  }

  static StreamSource readSource(GoJsonReader r, String field, StreamSource cur, Strictness strict) {
    if (r.tryNull()) {
      return null;
    }
    String name = cur == null ? "" : cur.name();
    long optStartSeq = cur == null ? 0 : cur.optStartSeq();
    OffsetDateTime optStartTime = cur == null ? null : cur.optStartTime();
    String filter = cur == null ? "" : cur.filterSubject();
    List<SubjectTransformConfig> transforms = cur == null ? null : cur.subjectTransforms();
    ExternalStream external = cur == null ? null : cur.external();
    StreamConsumerSource consumer = cur == null ? null : cur.consumer();
    List<RawJsonMember> unknown = cur == null ? List.of() : cur.unknown();
    r.beginObject(field);
    while (r.nextMember(field)) {
      String f = f(field, r);
      switch (r.foldedKey()) {
        case "name" -> name = r.string(f, name);
        case "opt_start_seq" -> optStartSeq = r.uint64(f, optStartSeq);
        case "opt_start_time" -> optStartTime = r.timePointer(f);
        case "filter_subject" -> filter = r.string(f, filter);
        case "subject_transforms" -> {
          if (r.tryNull()) {
            transforms = null;
          } else {
            List<SubjectTransformConfig> list = new ArrayList<>();
            r.beginArray(f);
            while (r.nextElement(f)) {
              SubjectTransformConfig t = readTransform(r, f, null, strict);
              list.add(t == null ? new SubjectTransformConfig("", "", List.of()) : t);
            }
            transforms = list;
          }
        }
        case "external" -> external = readExternal(r, f, external, strict);
        case "consumer" -> consumer = readConsumerSource(r, f, consumer, strict);
        default -> unknown = addUnknown(r, f, unknown, strict);
      }
    }
    return new StreamSource(name, optStartSeq, optStartTime, filter, transforms, external, consumer, unknown);
  }

  // ================================================================ stream config

  /** Whether Go can marshal {@code c} (else Go writes {@code null} for the embedded config). */
  static boolean encodable(StreamConfig c) {
    if (c.storage().json() == null || !timeOk(c.mirror() == null ? null : c.mirror().optStartTime())) {
      return false;
    }
    if (c.sources() != null) {
      for (StreamSource s : c.sources()) {
        if (s != null && !timeOk(s.optStartTime())) {
          return false;
        }
      }
    }
    return true;
  }

  static boolean encodable(ConsumerConfig c) {
    return timeOk(c.optStartTime()) && timeOk(c.pauseUntil());
  }

  private static boolean timeOk(OffsetDateTime t) {
    return t == null || (t.getYear() >= 0 && t.getYear() <= 9999);
  }

  static void write(GoJsonWriter w, StreamConfig c) {
    w.beginObject();
    w.str("name", c.name());
    w.strOmit("description", c.description());
    w.strListOmit("subjects", c.subjects());
    w.name("retention").value(c.retention().json());
    w.i64("max_consumers", c.maxConsumers());
    w.i64("max_msgs", c.maxMsgs());
    w.i64("max_bytes", c.maxBytes());
    w.i64("max_age", c.maxAge());
    w.i64("max_msgs_per_subject", c.maxMsgsPer());
    w.i64Omit("max_msg_size", c.maxMsgSize());
    w.name("discard").value(c.discard().json());
    storage(w, "storage", c.storage(), "stream.storage");
    w.i64("num_replicas", c.replicas());
    w.boolOmit("no_ack", c.noAck());
    w.i64Omit("duplicate_window", c.duplicates());
    if (c.placement() != null) {
      w.name("placement");
      write(w, c.placement());
    }
    if (c.mirror() != null) {
      w.name("mirror");
      write(w, c.mirror());
    }
    if (c.sources() != null && !c.sources().isEmpty()) {
      w.name("sources").beginArray();
      for (StreamSource s : c.sources()) {
        write(w, s);
      }
      w.endArray();
    }
    w.name("compression").value(c.compression().json());
    w.u64Omit("first_seq", c.firstSeq());
    if (c.subjectTransform() != null) {
      w.name("subject_transform");
      write(w, c.subjectTransform());
    }
    if (c.rePublish() != null) {
      w.name("republish");
      write(w, c.rePublish());
    }
    w.bool("allow_direct", c.allowDirect());
    w.bool("mirror_direct", c.mirrorDirect());
    w.boolOmit("discard_new_per_subject", c.discardNewPer());
    w.bool("sealed", c.sealed());
    w.bool("deny_delete", c.denyDelete());
    w.bool("deny_purge", c.denyPurge());
    w.bool("allow_rollup_hdrs", c.allowRollup());
    StreamConsumerLimits l = c.consumerLimits();
    w.name("consumer_limits").beginObject();
    w.i64Omit("inactive_threshold", l.inactiveThreshold());
    w.i64Omit("max_ack_pending", l.maxAckPending());
    writeUnknown(w, l.unknown());
    w.endObject();
    w.bool("allow_msg_ttl", c.allowMsgTtl());
    w.i64Omit("subject_delete_marker_ttl", c.subjectDeleteMarkerTtl());
    w.boolOmit("allow_msg_counter", c.allowMsgCounter());
    w.boolOmit("allow_atomic", c.allowAtomicPublish());
    w.boolOmit("allow_msg_schedules", c.allowMsgSchedules());
    if (c.persistMode().value() != 0) {
      w.name("persist_mode").value(c.persistMode().json());
    }
    w.boolOmit("allow_batched", c.allowBatchPublish());
    w.strMapOmit("metadata", c.metadata());
    writeUnknown(w, c.unknown());
    w.endObject();
  }

  static StreamConfig readStreamConfig(GoJsonReader r, String field, Strictness strict) {
    StreamConfig c = StreamConfig.empty();
    if (r.tryNull()) {
      return c;
    }
    String name = c.name();
    String description = "";
    List<String> subjects = null;
    RetentionPolicy retention = RetentionPolicy.LIMITS;
    long maxConsumers = 0;
    long maxMsgs = 0;
    long maxBytes = 0;
    long maxAge = 0;
    long maxMsgsPer = 0;
    int maxMsgSize = 0;
    DiscardPolicy discard = DiscardPolicy.OLD;
    StorageType storage = StorageType.UNSPECIFIED;
    long replicas = 0;
    boolean noAck = false;
    long duplicates = 0;
    Placement placement = null;
    StreamSource mirror = null;
    List<StreamSource> sources = null;
    StoreCompression compression = StoreCompression.NONE;
    long firstSeq = 0;
    SubjectTransformConfig subjectTransform = null;
    RePublish rePublish = null;
    boolean allowDirect = false;
    boolean mirrorDirect = false;
    boolean discardNewPer = false;
    boolean sealed = false;
    boolean denyDelete = false;
    boolean denyPurge = false;
    boolean allowRollup = false;
    StreamConsumerLimits limits = StreamConsumerLimits.NONE;
    boolean allowMsgTtl = false;
    long sdmTtl = 0;
    boolean allowMsgCounter = false;
    boolean allowAtomic = false;
    boolean allowSchedules = false;
    PersistMode persistMode = PersistMode.DEFAULT;
    boolean allowBatched = false;
    Map<String, String> metadata = null;
    List<RawJsonMember> unknown = List.of();
    r.beginObject(field);
    while (r.nextMember(field)) {
      String f = f(field, r);
      switch (r.foldedKey()) {
        case "name" -> name = r.string(f, name);
        case "description" -> description = r.string(f, description);
        case "subjects" -> subjects = r.stringList(f);
        case "retention" -> retention = retention(r, f);
        case "max_consumers" -> maxConsumers = r.integer(f, 64, maxConsumers);
        case "max_msgs" -> maxMsgs = r.integer(f, 64, maxMsgs);
        case "max_bytes" -> maxBytes = r.integer(f, 64, maxBytes);
        case "max_age" -> maxAge = r.integer(f, 64, maxAge);
        case "max_msgs_per_subject" -> maxMsgsPer = r.integer(f, 64, maxMsgsPer);
        case "max_msg_size" -> maxMsgSize = (int) r.integer(f, 32, maxMsgSize);
        case "discard" -> discard = discard(r, f);
        case "storage" -> storage = storage(r, f);
        case "num_replicas" -> replicas = r.integer(f, 64, replicas);
        case "no_ack" -> noAck = r.bool(f, noAck);
        case "duplicate_window" -> duplicates = r.integer(f, 64, duplicates);
        case "placement" -> placement = readPlacement(r, f, placement, strict);
        case "mirror" -> mirror = readSource(r, f, mirror, strict);
        case "sources" -> {
          if (r.tryNull()) {
            sources = null;
          } else {
            List<StreamSource> list = new ArrayList<>();
            r.beginArray(f);
            while (r.nextElement(f)) {
              list.add(readSource(r, f, null, strict));
            }
            sources = list;
          }
        }
        case "compression" -> compression = compression(r, f);
        case "first_seq" -> firstSeq = r.uint64(f, firstSeq);
        case "subject_transform" -> subjectTransform = r.tryNull() ? null
            : readTransform(r, f, subjectTransform, strict);
        case "republish" -> rePublish = readRePublish(r, f, rePublish, strict);
        case "allow_direct" -> allowDirect = r.bool(f, allowDirect);
        case "mirror_direct" -> mirrorDirect = r.bool(f, mirrorDirect);
        case "discard_new_per_subject" -> discardNewPer = r.bool(f, discardNewPer);
        case "sealed" -> sealed = r.bool(f, sealed);
        case "deny_delete" -> denyDelete = r.bool(f, denyDelete);
        case "deny_purge" -> denyPurge = r.bool(f, denyPurge);
        case "allow_rollup_hdrs" -> allowRollup = r.bool(f, allowRollup);
        case "consumer_limits" -> limits = readLimits(r, f, limits, strict);
        case "allow_msg_ttl" -> allowMsgTtl = r.bool(f, allowMsgTtl);
        case "subject_delete_marker_ttl" -> sdmTtl = r.integer(f, 64, sdmTtl);
        case "allow_msg_counter" -> allowMsgCounter = r.bool(f, allowMsgCounter);
        case "allow_atomic" -> allowAtomic = r.bool(f, allowAtomic);
        case "allow_msg_schedules" -> allowSchedules = r.bool(f, allowSchedules);
        case "persist_mode" -> persistMode = persistMode(r, f);
        case "allow_batched" -> allowBatched = r.bool(f, allowBatched);
        case "metadata" -> metadata = r.stringMap(f, metadata);
        default -> unknown = addUnknown(r, f, unknown, strict);
      }
    }
    return new StreamConfig(name, description, subjects, retention, maxConsumers, maxMsgs, maxBytes, maxAge,
        maxMsgsPer, maxMsgSize, discard, storage, replicas, noAck, duplicates, placement, mirror, sources,
        compression, firstSeq, subjectTransform, rePublish, allowDirect, mirrorDirect, discardNewPer, sealed,
        denyDelete, denyPurge, allowRollup, limits, allowMsgTtl, sdmTtl, allowMsgCounter, allowAtomic,
        allowSchedules, persistMode, allowBatched, metadata, unknown);
  }

  private static StreamConsumerLimits readLimits(GoJsonReader r, String field, StreamConsumerLimits cur,
      Strictness strict) {
    if (r.tryNull()) {
      return cur;
    }
    long inactive = cur.inactiveThreshold();
    long maxAckPending = cur.maxAckPending();
    List<RawJsonMember> unknown = cur.unknown();
    r.beginObject(field);
    while (r.nextMember(field)) {
      String f = f(field, r);
      switch (r.foldedKey()) {
        case "inactive_threshold" -> inactive = r.integer(f, 64, inactive);
        case "max_ack_pending" -> maxAckPending = r.integer(f, 64, maxAckPending);
        default -> unknown = addUnknown(r, f, unknown, strict);
      }
    }
    return new StreamConsumerLimits(inactive, maxAckPending, unknown);
  }

  // ================================================================ consumer config

  static void write(GoJsonWriter w, ConsumerConfig c) {
    w.beginObject();
    w.strOmit("durable_name", c.durable());
    w.strOmit("name", c.name());
    w.strOmit("description", c.description());
    w.name("deliver_policy").value(c.deliverPolicy().json());
    w.u64Omit("opt_start_seq", c.optStartSeq());
    w.timePtrOmit("opt_start_time", c.optStartTime());
    w.name("ack_policy").value(c.ackPolicy().json());
    w.i64Omit("ack_wait", c.ackWait());
    w.i64Omit("max_deliver", c.maxDeliver());
    w.i64ListOmit("backoff", c.backOff());
    w.strOmit("filter_subject", c.filterSubject());
    w.strListOmit("filter_subjects", c.filterSubjects());
    w.name("replay_policy").value(c.replayPolicy().json());
    w.u64Omit("rate_limit_bps", c.rateLimit());
    w.strOmit("sample_freq", c.sampleFrequency());
    w.i64Omit("max_waiting", c.maxWaiting());
    w.i64Omit("max_ack_pending", c.maxAckPending());
    w.boolOmit("flow_control", c.flowControl());
    w.boolOmit("headers_only", c.headersOnly());
    w.i64Omit("max_batch", c.maxRequestBatch());
    w.i64Omit("max_expires", c.maxRequestExpires());
    w.i64Omit("max_bytes", c.maxRequestMaxBytes());
    w.strOmit("deliver_subject", c.deliverSubject());
    w.strOmit("deliver_group", c.deliverGroup());
    w.i64Omit("idle_heartbeat", c.heartbeat());
    w.i64Omit("inactive_threshold", c.inactiveThreshold());
    w.i64("num_replicas", c.replicas());
    w.boolOmit("mem_storage", c.memoryStorage());
    w.boolOmit("direct", c.direct());
    w.boolOmit("sourcing", c.sourcing());
    w.strMapOmit("metadata", c.metadata());
    w.timePtrOmit("pause_until", c.pauseUntil());
    w.strListOmit("priority_groups", c.priorityGroups());
    if (c.priorityPolicy().value() != 0) {
      w.name("priority_policy").value(c.priorityPolicy().json());
    }
    w.i64Omit("priority_timeout", c.pinnedTtl());
    writeUnknown(w, c.unknown());
    w.endObject();
  }

  static ConsumerConfig readConsumerConfig(GoJsonReader r, String field, Strictness strict) {
    if (r.tryNull()) {
      return ConsumerConfig.empty();
    }
    String durable = "";
    String name = "";
    String description = "";
    DeliverPolicy deliverPolicy = DeliverPolicy.ALL;
    long optStartSeq = 0;
    OffsetDateTime optStartTime = null;
    AckPolicy ackPolicy = AckPolicy.NONE;
    long ackWait = 0;
    long maxDeliver = 0;
    List<Long> backOff = null;
    String filterSubject = "";
    List<String> filterSubjects = null;
    ReplayPolicy replayPolicy = ReplayPolicy.INSTANT;
    long rateLimit = 0;
    String sampleFreq = "";
    long maxWaiting = 0;
    long maxAckPending = 0;
    boolean flowControl = false;
    boolean headersOnly = false;
    long maxBatch = 0;
    long maxExpires = 0;
    long maxBytes = 0;
    String deliverSubject = "";
    String deliverGroup = "";
    long heartbeat = 0;
    long inactive = 0;
    long replicas = 0;
    boolean memStorage = false;
    boolean direct = false;
    boolean sourcing = false;
    Map<String, String> metadata = null;
    OffsetDateTime pauseUntil = null;
    List<String> priorityGroups = null;
    PriorityPolicy priorityPolicy = PriorityPolicy.NONE;
    long pinnedTtl = 0;
    List<RawJsonMember> unknown = List.of();
    r.beginObject(field);
    while (r.nextMember(field)) {
      String f = f(field, r);
      switch (r.foldedKey()) {
        case "durable_name" -> durable = r.string(f, durable);
        case "name" -> name = r.string(f, name);
        case "description" -> description = r.string(f, description);
        case "deliver_policy" -> deliverPolicy = deliverPolicy(r, f);
        case "opt_start_seq" -> optStartSeq = r.uint64(f, optStartSeq);
        case "opt_start_time" -> optStartTime = r.timePointer(f);
        case "ack_policy" -> ackPolicy = ackPolicy(r, f);
        case "ack_wait" -> ackWait = r.integer(f, 64, ackWait);
        case "max_deliver" -> maxDeliver = r.integer(f, 64, maxDeliver);
        case "backoff" -> backOff = r.int64List(f);
        case "filter_subject" -> filterSubject = r.string(f, filterSubject);
        case "filter_subjects" -> filterSubjects = r.stringList(f);
        case "replay_policy" -> replayPolicy = replayPolicy(r, f);
        case "rate_limit_bps" -> rateLimit = r.uint64(f, rateLimit);
        case "sample_freq" -> sampleFreq = r.string(f, sampleFreq);
        case "max_waiting" -> maxWaiting = r.integer(f, 64, maxWaiting);
        case "max_ack_pending" -> maxAckPending = r.integer(f, 64, maxAckPending);
        case "flow_control" -> flowControl = r.bool(f, flowControl);
        case "headers_only" -> headersOnly = r.bool(f, headersOnly);
        case "max_batch" -> maxBatch = r.integer(f, 64, maxBatch);
        case "max_expires" -> maxExpires = r.integer(f, 64, maxExpires);
        case "max_bytes" -> maxBytes = r.integer(f, 64, maxBytes);
        case "deliver_subject" -> deliverSubject = r.string(f, deliverSubject);
        case "deliver_group" -> deliverGroup = r.string(f, deliverGroup);
        case "idle_heartbeat" -> heartbeat = r.integer(f, 64, heartbeat);
        case "inactive_threshold" -> inactive = r.integer(f, 64, inactive);
        case "num_replicas" -> replicas = r.integer(f, 64, replicas);
        case "mem_storage" -> memStorage = r.bool(f, memStorage);
        case "direct" -> direct = r.bool(f, direct);
        case "sourcing" -> sourcing = r.bool(f, sourcing);
        case "metadata" -> metadata = r.stringMap(f, metadata);
        case "pause_until" -> pauseUntil = r.timePointer(f);
        case "priority_groups" -> priorityGroups = r.stringList(f);
        case "priority_policy" -> priorityPolicy = priorityPolicy(r, f);
        case "priority_timeout" -> pinnedTtl = r.integer(f, 64, pinnedTtl);
        default -> unknown = addUnknown(r, f, unknown, strict);
      }
    }
    return new ConsumerConfig(durable, name, description, deliverPolicy, optStartSeq, optStartTime, ackPolicy,
        ackWait, maxDeliver, backOff, filterSubject, filterSubjects, replayPolicy, rateLimit, sampleFreq,
        maxWaiting, maxAckPending, flowControl, headersOnly, maxBatch, maxExpires, maxBytes, deliverSubject,
        deliverGroup, heartbeat, inactive, replicas, memStorage, direct, sourcing, metadata, pauseUntil,
        priorityGroups, priorityPolicy, pinnedTtl, unknown);
  }

  // ================================================================ raft group

  static void write(GoJsonWriter w, RaftGroup g) {
    w.beginObject();
    w.str("name", g.name());
    w.strList("peers", g.peers());
    storage(w, "store", g.storage(), "group.store");
    w.strOmit("cluster", g.cluster());
    w.strOmit("preferred", g.preferred());
    w.boolOmit("scale_up", g.scaleUp());
    w.strListOmit("excluded", g.excluded());
    DesiredRaftGroup d = g.desired();
    if (d != null) {
      w.name("desired").beginObject();
      w.str("id", d.id());
      w.u64Omit("term", d.term());
      w.strList("peers", d.peers());
      w.strOmit("cluster", d.cluster());
      w.strOmit("preferred", d.preferred());
      w.boolOmit("scale_down", d.scaleDown());
      w.boolOmit("move", d.move());
      w.strListOmit("removed", d.removed());
      DesiredRaftGroupOrigin o = d.origin();
      if (o != null) {
        w.name("origin").beginObject();
        w.strList("peers", o.peers());
        w.strOmit("cluster", o.cluster());
        w.i64("replicas", o.replicas());
        if (o.placement() != null) {
          w.name("placement");
          write(w, o.placement());
        }
        if (o.retention() != null) {
          w.name("retention").value(o.retention().json());
        }
        w.endObject();
      }
      w.endObject();
    }
    w.endObject();
  }

  static RaftGroup readGroup(GoJsonReader r, String field, RaftGroup cur) {
    if (r.tryNull()) {
      return null;
    }
    String name = cur == null ? "" : cur.name();
    List<String> peers = cur == null ? null : cur.peers();
    StorageType storage = cur == null ? StorageType.UNSPECIFIED : cur.storage();
    String cluster = cur == null ? "" : cur.cluster();
    String preferred = cur == null ? "" : cur.preferred();
    boolean scaleUp = cur != null && cur.scaleUp();
    List<String> excluded = cur == null ? null : cur.excluded();
    DesiredRaftGroup desired = cur == null ? null : cur.desired();
    r.beginObject(field);
    while (r.nextMember(field)) {
      String f = f(field, r);
      switch (r.foldedKey()) {
        case "name" -> name = r.string(f, name);
        case "peers" -> peers = r.stringList(f);
        case "store" -> storage = storage(r, f);
        case "cluster" -> cluster = r.string(f, cluster);
        case "preferred" -> preferred = r.string(f, preferred);
        case "scale_up" -> scaleUp = r.bool(f, scaleUp);
        case "excluded" -> excluded = r.stringList(f);
        case "desired" -> desired = readDesired(r, f, desired);
        default -> r.skipValue(f);
      }
    }
    return new RaftGroup(name, peers, storage, cluster, preferred, scaleUp, excluded, desired);
  }

  private static DesiredRaftGroup readDesired(GoJsonReader r, String field, DesiredRaftGroup cur) {
    if (r.tryNull()) {
      return null;
    }
    String id = cur == null ? "" : cur.id();
    long term = cur == null ? 0 : cur.term();
    List<String> peers = cur == null ? null : cur.peers();
    String cluster = cur == null ? "" : cur.cluster();
    String preferred = cur == null ? "" : cur.preferred();
    boolean scaleDown = cur != null && cur.scaleDown();
    boolean move = cur != null && cur.move();
    List<String> removed = cur == null ? null : cur.removed();
    DesiredRaftGroupOrigin origin = cur == null ? null : cur.origin();
    r.beginObject(field);
    while (r.nextMember(field)) {
      String f = f(field, r);
      switch (r.foldedKey()) {
        case "id" -> id = r.string(f, id);
        case "term" -> term = r.uint64(f, term);
        case "peers" -> peers = r.stringList(f);
        case "cluster" -> cluster = r.string(f, cluster);
        case "preferred" -> preferred = r.string(f, preferred);
        case "scale_down" -> scaleDown = r.bool(f, scaleDown);
        case "move" -> move = r.bool(f, move);
        case "removed" -> removed = r.stringList(f);
        case "origin" -> origin = readOrigin(r, f, origin);
        default -> r.skipValue(f);
      }
    }
    return new DesiredRaftGroup(id, term, peers, cluster, preferred, scaleDown, move, removed, origin);
  }

  private static DesiredRaftGroupOrigin readOrigin(GoJsonReader r, String field, DesiredRaftGroupOrigin cur) {
    if (r.tryNull()) {
      return null;
    }
    List<String> peers = cur == null ? null : cur.peers();
    String cluster = cur == null ? "" : cur.cluster();
    long replicas = cur == null ? 0 : cur.replicas();
    Placement placement = cur == null ? null : cur.placement();
    RetentionPolicy retention = cur == null ? null : cur.retention();
    r.beginObject(field);
    while (r.nextMember(field)) {
      String f = f(field, r);
      switch (r.foldedKey()) {
        case "peers" -> peers = r.stringList(f);
        case "cluster" -> cluster = r.string(f, cluster);
        case "replicas" -> replicas = r.integer(f, 64, replicas);
        case "placement" -> placement = readPlacement(r, f, placement, null);
        case "retention" -> retention = r.tryNull() ? null : retention(r, f);
        default -> r.skipValue(f);
      }
    }
    return new DesiredRaftGroupOrigin(peers, cluster, replicas, placement, retention);
  }

  // ================================================================ states

  static void write(GoJsonWriter w, StreamState s) {
    w.beginObject();
    w.u64("messages", s.msgs());
    w.u64("bytes", s.bytes());
    w.u64("first_seq", s.firstSeq());
    w.time("first_ts", s.firstTime());
    w.u64("last_seq", s.lastSeq());
    w.time("last_ts", s.lastTime());
    w.i64Omit("num_subjects", s.numSubjects());
    w.strU64MapOmit("subjects", s.subjects());
    w.i64Omit("num_deleted", s.numDeleted());
    if (s.deleted() != null && !s.deleted().isEmpty()) {
      w.name("deleted").u64ListValue(s.deleted());
    }
    if (s.lost() != null) {
      w.name("lost").beginObject();
      w.name("msgs").u64ListValue(s.lost().msgs());
      w.u64("bytes", s.lost().bytes());
      w.endObject();
    }
    w.i64("consumer_count", s.consumers());
    w.endObject();
  }

  static StreamState readStreamState(GoJsonReader r, String field, StreamState cur) {
    if (r.tryNull()) {
      return null;
    }
    StreamState c = cur == null
        ? new StreamState(0, 0, 0, null, 0, null, 0, null, 0, null, null, 0) : cur;
    long msgs = c.msgs();
    long bytes = c.bytes();
    long firstSeq = c.firstSeq();
    OffsetDateTime firstTime = c.firstTime();
    long lastSeq = c.lastSeq();
    OffsetDateTime lastTime = c.lastTime();
    long numSubjects = c.numSubjects();
    Map<String, Long> subjects = c.subjects();
    long numDeleted = c.numDeleted();
    List<Long> deleted = c.deleted();
    StreamState.LostStreamData lost = c.lost();
    long consumers = c.consumers();
    r.beginObject(field);
    while (r.nextMember(field)) {
      String f = f(field, r);
      switch (r.foldedKey()) {
        case "messages" -> msgs = r.uint64(f, msgs);
        case "bytes" -> bytes = r.uint64(f, bytes);
        case "first_seq" -> firstSeq = r.uint64(f, firstSeq);
        case "first_ts" -> firstTime = r.time(f, firstTime);
        case "last_seq" -> lastSeq = r.uint64(f, lastSeq);
        case "last_ts" -> lastTime = r.time(f, lastTime);
        case "num_subjects" -> numSubjects = r.integer(f, 64, numSubjects);
        case "subjects" -> subjects = r.stringUint64Map(f, subjects);
        case "num_deleted" -> numDeleted = r.integer(f, 64, numDeleted);
        case "deleted" -> deleted = r.uint64List(f);
        case "lost" -> lost = readLost(r, f, lost);
        case "consumer_count" -> consumers = r.integer(f, 64, consumers);
        default -> r.skipValue(f);
      }
    }
    return new StreamState(msgs, bytes, firstSeq, firstTime, lastSeq, lastTime, numSubjects, subjects,
        numDeleted, deleted, lost, consumers);
  }

  private static StreamState.LostStreamData readLost(GoJsonReader r, String field, StreamState.LostStreamData cur) {
    if (r.tryNull()) {
      return null;
    }
    List<Long> msgs = cur == null ? null : cur.msgs();
    long bytes = cur == null ? 0 : cur.bytes();
    r.beginObject(field);
    while (r.nextMember(field)) {
      String f = f(field, r);
      switch (r.foldedKey()) {
        case "msgs" -> msgs = r.uint64List(f);
        case "bytes" -> bytes = r.uint64(f, bytes);
        default -> r.skipValue(f);
      }
    }
    return new StreamState.LostStreamData(msgs, bytes);
  }

  static void write(GoJsonWriter w, ConsumerState s) {
    w.beginObject();
    w.name("delivered");
    write(w, s.delivered());
    w.name("ack_floor");
    write(w, s.ackFloor());
    if (s.pending() != null && !s.pending().isEmpty()) {
      Map<String, ConsumerState.Pending> byKey = new LinkedHashMap<>();
      s.pending().forEach((k, v) -> byKey.put(Long.toUnsignedString(k), v));
      w.name("pending").beginObject();
      for (String k : GoJsonWriter.sortedKeys(byKey.keySet())) {
        ConsumerState.Pending p = byKey.get(k);
        w.name(k);
        if (p == null) {
          w.nullValue();
        } else {
          w.beginObject().u64("Sequence", p.sequence()).i64("Timestamp", p.timestamp()).endObject();
        }
      }
      w.endObject();
    }
    if (s.redelivered() != null && !s.redelivered().isEmpty()) {
      Map<String, Long> byKey = new LinkedHashMap<>();
      s.redelivered().forEach((k, v) -> byKey.put(Long.toUnsignedString(k), v));
      w.strU64MapOmit("redelivered", byKey);
    }
    w.endObject();
  }

  private static void write(GoJsonWriter w, ConsumerState.SequencePair p) {
    w.beginObject().u64("consumer_seq", p.consumer()).u64("stream_seq", p.stream()).endObject();
  }

  static ConsumerState readConsumerState(GoJsonReader r, String field, ConsumerState cur) {
    if (r.tryNull()) {
      return null;
    }
    ConsumerState.SequencePair delivered = cur == null ? null : cur.delivered();
    ConsumerState.SequencePair ackFloor = cur == null ? null : cur.ackFloor();
    Map<Long, ConsumerState.Pending> pending = cur == null ? null : cur.pending();
    Map<Long, Long> redelivered = cur == null ? null : cur.redelivered();
    r.beginObject(field);
    while (r.nextMember(field)) {
      String f = f(field, r);
      switch (r.foldedKey()) {
        case "delivered" -> delivered = readPair(r, f, delivered);
        case "ack_floor" -> ackFloor = readPair(r, f, ackFloor);
        case "pending" -> {
          if (r.tryNull()) {
            pending = null;
          } else {
            Map<Long, ConsumerState.Pending> m = pending == null ? new LinkedHashMap<>() : new LinkedHashMap<>(pending);
            r.beginObject(f);
            while (r.nextMember(f)) {
              long key = r.uint64Key(f);
              m.put(key, readPending(r, f + "." + Long.toUnsignedString(key)));
            }
            pending = Collections.unmodifiableMap(m);
          }
        }
        case "redelivered" -> {
          if (r.tryNull()) {
            redelivered = null;
          } else {
            Map<Long, Long> m = redelivered == null ? new LinkedHashMap<>() : new LinkedHashMap<>(redelivered);
            r.beginObject(f);
            while (r.nextMember(f)) {
              long key = r.uint64Key(f);
              m.put(key, r.uint64(f, 0));
            }
            redelivered = Collections.unmodifiableMap(m);
          }
        }
        default -> r.skipValue(f);
      }
    }
    return new ConsumerState(delivered, ackFloor, pending, redelivered);
  }

  private static ConsumerState.SequencePair readPair(GoJsonReader r, String field, ConsumerState.SequencePair cur) {
    if (r.tryNull()) {
      return cur;
    }
    long consumer = cur == null ? 0 : cur.consumer();
    long stream = cur == null ? 0 : cur.stream();
    r.beginObject(field);
    while (r.nextMember(field)) {
      String f = f(field, r);
      switch (r.foldedKey()) {
        case "consumer_seq" -> consumer = r.uint64(f, consumer);
        case "stream_seq" -> stream = r.uint64(f, stream);
        default -> r.skipValue(f);
      }
    }
    return new ConsumerState.SequencePair(consumer, stream);
  }

  private static ConsumerState.Pending readPending(GoJsonReader r, String field) {
    if (r.tryNull()) {
      return null;
    }
    long seq = 0;
    long ts = 0;
    // A map element is decoded into a fresh value in Go, so the current one is not merged.
    r.beginObject(field);
    while (r.nextMember(field)) {
      String f = f(field, r);
      switch (r.foldedKey()) {
        case "sequence" -> seq = r.uint64(f, seq);
        case "timestamp" -> ts = r.integer(f, 64, ts);
        default -> r.skipValue(f);
      }
    }
    return new ConsumerState.Pending(seq, ts);
  }
}
