package io.jscluster.codec.ops;

import io.jscluster.codec.json.HostileInputs;
import io.jscluster.codec.meta.ClientInfo;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hostile bytes into the stream-op decoders: only CodecException may come out. */
class OpsHostileInputTest {

  static final ClientInfo CLIENT = new ClientInfo(
      OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 600, ZoneOffset.ofHoursMinutes(5, 30)), "h", 42, "ACME", "SVC",
      "u", "n\u00e9", "go", "1.0", 123, "S", "c", List.of("a", "b"), null, "jwt", "ik", "tag",
      List.of("t"), "Client", "nats", "", "nonce", "r<>");

  @Test
  void deleteRange() {
    HostileInputs.run("DeleteRangeCodec", List.of(
        DeleteRangeCodec.encode(new DeleteRange(-1, 5)),
        DeleteRangeCodec.encode(new DeleteRange(1001, 250))), DeleteRangeCodec::decode);
  }

  @Test
  void streamPurge() {
    HostileInputs.run("StreamPurgeCodec", List.of(
        StreamPurgeCodec.encode(new StreamPurge(CLIENT, "S", -1, "sub", "rep", new PurgeRequest(5, "a.>", 7))),
        StreamPurgeCodec.encode(new StreamPurge(null, "", 0, "", "", null))), StreamPurgeCodec::decode);
  }

  @Test
  void msgDelete() {
    HostileInputs.run("MsgDeleteCodec", List.of(
        MsgDeleteCodec.encode(new MsgDelete(CLIENT, "S\u2028", 9, true, "s", "r"))), MsgDeleteCodec::decode);
  }

  @Test
  void streamSyncRequest() {
    HostileInputs.run("StreamSyncRequestCodec", List.of(
        StreamSyncRequestCodec.encode(new StreamSyncRequest("abcd1234", 1, -1, true, 77))),
        StreamSyncRequestCodec::decode);
  }
}
