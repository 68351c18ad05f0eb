package io.jscluster.codec.meta;

import io.jscluster.codec.json.RawJsonMember;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/** Fully populated sample records for tests that must not depend on the vectors folder. */
final class MetaSamples {

  private MetaSamples() {}

  static final OffsetDateTime T1 = OffsetDateTime.of(2024, 6, 1, 8, 0, 0, 500, ZoneOffset.ofHoursMinutes(5, 30));

  static ClientInfo client() {
    return new ClientInfo(T1, "127.0.0.1", 42, "ACME", "ACME", "alice", "svc \u6ce8\u6587", "go", "1.51.0", 1234567,
        "SRV", "east", List.of("west"), T1, "jwt", "issuer", "tag", List.of("blue"), "Client", "nats", "",
        "nonce", "_INBOX.r");
  }

  static RaftGroup group() {
    DesiredRaftGroupOrigin origin = new DesiredRaftGroupOrigin(List.of("p1"), "east", 1,
        new Placement("east", List.of("t1"), "", null), RetentionPolicy.WORK_QUEUE);
    DesiredRaftGroup desired = new DesiredRaftGroup("d1", 7, List.of("p1", "p2"), "west", "p2", true, true,
        List.of("gone"), origin);
    return new RaftGroup("S-R3F-x", List.of("p1", "p2", "p3"), StorageType.MEMORY, "east", "p1", true,
        List.of("ex"), desired);
  }

  static StreamConfig streamConfig() {
    StreamSource src = new StreamSource("SRC", 100, T1, "orders.>",
        List.of(new SubjectTransformConfig("a.*", "b.{{wildcard(1)}}", null)),
        new ExternalStream("$JS.hub.API", "deliver.hub", null), new StreamConsumerSource("c", "d", null), null);
    return new StreamConfig("ORDERS", "desc <&>", List.of("orders.>"), RetentionPolicy.INTEREST, 128, 1000, -1,
        259200000000000L, 10, 1024, DiscardPolicy.NEW, StorageType.FILE, 3, true, 120000000000L,
        new Placement("east", List.of("ssd"), "p1", null), null, List.of(src), StoreCompression.S2, -1,
        new SubjectTransformConfig("orders.>", "tx.>", null), new RePublish(">", "repub.>", true, null), true, false,
        true, false, true, true, true, new StreamConsumerLimits(30000000000L, 1000, null), true, 900000000000L, true,
        true, true, PersistMode.ASYNC, true, Map.of("_nats.req.level", "1", "owner", "team"),
        List.of(RawJsonMember.of("future_option", "{\"x\":[1,2]}")));
  }

  static StreamAssignment streamAssignment() {
    StreamState restore = new StreamState(10, 1234, 5, T1, 16, T1, 3, Map.of("a", 7L, "b", 2L), 2, List.of(7L, 9L),
        new StreamState.LostStreamData(List.of(3L, 4L), 99), 2);
    return new StreamAssignment(client(), T1, streamConfig(), group(), "$JSC.SYNC.x", "subj", "rep", restore);
  }

  static ConsumerConfig consumerConfig() {
    return new ConsumerConfig("dur", "dur", "d", DeliverPolicy.BY_START_TIME, 5, T1, AckPolicy.EXPLICIT, 30000000000L,
        20, List.of(1000000000L, 0L), "", List.of("a", "b"), ReplayPolicy.ORIGINAL, -1, "30%", 512, 1000, true,
        true, 100, 10000000000L, 1048576, "deliver", "grp", 5000000000L, 3600000000000L, 3, true, false, true,
        Map.of("a", "b"), T1, List.of("jobs"), PriorityPolicy.PINNED_CLIENT, 120000000000L, null);
  }

  static ConsumerAssignment consumerAssignment() {
    ConsumerState state = new ConsumerState(new ConsumerState.SequencePair(120, 125),
        new ConsumerState.SequencePair(100, 105),
        Map.of(10L, new ConsumerState.Pending(102, -1), 9L, new ConsumerState.Pending(101, 17)),
        Map.of(1000L, -1L, 9L, 2L));
    return new ConsumerAssignment(client(), T1, "dur", "ORDERS", consumerConfig(), group(), "s", "r", state);
  }
}
