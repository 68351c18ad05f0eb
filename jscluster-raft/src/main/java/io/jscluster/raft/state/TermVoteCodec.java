package io.jscluster.raft.state;

import io.jscluster.raft.wire.WireFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import io.jscluster.raft.log.TermVote;
import java.nio.charset.StandardCharsets;

/**
 * The {@code tav.idx} content: {@code term u64 LE} followed by the voted-for id (0 or 8 bytes).
 *
 * <p>Reading is as lenient as nats-server: fewer than 8 bytes read as term 0 and no vote, 8 to 15
 * bytes as the term alone, 16 or more as the term and everything after it as the vote.
 */
public final class TermVoteCodec {

  /** Length of the term field. */
  public static final int TERM_LENGTH = 8;
  /** Length of a complete record with a vote. */
  public static final int TERM_VOTE_LENGTH = 16;

  private TermVoteCodec() {}

  /**
   * Encodes {@code tv}: 8 bytes, plus the vote's bytes when there is one.
   *
   * @throws WireFormatException if the vote is longer than 8 bytes or holds a char above 0xFF
   */
  public static byte[] encode(TermVote tv) {
    String vote = tv.vote();
    if (vote.length() > TERM_VOTE_LENGTH - TERM_LENGTH) {
      throw new WireFormatException("termVote.vote", -1, "vote id longer than 8 bytes");
    }
    ByteBuffer bb = ByteBuffer.allocate(TERM_LENGTH + vote.length()).order(ByteOrder.LITTLE_ENDIAN);
    bb.putLong(tv.term());
    for (int i = 0; i < vote.length(); i++) {
      char c = vote.charAt(i);
      if (c > 0xFF) {
        throw new WireFormatException("termVote.vote", -1, "vote id char above 0xFF at " + i);
      }
      bb.put((byte) c);
    }
    return bb.array();
  }

  /** Decodes a {@code tav.idx} content; never fails (see the class comment). */
  public static TermVote decode(byte[] bytes) {
    if (bytes.length < TERM_LENGTH) {
      return TermVote.NONE;
    }
    long term = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    if (bytes.length < TERM_VOTE_LENGTH) {
      return new TermVote(term, "");
    }
    return new TermVote(term, new String(bytes, TERM_LENGTH, bytes.length - TERM_LENGTH,
        StandardCharsets.ISO_8859_1));
  }
}
