package io.jscluster.codec.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jscluster.codec.CodecException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SequenceSetTest {

  @Test
  void randomOpsMatchATreeSetAndKeepTheTreeBalanced() {
    long seed = 0x5eedL;
    System.out.println("SequenceSetTest seed=" + seed);
    SplittableRandom r = new SplittableRandom(seed);
    SequenceSet ss = new SequenceSet();
    TreeSet<Long> ref = new TreeSet<>();
    for (int i = 0; i < 200_000; i++) {
      long seq = r.nextLong(300_000);
      if (r.nextInt(3) == 0) {
        assertThat(ss.delete(seq)).isEqualTo(ref.remove(seq));
      } else {
        ss.insert(seq);
        ref.add(seq);
      }
    }
    assertThat(ss.size()).isEqualTo(ref.size());
    assertThat(ss.min()).isEqualTo(ref.first());
    assertThat(ss.max()).isEqualTo(ref.last());
    List<Long> members = new ArrayList<>();
    ss.forEach(members::add);
    assertThat(members).containsExactlyElementsOf(ref);
    for (int i = 0; i < 1000; i++) {
      long seq = r.nextLong(300_000);
      assertThat(ss.contains(seq)).isEqualTo(ref.contains(seq));
    }
    // Height <= 1.44 log2(n + 2) for an AVL tree: proves rebalancing kept it balanced.
    int height = ss.nodeSummary().get(0)[1] > 0 ? (int) ss.nodeSummary().get(0)[1] : 0;
    assertThat(height).isLessThanOrEqualTo((int) (1.45 * (Math.log(ss.nodes() + 2) / Math.log(2))));

    SequenceSet back = SequenceSet.decode(ss.encode()).set();
    List<Long> decoded = new ArrayList<>();
    back.forEach(decoded::add);
    assertThat(decoded).containsExactlyElementsOf(ref);
    assertThat(back.encode()).isEqualTo(ss.encode());
  }

  @Test
  void insertRangeLeavesTheTreeOfOneByOneInserts() {
    long seed = 0x7a96eL;
    System.out.println("SequenceSetTest.insertRange seed=" + seed);
    SplittableRandom r = new SplittableRandom(seed);
    for (int run = 0; run < 40; run++) {
      SequenceSet bulk = new SequenceSet();
      SequenceSet one = new SequenceSet();
      if (r.nextInt(4) == 0) {
        // An unaligned seeded root overlaps the aligned nodes created after it.
        long min = 1 + r.nextLong(5_000);
        bulk.setInitialMin(min);
        one.setInitialMin(min);
      }
      for (int op = 0; op < 60; op++) {
        int kind = r.nextInt(10);
        long at = r.nextLong(40_000);
        if (kind < 5) {
          long len = r.nextInt(3) == 0 ? 1 + r.nextInt(10) : 1 + r.nextInt(9_000);
          bulk.insertRange(at, at + len - 1);
          for (long q = at; q < at + len; q++) {
            one.insert(q);
          }
        } else if (kind < 8) {
          for (int k = 0; k < 50; k++) {
            long q = r.nextLong(40_000);
            assertThat(bulk.delete(q)).isEqualTo(one.delete(q));
          }
        } else {
          bulk.insert(at);
          one.insert(at);
        }
        assertThat(bulk.size()).as("run %d op %d", run, op).isEqualTo(one.size());
        assertThat(bulk.nodes()).isEqualTo(one.nodes());
        assertThat(bulk.encode()).as("run %d op %d", run, op).isEqualTo(one.encode());
      }
    }
  }

  @Test
  void insertRangeOfAHundredMillionTouchesNodesNotSequences() {
    SequenceSet ss = new SequenceSet();
    ss.insert(5);
    ss.insertRange(7, 100_000_006L);
    assertThat(ss.size()).isEqualTo(100_000_001L);
    assertThat(ss.nodes()).isEqualTo((int) (100_000_006L / 2048 + 1));
    assertThat(ss.contains(6)).isFalse();
    assertThat(ss.contains(100_000_006L)).isTrue();
    assertThat(ss.contains(100_000_007L)).isFalse();
    assertThat(ss.max()).isEqualTo(100_000_006L);
    assertThatThrownBy(() -> ss.insertRange(9, 8)).isInstanceOf(IllegalArgumentException.class);
    // At the top of the unsigned range a node's end wraps as in Go: still what one-by-one inserts leave.
    SequenceSet top = new SequenceSet();
    top.insertRange(-3L, -1L);
    SequenceSet topOne = new SequenceSet();
    for (long q = -3L; q != 0; q++) {
      topOne.insert(q);
    }
    assertThat(top.encode()).isEqualTo(topOne.encode());
  }

  @Test
  void copyUnionAndSameMembers() {
    SequenceSet a = new SequenceSet();
    for (long s = 1; s < 5000; s += 3) {
      a.insert(s);
    }
    SequenceSet c = a.copy();
    assertThat(c.encode()).isEqualTo(a.encode());
    c.insert(2);
    assertThat(a.contains(2)).isFalse();
    assertThat(c.sameMembers(a)).isFalse();
    SequenceSet b = new SequenceSet();
    b.insert(2);
    a.addAll(b);
    assertThat(a.sameMembers(c)).isTrue();
    assertThat(new SequenceSet().sameMembers(new SequenceSet())).isTrue();
  }

  @Test
  void encodeIntoByteBufMatchesArrayEncoding() {
    SequenceSet ss = new SequenceSet();
    for (long s = 1; s < 100_000; s += 7) {
      ss.insert(s);
    }
    ByteBuf buf = Unpooled.buffer();
    try {
      ss.encode(buf);
      byte[] b = new byte[buf.readableBytes()];
      buf.readBytes(b);
      assertThat(b).isEqualTo(ss.encode());
    } finally {
      buf.release();
    }
  }

  @Test
  void rejectsDegenerateDecodedTree() {
    // 70 nodes with ascending bases would form a 70-deep chain; no AVL tree is that deep.
    int nodes = 70;
    byte[] buf = new byte[10 + nodes * 266];
    buf[0] = 22;
    buf[1] = 2;
    Le.putInt(buf, 2, nodes);
    for (int i = 0; i < nodes; i++) {
      Le.putLong(buf, 10 + i * 266, i * 2048L);
      Le.putShort(buf, 10 + i * 266 + 264, 1);
    }
    assertThatThrownBy(() -> SequenceSet.decode(buf)).isInstanceOf(CodecException.class);
  }

  @Test
  void oneMillionInteriorDeletesEncodeAndDecode() {
    // A store with 2M sequences of which every other one is deleted.
    SequenceSet deletes = new SequenceSet();
    for (long s = 2; s <= 2_000_000; s += 2) {
      deletes.insert(s);
    }
    assertThat(deletes.size()).isEqualTo(1_000_000);
    StreamReplicatedState st =
        new StreamReplicatedState(
            1_000_000, 123_456_789, 1, 2_000_001, 0, List.of(deletes), Map.of());
    long numDeleted = StreamStateCodec.fileStoreNumDeleted(1, 2_000_001, 1_000_000);
    assertThat(numDeleted).isEqualTo(1_000_001);
    byte[] enc = StreamStateCodec.encode(st, numDeleted, false);
    assertThat(enc.length).isEqualTo(StreamStateCodec.encodedLength(st, numDeleted, false));
    StreamReplicatedState back = StreamStateCodec.decode(enc);
    assertThat(back.numDeleted()).isEqualTo(1_000_000);
    assertThat(((SequenceSet) back.deleted().get(0)).encode()).isEqualTo(deletes.encode());
  }

  @Test
  void numDeletedRules() {
    assertThat(StreamStateCodec.fileStoreNumDeleted(0, 0, 0)).isZero();
    assertThat(StreamStateCodec.memStoreNumDeleted(0, 0, 0)).isEqualTo(1);
    assertThat(StreamStateCodec.fileStoreNumDeleted(1001, 1000, 0)).isZero();
    assertThat(StreamStateCodec.fileStoreNumDeleted(1, 100, 90)).isEqualTo(10);
    assertThat(StreamStateCodec.fileStoreNumDeleted(1, 10, 20)).isZero();
    assertThat(StreamStateCodec.memStoreNumDeleted(1, 10, 20)).isZero();
  }

  @Test
  void legacySnapshotFollowsGoJsonRules() {
    byte[] ok = "{\"Messages\":2,\"\uFFFDx\":1,\"deleted\":[5,7],\"bytes\":null}"
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    StreamReplicatedState s = StreamStateCodec.decodeSnapshot(ok);
    assertThat(s.msgs()).isEqualTo(2);
    assertThat(s.deleted()).containsExactly(new DeleteSlice(new long[] {5, 7}));
    for (String bad : new String[] {
        "\uFEFF{}", "{\"messages\":-1}", "{\"messages\":1.5}", "{\"messages\":\"1\"}",
        "{} {}", "[]", "{\"messages\":18446744073709551616}", "{\"deleted\":[1,-2]}"}) {
      byte[] b = bad.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      assertThatThrownBy(() -> StreamStateCodec.decodeSnapshot(b))
          .as(bad)
          .isInstanceOf(CodecException.class);
    }
    byte[] utf16 = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_16LE);
    assertThatThrownBy(() -> StreamStateCodec.decodeSnapshot(utf16))
        .isInstanceOf(CodecException.class);
  }

  @Test
  void deleteRangeStateAndRange() {
    DeleteRange r = new DeleteRange(10, 3);
    assertThat(List.of(r.first(), r.last(), r.num())).containsExactly(10L, 12L, 3L);
    List<Long> seen = new ArrayList<>();
    r.forEach(seen::add);
    assertThat(seen).containsExactly(10L, 11L, 12L);
    DeleteRange empty = new DeleteRange(7, 0);
    assertThat(empty.last()).isEqualTo(7);
    assertThat(empty.forEach(s -> false)).isTrue();
  }
}
