package io.jscluster.raft.wire;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The NRG peer-state encoding: {@code clusterSize u32 | peerCount u32 | peerCount x 8-byte ids |
 * domainExt u16}, little-endian.
 *
 * <p>Encoding zero-pads ids shorter than 8 bytes. Decoding needs at least 8 bytes, reads exactly
 * {@code peerCount} ids (fails when fewer are present), reads {@code domainExt} only when at least
 * two bytes remain (older encodings lack it, giving 0) and ignores anything after it.
 */
public final class PeerStateCodec {

  /** Length in bytes of a peer id on the wire. */
  public static final int ID_LENGTH = 8;

  private static final int HEADER = 8;

  private PeerStateCodec() {}

  /** The exact number of bytes {@link #encode(PeerState)} produces for {@code state}. */
  public static int encodedLength(PeerState state) {
    return HEADER + ID_LENGTH * state.knownPeers().size() + 2;
  }

  /**
   * Encodes {@code state} into a new array.
   *
   * @throws WireFormatException if a peer id is longer than 8 bytes or holds a char above 0xFF
   */
  public static byte[] encode(PeerState state) {
    byte[] out = new byte[encodedLength(state)];
    ByteBuffer bb = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    bb.putInt(state.clusterSize());
    bb.putInt(state.knownPeers().size());
    List<String> peers = state.knownPeers();
    for (int i = 0; i < peers.size(); i++) {
      putId(bb, peers.get(i), i);
    }
    bb.putShort((short) state.domainExt());
    return out;
  }

  /**
   * Appends the encoding of {@code state} to {@code out} (advancing its writer index). The buffer
   * is neither retained nor released.
   */
  public static void encode(PeerState state, ByteBuf out) {
    out.writeBytes(encode(state));
  }

  /** Decodes a whole array; see the class comment for the leniency rules. */
  public static PeerState decode(byte[] bytes) {
    return decode(bytes, 0, bytes.length);
  }

  /**
   * Decodes {@code length} bytes of {@code bytes} from {@code offset}; bytes after the peer state
   * within that range are ignored.
   *
   * @throws WireFormatException if fewer than 8 bytes are given or fewer ids than announced
   */
  public static PeerState decode(byte[] bytes, int offset, int length) {
    if (offset < 0 || length < 0 || length > bytes.length - offset) {
      throw new IllegalArgumentException("range outside array");
    }
    if (length < HEADER) {
      throw new WireFormatException("peerState.header", 0, "need 8 bytes, have " + length);
    }
    ByteBuffer bb = ByteBuffer.wrap(bytes, offset, length).order(ByteOrder.LITTLE_ENDIAN);
    int clusterSize = bb.getInt();
    long peerCount = Integer.toUnsignedLong(bb.getInt());
    long available = (length - HEADER) / ID_LENGTH;
    // Checked before allocating: the count comes from the input and may lie.
    if (peerCount > available) {
      throw new WireFormatException("peerState.knownPeers", HEADER,
          "peer count " + peerCount + " but only " + available + " ids present");
    }
    List<String> peers = new ArrayList<>((int) peerCount);
    for (int i = 0; i < peerCount; i++) {
      peers.add(new String(bytes, offset + HEADER + i * ID_LENGTH, ID_LENGTH,
          StandardCharsets.ISO_8859_1));
    }
    bb.position(offset + HEADER + (int) peerCount * ID_LENGTH);
    int domainExt = bb.remaining() >= 2 ? Short.toUnsignedInt(bb.getShort()) : 0;
    return new PeerState(clusterSize, peers, domainExt);
  }

  /** Decodes the readable bytes of {@code in} without moving its indexes or releasing it. */
  public static PeerState decode(ByteBuf in) {
    byte[] copy = new byte[in.readableBytes()];
    in.getBytes(in.readerIndex(), copy);
    return decode(copy);
  }

  private static void putId(ByteBuffer bb, String id, int index) {
    if (id.length() > ID_LENGTH) {
      throw new WireFormatException("peerState.knownPeers[" + index + "]", -1,
          "peer id longer than " + ID_LENGTH + " bytes: " + id.length());
    }
    for (int i = 0; i < ID_LENGTH; i++) {
      if (i < id.length()) {
        char c = id.charAt(i);
        if (c > 0xFF) {
          throw new WireFormatException("peerState.knownPeers[" + index + "]", -1,
              "peer id char above 0xFF at " + i);
        }
        bb.put((byte) c);
      } else {
        bb.put((byte) 0);
      }
    }
  }
}
