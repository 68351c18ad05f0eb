package io.jscluster.codec.meta;

import io.jscluster.codec.json.RawJsonMember;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * A consumer's configuration (Go {@code ConsumerConfig}), the JSON embedded as {@code consumer}
 * in a consumer assignment. Components follow Go's field order. Go {@code int} is {@code long};
 * uint64 values are {@code long} bits; durations are nanoseconds. Null strings become "", null
 * enums their Go zero value; lists, maps and times may be null (nil).
 *
 * <p>{@code unknown} holds members this version does not model, in input order, written back
 * after the known members; a config that has any decodes as unsupported.
 *
 * @param durable {@code durable_name}
 * @param name {@code name}
 * @param description {@code description}
 * @param deliverPolicy {@code deliver_policy}
 * @param optStartSeq {@code opt_start_seq}
 * @param optStartTime {@code opt_start_time}, or null
 * @param ackPolicy {@code ack_policy}
 * @param ackWait {@code ack_wait} (ns)
 * @param maxDeliver {@code max_deliver}
 * @param backOff {@code backoff} (ns each), or null
 * @param filterSubject {@code filter_subject}
 * @param filterSubjects {@code filter_subjects}, or null
 * @param replayPolicy {@code replay_policy}
 * @param rateLimit {@code rate_limit_bps} (uint64 bits)
 * @param sampleFrequency {@code sample_freq}
 * @param maxWaiting {@code max_waiting}
 * @param maxAckPending {@code max_ack_pending}
 * @param flowControl {@code flow_control}
 * @param headersOnly {@code headers_only}
 * @param maxRequestBatch {@code max_batch}
 * @param maxRequestExpires {@code max_expires} (ns)
 * @param maxRequestMaxBytes {@code max_bytes}
 * @param deliverSubject {@code deliver_subject}
 * @param deliverGroup {@code deliver_group}
 * @param heartbeat {@code idle_heartbeat} (ns)
 * @param inactiveThreshold {@code inactive_threshold} (ns)
 * @param replicas {@code num_replicas}
 * @param memoryStorage {@code mem_storage}
 * @param direct {@code direct}
 * @param sourcing {@code sourcing}
 * @param metadata {@code metadata}, or null
 * @param pauseUntil {@code pause_until}, or null
 * @param priorityGroups {@code priority_groups}, or null
 * @param priorityPolicy {@code priority_policy}
 * @param pinnedTtl {@code priority_timeout} (ns)
 * @param unknown unmodelled members, in input order
 */
public record ConsumerConfig(
    String durable,
    String name,
    String description,
    DeliverPolicy deliverPolicy,
    long optStartSeq,
    OffsetDateTime optStartTime,
    AckPolicy ackPolicy,
    long ackWait,
    long maxDeliver,
    List<Long> backOff,
    String filterSubject,
    List<String> filterSubjects,
    ReplayPolicy replayPolicy,
    long rateLimit,
    String sampleFrequency,
    long maxWaiting,
    long maxAckPending,
    boolean flowControl,
    boolean headersOnly,
    long maxRequestBatch,
    long maxRequestExpires,
    long maxRequestMaxBytes,
    String deliverSubject,
    String deliverGroup,
    long heartbeat,
    long inactiveThreshold,
    long replicas,
    boolean memoryStorage,
    boolean direct,
    boolean sourcing,
    Map<String, String> metadata,
    OffsetDateTime pauseUntil,
    List<String> priorityGroups,
    PriorityPolicy priorityPolicy,
    long pinnedTtl,
    List<RawJsonMember> unknown) {

  /** Normalises nulls and copies collections. */
  public ConsumerConfig {
    durable = Values.str(durable);
    name = Values.str(name);
    description = Values.str(description);
    deliverPolicy = deliverPolicy == null ? DeliverPolicy.ALL : deliverPolicy;
    ackPolicy = ackPolicy == null ? AckPolicy.NONE : ackPolicy;
    backOff = Values.list(backOff);
    filterSubject = Values.str(filterSubject);
    filterSubjects = Values.list(filterSubjects);
    replayPolicy = replayPolicy == null ? ReplayPolicy.INSTANT : replayPolicy;
    sampleFrequency = Values.str(sampleFrequency);
    deliverSubject = Values.str(deliverSubject);
    deliverGroup = Values.str(deliverGroup);
    metadata = Values.map(metadata);
    priorityGroups = Values.list(priorityGroups);
    priorityPolicy = priorityPolicy == null ? PriorityPolicy.NONE : priorityPolicy;
    unknown = Values.members(unknown);
  }

  /** Go's zero {@code ConsumerConfig} (what a {@code null} config JSON decodes to). */
  public static ConsumerConfig empty() {
    return new ConsumerConfig("", "", "", null, 0, null, null, 0, 0, null, "", null, null, 0, "", 0, 0, false,
        false, 0, 0, 0, "", "", 0, 0, 0, false, false, false, null, null, null, null, 0, null);
  }
}
