package io.jscluster.raft.wire;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Encoders and total decoders for the four NRG peer messages.
 *
 * <p>Decoders never throw anything but {@link WireFormatException}: every count and length read
 * from the input is checked against what remains before anything is allocated. Ids are read as
 * ISO-8859-1 (one char per byte) so any bytes round-trip.
 *
 * <p>Layouts (little-endian):
 *
 * <ul>
 *   <li>AE: leader 8 | term 8 | commit 8 | pterm 8 | pindex 8 | count u16 | count x (size u32 =
 *       1 + len, type u8, data) | lterm uvarint (always written).
 *   <li>AR: term 8 | index 8 | peer 8 | success u8 (only 1 means true); exactly 25 bytes.
 *   <li>Vote request: term 8 | lastTerm 8 | lastIndex 8 | candidate 8; exactly 32 bytes.
 *   <li>Vote response: term 8 | peer 8 | flags u8 (bit0 granted, bit1 empty log); exactly 17 bytes.
 * </ul>
 */
public final class RaftCodec {

  /** Length of a peer id on the wire. */
  public static final int ID_LENGTH = 8;
  /** Fixed header length of an AE. */
  public static final int AE_HEADER_LENGTH = 42;
  /** Exact length of an AR. */
  public static final int AR_LENGTH = 25;
  /** Exact length of a vote request. */
  public static final int VOTE_REQUEST_LENGTH = 32;
  /** Exact length of a vote response. */
  public static final int VOTE_RESPONSE_LENGTH = 17;
  /** Most entries one AE can carry. */
  public static final int MAX_ENTRIES = 0xFFFF;

  private static final int ENTRY_HEADER = 5;
  private static final int MAX_VARINT = 10;

  private RaftCodec() {}

  // ---------------------------------------------------------------- append entry

  /** The exact encoded length of {@code ae}. */
  public static int encodedLength(AppendEntry ae) {
    long n = AE_HEADER_LENGTH;
    for (Entry e : ae.entries()) {
      n += ENTRY_HEADER + e.length();
    }
    n += varintLength(ae.lterm());
    if (n > Integer.MAX_VALUE - 8) {
      throw new WireFormatException("appendEntry", -1, "encoding exceeds 2 GiB");
    }
    return (int) n;
  }

  /**
   * Encodes {@code ae} into a new array.
   *
   * @throws WireFormatException if the leader id is neither empty nor exactly 8 bytes (or holds a
   *     char above 0xFF), or there are more than 65535 entries
   */
  public static byte[] encode(AppendEntry ae) {
    checkAe(ae);
    byte[] out = new byte[encodedLength(ae)];
    int p = putId(out, 0, ae.leader(), "appendEntry.leader");
    p = putLong(out, p, ae.term());
    p = putLong(out, p, ae.commit());
    p = putLong(out, p, ae.pterm());
    p = putLong(out, p, ae.pindex());
    out[p++] = (byte) ae.entries().size();
    out[p++] = (byte) (ae.entries().size() >>> 8);
    for (Entry e : ae.entries()) {
      p = putInt(out, p, 1 + e.length());
      out[p++] = (byte) e.type().code();
      System.arraycopy(e.array(), e.offset(), out, p, e.length());
      p += e.length();
    }
    putVarint(out, p, ae.lterm());
    return out;
  }

  /**
   * Appends the encoding of {@code ae} to {@code out}, advancing its writer index. The buffer is
   * neither retained nor released; nothing else is allocated.
   */
  public static void encode(AppendEntry ae, ByteBuf out) {
    checkAe(ae);
    out.ensureWritable(encodedLength(ae));
    writeId(out, ae.leader(), "appendEntry.leader");
    out.writeLongLE(ae.term());
    out.writeLongLE(ae.commit());
    out.writeLongLE(ae.pterm());
    out.writeLongLE(ae.pindex());
    out.writeShortLE(ae.entries().size());
    for (Entry e : ae.entries()) {
      out.writeIntLE(1 + e.length());
      out.writeByte(e.type().code());
      out.writeBytes(e.array(), e.offset(), e.length());
    }
    long v = ae.lterm();
    while (Long.compareUnsigned(v, 0x80) >= 0) {
      out.writeByte((int) (v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out.writeByte((int) v);
  }

  private static void checkAe(AppendEntry ae) {
    int len = ae.leader().length();
    if (len != 0 && len != ID_LENGTH) {
      throw new WireFormatException("appendEntry.leader", 0,
          "leader id must be empty or exactly 8 bytes, is " + len);
    }
    if (ae.entries().size() > MAX_ENTRIES) {
      throw new WireFormatException("appendEntry.entries", 40,
          "too many entries: " + ae.entries().size());
    }
  }

  /** Decodes a whole array as an AE. */
  public static AppendEntry decodeAppendEntry(byte[] in) {
    return decodeAppendEntry(in, 0, in.length);
  }

  /**
   * Decodes {@code length} bytes from {@code offset} as an AE. Entry payloads are not copied: each
   * entry is a view over its range of {@code in} (see {@link Entry} for the contract), so the
   * caller must not modify {@code in} afterwards. Allocation is bounded by the input: the entry
   * array is sized by the smaller of the declared count and what the remaining bytes can hold. A
   * missing or unparseable trailing lterm gives 0; bytes after it are ignored.
   *
   * @throws WireFormatException if fewer than 42 bytes are given, an entry header is cut short, an
   *     entry size is 0 or runs past the end, or an entry type is unknown
   */
  public static AppendEntry decodeAppendEntry(byte[] in, int offset, int length) {
    checkRange(in, offset, length);
    if (length < AE_HEADER_LENGTH) {
      throw new WireFormatException("appendEntry", length,
          "need " + AE_HEADER_LENGTH + " bytes, have " + length);
    }
    int end = offset + length;
    String leader = getId(in, offset);
    long term = getLong(in, offset + 8);
    long commit = getLong(in, offset + 16);
    long pterm = getLong(in, offset + 24);
    long pindex = getLong(in, offset + 32);
    int count = (in[offset + 40] & 0xFF) | (in[offset + 41] & 0xFF) << 8;
    int p = offset + AE_HEADER_LENGTH;
    if (count == 0) {
      return new AppendEntry(leader, term, commit, pterm, pindex, List.of(),
          readVarintOrZero(in, p, end));
    }
    // Each entry needs at least its 5-byte header, so a count above that bound fails inside the
    // loop before the array index reaches it.
    Entry[] entries = new Entry[Math.min(count, (end - p) / ENTRY_HEADER)];
    for (int i = 0; i < count; i++) {
      if (end - p < 4) {
        throw new WireFormatException("appendEntry.entries[" + i + "].size", p - offset,
            "entry header cut short");
      }
      long size = Integer.toUnsignedLong(getInt(in, p));
      p += 4;
      if (size < 1 || size > end - p) {
        throw new WireFormatException("appendEntry.entries[" + i + "].size", p - 4 - offset,
            "entry size " + size + " with " + (end - p) + " bytes left");
      }
      EntryType type = EntryType.fromCode(in[p] & 0xFF, p - offset);
      entries[i] = new Entry(type, in, p + 1, (int) size - 1);
      p += (int) size;
    }
    long lterm = readVarintOrZero(in, p, end);
    // List.of keeps an immutable list that AppendEntry's List.copyOf then takes as is.
    return new AppendEntry(leader, term, commit, pterm, pindex, List.of(entries), lterm);
  }

  /**
   * Decodes the readable bytes of {@code in} as an AE without moving its indexes. The bytes are
   * first copied into a fresh array (one copy for the whole message) that the entries are views
   * over, so the result stays valid after {@code in} is released or reused.
   */
  public static AppendEntry decodeAppendEntry(ByteBuf in) {
    byte[] copy = new byte[in.readableBytes()];
    in.getBytes(in.readerIndex(), copy);
    return decodeAppendEntry(copy);
  }

  /**
   * The encoding of the AE in {@code in} with its trailing lterm replaced by {@code lterm}: what
   * {@code encode(decodeAppendEntry(in).withLterm(lterm))} returns, computed by skipping over the
   * entry headers and copying the rest once, without decoding the entries.
   *
   * @throws WireFormatException as {@link #decodeAppendEntry(byte[], int, int)}
   */
  public static byte[] withLterm(byte[] in, long lterm) {
    int length = in.length;
    if (length < AE_HEADER_LENGTH) {
      throw new WireFormatException("appendEntry", length,
          "need " + AE_HEADER_LENGTH + " bytes, have " + length);
    }
    int count = (in[40] & 0xFF) | (in[41] & 0xFF) << 8;
    int p = AE_HEADER_LENGTH;
    for (int i = 0; i < count; i++) {
      if (length - p < 4) {
        throw new WireFormatException("appendEntry.entries[" + i + "].size", p,
            "entry header cut short");
      }
      long size = Integer.toUnsignedLong(getInt(in, p));
      p += 4;
      if (size < 1 || size > length - p) {
        throw new WireFormatException("appendEntry.entries[" + i + "].size", p - 4,
            "entry size " + size + " with " + (length - p) + " bytes left");
      }
      EntryType.fromCode(in[p] & 0xFF, p);
      p += (int) size;
    }
    byte[] out = new byte[p + varintLength(lterm)];
    System.arraycopy(in, 0, out, 0, p);
    putVarint(out, p, lterm);
    return out;
  }

  // ---------------------------------------------------------------- append entry response

  /** Encodes {@code ar} (25 bytes). Peer ids are zero-padded or cut to 8 bytes. */
  public static byte[] encode(AppendEntryResponse ar) {
    byte[] out = new byte[AR_LENGTH];
    int p = putLong(out, 0, ar.term());
    p = putLong(out, p, ar.index());
    p = putIdPadded(out, p, ar.peer(), "appendEntryResponse.peer");
    out[p] = (byte) (ar.success() ? 1 : 0);
    return out;
  }

  /**
   * Decodes an AR.
   *
   * @throws WireFormatException unless exactly 25 bytes are given
   */
  public static AppendEntryResponse decodeAppendEntryResponse(byte[] in, int offset, int length) {
    checkRange(in, offset, length);
    exact("appendEntryResponse", length, AR_LENGTH);
    return new AppendEntryResponse(getLong(in, offset), getLong(in, offset + 8),
        getId(in, offset + 16), in[offset + 24] == 1);
  }

  /** Decodes a whole array as an AR. */
  public static AppendEntryResponse decodeAppendEntryResponse(byte[] in) {
    return decodeAppendEntryResponse(in, 0, in.length);
  }

  // ---------------------------------------------------------------- votes

  /** Encodes {@code vr} (32 bytes). The candidate id is zero-padded or cut to 8 bytes. */
  public static byte[] encode(VoteRequest vr) {
    byte[] out = new byte[VOTE_REQUEST_LENGTH];
    int p = putLong(out, 0, vr.term());
    p = putLong(out, p, vr.lastTerm());
    p = putLong(out, p, vr.lastIndex());
    putIdPadded(out, p, vr.candidate(), "voteRequest.candidate");
    return out;
  }

  /**
   * Decodes a vote request.
   *
   * @throws WireFormatException unless exactly 32 bytes are given
   */
  public static VoteRequest decodeVoteRequest(byte[] in, int offset, int length) {
    checkRange(in, offset, length);
    exact("voteRequest", length, VOTE_REQUEST_LENGTH);
    return new VoteRequest(getLong(in, offset), getLong(in, offset + 8), getLong(in, offset + 16),
        getId(in, offset + 24));
  }

  /** Decodes a whole array as a vote request. */
  public static VoteRequest decodeVoteRequest(byte[] in) {
    return decodeVoteRequest(in, 0, in.length);
  }

  /** Encodes {@code vr} (17 bytes). The peer id is zero-padded or cut to 8 bytes. */
  public static byte[] encode(VoteResponse vr) {
    byte[] out = new byte[VOTE_RESPONSE_LENGTH];
    int p = putLong(out, 0, vr.term());
    p = putIdPadded(out, p, vr.peer(), "voteResponse.peer");
    out[p] = (byte) ((vr.granted() ? 1 : 0) | (vr.empty() ? 2 : 0));
    return out;
  }

  /**
   * Decodes a vote response; flag bits other than 0 and 1 are ignored.
   *
   * @throws WireFormatException unless exactly 17 bytes are given
   */
  public static VoteResponse decodeVoteResponse(byte[] in, int offset, int length) {
    checkRange(in, offset, length);
    exact("voteResponse", length, VOTE_RESPONSE_LENGTH);
    int flags = in[offset + 16];
    return new VoteResponse(getLong(in, offset), getId(in, offset + 8), (flags & 1) != 0,
        (flags & 2) != 0);
  }

  /** Decodes a whole array as a vote response. */
  public static VoteResponse decodeVoteResponse(byte[] in) {
    return decodeVoteResponse(in, 0, in.length);
  }

  // ---------------------------------------------------------------- helpers

  private static void checkRange(byte[] in, int offset, int length) {
    if (in == null || offset < 0 || length < 0 || length > in.length - offset) {
      throw new IllegalArgumentException("range outside array");
    }
  }

  private static void exact(String what, int length, int expected) {
    if (length != expected) {
      throw new WireFormatException(what, Math.min(length, expected),
          "must be exactly " + expected + " bytes, is " + length);
    }
  }

  static long getLong(byte[] b, int p) {
    return (b[p] & 0xFFL) | (b[p + 1] & 0xFFL) << 8 | (b[p + 2] & 0xFFL) << 16
        | (b[p + 3] & 0xFFL) << 24 | (b[p + 4] & 0xFFL) << 32 | (b[p + 5] & 0xFFL) << 40
        | (b[p + 6] & 0xFFL) << 48 | (b[p + 7] & 0xFFL) << 56;
  }

  private static int getInt(byte[] b, int p) {
    return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16 | (b[p + 3] & 0xFF) << 24;
  }

  private static int putLong(byte[] b, int p, long v) {
    for (int i = 0; i < 8; i++) {
      b[p + i] = (byte) (v >>> (8 * i));
    }
    return p + 8;
  }

  private static int putInt(byte[] b, int p, int v) {
    for (int i = 0; i < 4; i++) {
      b[p + i] = (byte) (v >>> (8 * i));
    }
    return p + 4;
  }

  private static String getId(byte[] b, int p) {
    char[] c = new char[ID_LENGTH];
    for (int i = 0; i < ID_LENGTH; i++) {
      c[i] = (char) (b[p + i] & 0xFF);
    }
    return new String(c);
  }

  /** Writes an id that must be empty or exactly 8 chars (empty = zeros). */
  private static int putId(byte[] b, int p, String id, String field) {
    return putIdPadded(b, p, id, field);
  }

  /** Writes min(len, 8) chars of the id and zero-pads the rest. */
  private static int putIdPadded(byte[] b, int p, String id, String field) {
    int n = Math.min(id.length(), ID_LENGTH);
    for (int i = 0; i < n; i++) {
      char c = id.charAt(i);
      if (c > 0xFF) {
        throw new WireFormatException(field, -1, "id char above 0xFF at " + i);
      }
      b[p + i] = (byte) c;
    }
    for (int i = n; i < ID_LENGTH; i++) {
      b[p + i] = 0;
    }
    return p + ID_LENGTH;
  }

  private static void writeId(ByteBuf out, String id, String field) {
    for (int i = 0; i < ID_LENGTH; i++) {
      char c = i < id.length() ? id.charAt(i) : 0;
      if (c > 0xFF) {
        throw new WireFormatException(field, -1, "id char above 0xFF at " + i);
      }
      out.writeByte(c);
    }
  }

  static int varintLength(long v) {
    int n = 1;
    while (Long.compareUnsigned(v, 0x80) >= 0) {
      v >>>= 7;
      n++;
    }
    return n;
  }

  private static void putVarint(byte[] b, int p, long v) {
    while (Long.compareUnsigned(v, 0x80) >= 0) {
      b[p++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    b[p] = (byte) v;
  }

  /** Reads an unsigned LEB128 value; 0 when absent, cut short or overflowing (as Go ignores it). */
  private static long readVarintOrZero(byte[] b, int p, int end) {
    long v = 0;
    int shift = 0;
    for (int i = 0; i < MAX_VARINT && p + i < end; i++) {
      int x = b[p + i] & 0xFF;
      if (x < 0x80) {
        if (i == MAX_VARINT - 1 && x > 1) {
          return 0;
        }
        return v | ((long) x << shift);
      }
      v |= (long) (x & 0x7F) << shift;
      shift += 7;
    }
    return 0;
  }
}
