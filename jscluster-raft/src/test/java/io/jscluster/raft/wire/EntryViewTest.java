package io.jscluster.raft.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Decoded entries are views over the message array; the view contract of {@link Entry}. */
class EntryViewTest {

  private static AppendEntry sample() {
    return new AppendEntry("abcdefgh", 3, 1, 2, 7,
        List.of(Entry.normal(new byte[] {1, 2, 3}), new Entry(EntryType.PEER_STATE, new byte[0]),
            Entry.normal(new byte[] {9, 8})), 5);
  }

  @Test
  void decodedEntriesAreViewsOverTheMessageArrayWithoutCopies() {
    byte[] wire = RaftCodec.encode(sample());
    AppendEntry ae = RaftCodec.decodeAppendEntry(wire);
    Entry first = ae.entries().get(0);
    assertThat(first.array()).isSameAs(wire);
    assertThat(first.offset()).isEqualTo(RaftCodec.AE_HEADER_LENGTH + 5);
    assertThat(first.length()).isEqualTo(3);
    assertThat(first.isView()).isTrue();
    assertThat(ae.entries().get(2).array()).isSameAs(wire);
    assertThat(ae).isEqualTo(sample());
    assertThat(ae.hashCode()).isEqualTo(sample().hashCode());
  }

  @Test
  void decodingAtAnOffsetGivesViewsRelativeToThatOffset() {
    byte[] wire = RaftCodec.encode(sample());
    byte[] padded = new byte[wire.length + 10];
    System.arraycopy(wire, 0, padded, 7, wire.length);
    AppendEntry ae = RaftCodec.decodeAppendEntry(padded, 7, wire.length);
    assertThat(ae).isEqualTo(sample());
    assertThat(ae.entries().get(2).offset()).isEqualTo(7 + RaftCodec.AE_HEADER_LENGTH + 8 + 5 + 5);
  }

  @Test
  void dataOfAViewIsAnExactCopyAndCopyDetachesIt() {
    byte[] wire = RaftCodec.encode(sample());
    Entry view = RaftCodec.decodeAppendEntry(wire).entries().get(0);
    byte[] d = view.data();
    assertThat(d).containsExactly(1, 2, 3);
    assertThat(view.data()).isNotSameAs(d);
    Entry own = view.copy();
    assertThat(own.isView()).isFalse();
    assertThat(own.array()).isNotSameAs(wire);
    assertThat(own).isEqualTo(view);
    assertThat(own.copy()).isSameAs(own);
    assertThat(own.data()).isSameAs(own.array());
    assertThat(view.byteAt(2)).isEqualTo((byte) 3);
    assertThatThrownBy(() -> view.byteAt(3)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void withTypeKeepsThePayloadInPlace() {
    byte[] wire = RaftCodec.encode(sample());
    Entry view = RaftCodec.decodeAppendEntry(wire).entries().get(0);
    Entry snap = view.withType(EntryType.SNAPSHOT);
    assertThat(snap.type()).isEqualTo(EntryType.SNAPSHOT);
    assertThat(snap.array()).isSameAs(wire);
    assertThat(snap).isNotEqualTo(view);
    assertThat(view.withType(EntryType.NORMAL)).isSameAs(view);
  }

  @Test
  void byteBufDecodeNeverRefersToTheBuffer() {
    byte[] wire = RaftCodec.encode(sample());
    ByteBuf buf = Unpooled.buffer(wire.length + 4);
    try {
      buf.writeZero(4).writeBytes(wire).readerIndex(4);
      AppendEntry ae = RaftCodec.decodeAppendEntry(buf);
      // Reusing the buffer (as a pool would after release) must not change decoded entries.
      buf.setZero(0, buf.capacity());
      assertThat(ae).isEqualTo(sample());
      assertThat(ae.entries().get(0).array()).isNotSameAs(buf.array());
      assertThat(buf.readerIndex()).isEqualTo(4);
    } finally {
      buf.release();
    }
  }

  @Test
  void encodingAViewWritesOnlyItsRange() {
    byte[] wire = RaftCodec.encode(sample());
    AppendEntry decoded = RaftCodec.decodeAppendEntry(wire);
    AppendEntry again = new AppendEntry("abcdefgh", 4, 2, 3, 8, decoded.entries(), 0);
    AppendEntry expected = new AppendEntry("abcdefgh", 4, 2, 3, 8, sample().entries(), 0);
    assertThat(RaftCodec.encode(again)).isEqualTo(RaftCodec.encode(expected));
    assertThat(RaftCodec.encodedLength(again)).isEqualTo(RaftCodec.encodedLength(expected));
    ByteBuf out = Unpooled.buffer();
    try {
      RaftCodec.encode(again, out);
      byte[] viaBuf = new byte[out.readableBytes()];
      out.readBytes(viaBuf);
      assertThat(viaBuf).isEqualTo(RaftCodec.encode(expected));
    } finally {
      out.release();
    }
  }

  @Test
  void rangeOutsideTheArrayIsRejected() {
    byte[] b = new byte[4];
    assertThatThrownBy(() -> new Entry(EntryType.NORMAL, b, 2, 3))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> new Entry(EntryType.NORMAL, b, -1, 1))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(new Entry(EntryType.NORMAL, null).length()).isZero();
  }

  @Test
  void aCountAboveWhatTheBytesCanHoldFailsTypedBeforeAllocating() {
    byte[] wire = RaftCodec.encode(sample());
    // Declare 65535 entries: the decoder may size its array only by the remaining bytes.
    wire[40] = (byte) 0xFF;
    wire[41] = (byte) 0xFF;
    assertThatThrownBy(() -> RaftCodec.decodeAppendEntry(wire))
        .isInstanceOf(WireFormatException.class).hasMessageContaining("entries[3]");
  }

  @Test
  void withLtermOnBytesMatchesDecodeStampEncode() {
    AppendEntry ae = sample();
    byte[] wire = RaftCodec.encode(ae);
    for (long lterm : new long[] {0, 1, 127, 128, 1L << 40, -1L}) {
      assertThat(RaftCodec.withLterm(wire, lterm))
          .isEqualTo(RaftCodec.encode(ae.withLterm(lterm)));
    }
    AppendEntry heartbeat = new AppendEntry("abcdefgh", 1, 0, 0, 0, List.of(), 9);
    assertThat(RaftCodec.withLterm(RaftCodec.encode(heartbeat), 300))
        .isEqualTo(RaftCodec.encode(heartbeat.withLterm(300)));
    byte[] cut = java.util.Arrays.copyOf(wire, wire.length - 4);
    assertThatThrownBy(() -> RaftCodec.withLterm(cut, 2))
        .isInstanceOf(WireFormatException.class);
    assertThatThrownBy(() -> RaftCodec.withLterm(new byte[10], 2))
        .isInstanceOf(WireFormatException.class);
  }
}
