package io.jscluster.core.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jscluster.codec.CodecException;
import io.jscluster.codec.meta.DecodedAssignment;
import io.jscluster.codec.meta.RaftGroup;
import io.jscluster.codec.meta.StorageType;
import io.jscluster.codec.meta.StreamAssignment;
import io.jscluster.codec.s2.S2Block;
import io.jscluster.core.StreamConfigs;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetaSnapshotCodecTest {

  static StreamAssignment sa(String name, int r) {
    RaftGroup g = new RaftGroup("S-R" + r + "F-" + name, List.of("aaaaaaaa", "bbbbbbbb", "cccccccc").subList(0, r),
        StorageType.FILE, "", "", false, null, null);
    return new StreamAssignment(null, OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 500_000_000, ZoneOffset.UTC),
        StreamConfigs.builder(name).subjects(name.toLowerCase()).replicas(r).build(), g, "$JSC.SYNC.abcdefgh",
        "", "", null);
  }

  @Test
  void roundTripsInGoShape() {
    List<StreamAssignment> in = List.of(sa("A", 3), sa("B", 1));
    byte[] snap = MetaSnapshotCodec.encode(in);
    String json = new String(S2Block.decode(snap, 1 << 20), StandardCharsets.UTF_8);
    assertThat(json).startsWith("[{\"created\":\"2026-01-01T00:00:00.5Z\",\"stream\":{\"name\":\"A\"")
        .contains(",\"group\":{\"name\":\"S-R3F-A\"", ",\"sync\":\"$JSC.SYNC.abcdefgh\",\"Consumers\":[]}")
        .endsWith("\"Consumers\":[]}]");
    List<DecodedAssignment<StreamAssignment>> out = MetaSnapshotCodec.decode(snap);
    assertThat(out).extracting(DecodedAssignment::assignment).containsExactlyElementsOf(in);
    assertThat(out).allMatch(d -> !d.unsupported());
  }

  @Test
  void emptyTableIsAnEmptySnapshotAndDamageIsRejected() {
    assertThat(MetaSnapshotCodec.encode(List.of())).isEmpty();
    assertThat(MetaSnapshotCodec.decode(new byte[0])).isEmpty();
    byte[] snap = MetaSnapshotCodec.encode(List.of(sa("A", 3)));
    byte[] cut = java.util.Arrays.copyOf(snap, snap.length / 2);
    assertThatThrownBy(() -> MetaSnapshotCodec.decode(cut)).isInstanceOf(CodecException.class);
    byte[] notJson = S2Block.encode("[{\"created\":".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> MetaSnapshotCodec.decode(notJson)).isInstanceOf(CodecException.class);
  }
}
