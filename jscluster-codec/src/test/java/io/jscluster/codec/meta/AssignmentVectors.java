package io.jscluster.codec.meta;

import static io.jscluster.codec.meta.VectorValues.bool;
import static io.jscluster.codec.meta.VectorValues.client;
import static io.jscluster.codec.meta.VectorValues.list;
import static io.jscluster.codec.meta.VectorValues.map;
import static io.jscluster.codec.meta.VectorValues.num;
import static io.jscluster.codec.meta.VectorValues.str;
import static io.jscluster.codec.meta.VectorValues.strs;
import static io.jscluster.codec.meta.VectorValues.time;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds assignment records from golden-vector {@code fields} (Go field names). */
final class AssignmentVectors {

  private AssignmentVectors() {}

  static boolean isNull(JsonNode n) {
    return n == null || n.isNull();
  }

  static StreamAssignment stream(JsonNode n) {
    return new StreamAssignment(client(n.get("Client")), time(n.get("Created")), streamConfig(n.get("Config")),
        group(n.get("Group")), str(n.get("Sync")), str(n.get("Subject")), str(n.get("Reply")),
        streamState(n.get("Restore")));
  }

  static ConsumerAssignment consumer(JsonNode n) {
    return new ConsumerAssignment(client(n.get("Client")), time(n.get("Created")), str(n.get("Name")),
        str(n.get("Stream")), consumerConfig(n.get("Config")), group(n.get("Group")), str(n.get("Subject")),
        str(n.get("Reply")), consumerState(n.get("State")));
  }

  static RaftGroup group(JsonNode n) {
    if (isNull(n)) {
      return null;
    }
    JsonNode d = n.get("Desired");
    DesiredRaftGroup desired = null;
    if (!isNull(d)) {
      JsonNode o = d.get("Origin");
      DesiredRaftGroupOrigin origin = isNull(o) ? null : new DesiredRaftGroupOrigin(strs(o.get("Peers")),
          str(o.get("Cluster")), num(o.get("Replicas")), placement(o.get("Placement")),
          isNull(o.get("Retention")) ? null : RetentionPolicy.ofValue(o.get("Retention").asInt()));
      desired = new DesiredRaftGroup(str(d.get("ID")), num(d.get("Term")), strs(d.get("Peers")),
          str(d.get("Cluster")), str(d.get("Preferred")), bool(d.get("ScaleDown")), bool(d.get("Move")),
          strs(d.get("Removed")), origin);
    }
    return new RaftGroup(str(n.get("Name")), strs(n.get("Peers")), StorageType.ofValue(n.get("Storage").asInt()),
        str(n.get("Cluster")), str(n.get("Preferred")), bool(n.get("ScaleUp")), strs(n.get("Excluded")), desired);
  }

  static Placement placement(JsonNode n) {
    return isNull(n) ? null : new Placement(str(n.get("Cluster")), strs(n.get("Tags")), str(n.get("Preferred")), null);
  }

  static SubjectTransformConfig transform(JsonNode n) {
    return isNull(n) ? null : new SubjectTransformConfig(str(n.get("Source")), str(n.get("Destination")), null);
  }

  static StreamSource source(JsonNode n) {
    if (isNull(n)) {
      return null;
    }
    JsonNode e = n.get("External");
    JsonNode c = n.get("Consumer");
    return new StreamSource(str(n.get("Name")), num(n.get("OptStartSeq")), time(n.get("OptStartTime")),
        str(n.get("FilterSubject")), list(n.get("SubjectTransforms"), AssignmentVectors::transform),
        isNull(e) ? null : new ExternalStream(str(e.get("ApiPrefix")), str(e.get("DeliverPrefix")), null),
        isNull(c) ? null : new StreamConsumerSource(str(c.get("Name")), str(c.get("DeliverSubject")), null), null);
  }

  static StreamConfig streamConfig(JsonNode n) {
    if (isNull(n)) {
      return null;
    }
    JsonNode rp = n.get("RePublish");
    JsonNode cl = n.get("ConsumerLimits");
    return new StreamConfig(str(n.get("Name")), str(n.get("Description")), strs(n.get("Subjects")),
        RetentionPolicy.ofValue(n.get("Retention").asInt()), num(n.get("MaxConsumers")), num(n.get("MaxMsgs")),
        num(n.get("MaxBytes")), num(n.get("MaxAge")), num(n.get("MaxMsgsPer")), (int) num(n.get("MaxMsgSize")),
        DiscardPolicy.ofValue(n.get("Discard").asInt()), StorageType.ofValue(n.get("Storage").asInt()),
        num(n.get("Replicas")), bool(n.get("NoAck")), num(n.get("Duplicates")), placement(n.get("Placement")),
        source(n.get("Mirror")), list(n.get("Sources"), AssignmentVectors::source),
        StoreCompression.ofValue(n.get("Compression").asInt()), num(n.get("FirstSeq")),
        transform(n.get("SubjectTransform")),
        isNull(rp) ? null : new RePublish(str(rp.get("Source")), str(rp.get("Destination")),
            bool(rp.get("HeadersOnly")), null),
        bool(n.get("AllowDirect")), bool(n.get("MirrorDirect")), bool(n.get("DiscardNewPer")),
        bool(n.get("Sealed")), bool(n.get("DenyDelete")), bool(n.get("DenyPurge")), bool(n.get("AllowRollup")),
        new StreamConsumerLimits(num(cl.get("InactiveThreshold")), num(cl.get("MaxAckPending")), null),
        bool(n.get("AllowMsgTTL")), num(n.get("SubjectDeleteMarkerTTL")), bool(n.get("AllowMsgCounter")),
        bool(n.get("AllowAtomicPublish")), bool(n.get("AllowMsgSchedules")),
        PersistMode.ofValue(n.get("PersistMode").asInt()), bool(n.get("AllowBatchPublish")),
        map(n.get("Metadata"), VectorValues::str), null);
  }

  static ConsumerConfig consumerConfig(JsonNode n) {
    if (isNull(n)) {
      return null;
    }
    return new ConsumerConfig(str(n.get("Durable")), str(n.get("Name")), str(n.get("Description")),
        DeliverPolicy.ofValue(n.get("DeliverPolicy").asInt()), num(n.get("OptStartSeq")), time(n.get("OptStartTime")),
        AckPolicy.ofValue(n.get("AckPolicy").asInt()), num(n.get("AckWait")), num(n.get("MaxDeliver")),
        list(n.get("BackOff"), VectorValues::num), str(n.get("FilterSubject")), strs(n.get("FilterSubjects")),
        ReplayPolicy.ofValue(n.get("ReplayPolicy").asInt()), num(n.get("RateLimit")), str(n.get("SampleFrequency")),
        num(n.get("MaxWaiting")), num(n.get("MaxAckPending")), bool(n.get("FlowControl")), bool(n.get("HeadersOnly")),
        num(n.get("MaxRequestBatch")), num(n.get("MaxRequestExpires")), num(n.get("MaxRequestMaxBytes")),
        str(n.get("DeliverSubject")), str(n.get("DeliverGroup")), num(n.get("Heartbeat")),
        num(n.get("InactiveThreshold")), num(n.get("Replicas")), bool(n.get("MemoryStorage")), bool(n.get("Direct")),
        bool(n.get("Sourcing")), map(n.get("Metadata"), VectorValues::str), time(n.get("PauseUntil")),
        strs(n.get("PriorityGroups")), PriorityPolicy.ofValue(n.get("PriorityPolicy").asInt()),
        num(n.get("PinnedTTL")), null);
  }

  static StreamState streamState(JsonNode n) {
    if (isNull(n)) {
      return null;
    }
    JsonNode lost = n.get("Lost");
    return new StreamState(num(n.get("Msgs")), num(n.get("Bytes")), num(n.get("FirstSeq")), time(n.get("FirstTime")),
        num(n.get("LastSeq")), time(n.get("LastTime")), num(n.get("NumSubjects")),
        map(n.get("Subjects"), VectorValues::num), num(n.get("NumDeleted")), list(n.get("Deleted"), VectorValues::num),
        isNull(lost) ? null : new StreamState.LostStreamData(list(lost.get("Msgs"), VectorValues::num),
            num(lost.get("Bytes"))),
        num(n.get("Consumers")));
  }

  static ConsumerState consumerState(JsonNode n) {
    if (isNull(n)) {
      return null;
    }
    return new ConsumerState(pair(n.get("Delivered")), pair(n.get("AckFloor")),
        seqMap(n.get("Pending"), p -> isNull(p) ? null
            : new ConsumerState.Pending(num(p.get("Sequence")), num(p.get("Timestamp")))),
        seqMap(n.get("Redelivered"), VectorValues::num));
  }

  private static ConsumerState.SequencePair pair(JsonNode n) {
    return new ConsumerState.SequencePair(num(n.get("Consumer")), num(n.get("Stream")));
  }

  private static <T> Map<Long, T> seqMap(JsonNode n, java.util.function.Function<JsonNode, T> f) {
    if (isNull(n)) {
      return null;
    }
    Map<Long, T> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      out.put(new BigInteger(e.getKey()).longValue(), f.apply(e.getValue()));
    }
    return out;
  }

  /** The config without unmodelled members, for comparing with vectors that cannot show them. */
  static StreamConfig withoutUnknown(StreamConfig c) {
    if (c == null) {
      return null;
    }
    return new StreamConfig(c.name(), c.description(), c.subjects(), c.retention(), c.maxConsumers(), c.maxMsgs(),
        c.maxBytes(), c.maxAge(), c.maxMsgsPer(), c.maxMsgSize(), c.discard(), c.storage(), c.replicas(), c.noAck(),
        c.duplicates(), c.placement(), c.mirror(), c.sources(), c.compression(), c.firstSeq(), c.subjectTransform(),
        c.rePublish(), c.allowDirect(), c.mirrorDirect(), c.discardNewPer(), c.sealed(), c.denyDelete(),
        c.denyPurge(), c.allowRollup(), c.consumerLimits(), c.allowMsgTtl(), c.subjectDeleteMarkerTtl(),
        c.allowMsgCounter(), c.allowAtomicPublish(), c.allowMsgSchedules(), c.persistMode(),
        c.allowBatchPublish(), c.metadata(), List.of());
  }

  /** The config without unmodelled top-level members. */
  static ConsumerConfig withoutUnknown(ConsumerConfig c) {
    if (c == null) {
      return null;
    }
    return new ConsumerConfig(c.durable(), c.name(), c.description(), c.deliverPolicy(), c.optStartSeq(),
        c.optStartTime(), c.ackPolicy(), c.ackWait(), c.maxDeliver(), c.backOff(), c.filterSubject(),
        c.filterSubjects(), c.replayPolicy(), c.rateLimit(), c.sampleFrequency(), c.maxWaiting(),
        c.maxAckPending(), c.flowControl(), c.headersOnly(), c.maxRequestBatch(), c.maxRequestExpires(),
        c.maxRequestMaxBytes(), c.deliverSubject(), c.deliverGroup(), c.heartbeat(), c.inactiveThreshold(),
        c.replicas(), c.memoryStorage(), c.direct(), c.sourcing(), c.metadata(), c.pauseUntil(),
        c.priorityGroups(), c.priorityPolicy(), c.pinnedTtl(), List.of());
  }
}
