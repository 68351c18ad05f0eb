package io.jscluster.raft.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Codec edge cases, node ids, subjects and a mutation fuzz of every decoder. */
class RaftCodecTest {

  @Test
  void nodeIdsFollowTheHashOfTheServerName() {
    // Expected values computed independently (SHA-256, first 8 bytes mod 62).
    assertThat(NodeIds.fromServerName("nats-1")).isEqualTo("yrzKKRBu");
    assertThat(NodeIds.fromServerName("server-a")).isEqualTo("hV8Sb31K");
    assertThat(NodeIds.fromServerName("S1")).isEqualTo("sQnRv29R");
  }

  @Test
  void tokensAreBase62LeastSignificantFirst() {
    assertThat(NodeIds.token(0)).isEqualTo("00000000");
    assertThat(NodeIds.token(123456789)).isEqualTo("Xk0M8000");
    assertThat(NodeIds.token(-1L)).isEqualTo("FYHA61aH");
  }

  @Test
  void subjects() {
    assertThat(Subjects.vote("g")).isEqualTo("$NRG.V.g");
    assertThat(Subjects.appendEntry("g")).isEqualTo("$NRG.AE.g");
    assertThat(Subjects.proposal("g")).isEqualTo("$NRG.P.g");
    assertThat(Subjects.removePeer("g")).isEqualTo("$NRG.RP.g");
    assertThat(Subjects.inbox("abcdefgh")).isEqualTo("$NRG.R.abcdefgh");
    assertThat(Subjects.catchupInbox("abcdefgh")).isEqualTo("$NRG.CR.abcdefgh");
    assertThat(Subjects.isCatchupInbox("$NRG.CR.x")).isTrue();
    assertThat(Subjects.isCatchupInbox("$NRG.R.x")).isFalse();
  }

  @Test
  void tooManyEntriesIsAnEncodeError() {
    List<Entry> many = new ArrayList<>();
    for (int i = 0; i <= RaftCodec.MAX_ENTRIES; i++) {
      many.add(Entry.normal(null));
    }
    AppendEntry ae = new AppendEntry("abcdefgh", 1, 0, 0, 0, many, 0);
    assertThatThrownBy(() -> RaftCodec.encode(ae)).isInstanceOf(WireFormatException.class);
  }

  @Test
  void unknownEntryTypeIsRejectedWithItsOffset() {
    AppendEntry ae = new AppendEntry("abcdefgh", 1, 0, 0, 0, List.of(Entry.normal(new byte[2])), 0);
    byte[] b = RaftCodec.encode(ae);
    b[46] = 9;
    assertThatThrownBy(() -> RaftCodec.decodeAppendEntry(b))
        .isInstanceOf(WireFormatException.class).hasMessageContaining("offset 46");
    b[46] = 7;
    assertThatThrownBy(() -> RaftCodec.decodeAppendEntry(b)).isInstanceOf(WireFormatException.class);
  }

  @Test
  void hugeEntryCountWithFewBytesFailsTyped() {
    byte[] b = new byte[RaftCodec.AE_HEADER_LENGTH + 1];
    b[40] = (byte) 0xFF;
    b[41] = (byte) 0xFF;
    assertThatThrownBy(() -> RaftCodec.decodeAppendEntry(b)).isInstanceOf(WireFormatException.class);
  }

  @Test
  void mutatedAndTruncatedMessagesDecodeOrFailTyped() {
    int cases = Integer.getInteger("jscluster.fuzz.cases", 100_000);
    long seed = Long.getLong("jscluster.fuzz.seed", 7L);
    System.out.println("RaftCodecTest fuzz seed=" + seed + " cases=" + cases);
    Random rnd = new Random(seed);
    List<byte[]> seeds = List.of(
        RaftCodec.encode(new AppendEntry("abcdefgh", 3, 2, 1, 5,
            List.of(Entry.normal(new byte[] {1, 2, 3}),
                new Entry(EntryType.PEER_STATE, new byte[20])), 300)),
        RaftCodec.encode(new AppendEntryResponse(1, 2, "abcdefgh", true)),
        RaftCodec.encode(new VoteRequest(1, 2, 3, "abcdefgh")),
        RaftCodec.encode(new VoteResponse(1, "abcdefgh", true, false)));
    for (int i = 0; i < cases; i++) {
      byte[] base = seeds.get(rnd.nextInt(seeds.size()));
      byte[] b = java.util.Arrays.copyOf(base, rnd.nextInt(base.length + 8));
      for (int k = rnd.nextInt(4); k > 0 && b.length > 0; k--) {
        b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
      }
      for (int d = 0; d < 4; d++) {
        try {
          switch (d) {
            case 0 -> RaftCodec.decodeAppendEntry(b);
            case 1 -> RaftCodec.decodeAppendEntryResponse(b);
            case 2 -> RaftCodec.decodeVoteRequest(b);
            default -> RaftCodec.decodeVoteResponse(b);
          }
        } catch (WireFormatException expected) {
          assertThat(expected.field()).isNotEmpty();
        } catch (RuntimeException e) {
          throw new AssertionError("seed " + seed + " case " + i + " decoder " + d, e);
        }
      }
    }
  }

  @Test
  void roundTripOfRandomAppendEntries() {
    Random rnd = new Random(11);
    for (int i = 0; i < 2000; i++) {
      List<Entry> entries = new ArrayList<>();
      for (int k = rnd.nextInt(5); k > 0; k--) {
        byte[] d = new byte[rnd.nextInt(40)];
        rnd.nextBytes(d);
        entries.add(new Entry(EntryType.fromCode(rnd.nextInt(7), -1), d));
      }
      AppendEntry ae = new AppendEntry(NodeIds.token(rnd.nextLong()), rnd.nextLong(),
          rnd.nextLong(), rnd.nextLong(), rnd.nextLong(), entries, rnd.nextLong());
      byte[] b = RaftCodec.encode(ae);
      assertThat(b).hasSize(RaftCodec.encodedLength(ae));
      assertThat(RaftCodec.decodeAppendEntry(b)).isEqualTo(ae);
    }
  }
}
