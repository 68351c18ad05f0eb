package io.jscluster.raft.wire;

/** The type byte of an entry inside an append-entry batch. */
public enum EntryType {
  /** Application payload. */
  NORMAL(0),
  /** Legacy snapshot entry found in old logs; surfaced to the upper layer as {@link #SNAPSHOT}. */
  OLD_SNAPSHOT(1),
  /** Peer-state encoding; also the noop a new leader replicates first. */
  PEER_STATE(2),
  /** Add the peer whose 8-byte id is the data. */
  ADD_PEER(3),
  /** Remove the peer whose 8-byte id is the data. */
  REMOVE_PEER(4),
  /** Leadership moves to the peer whose 8-byte id is the data. */
  LEADER_TRANSFER(5),
  /** Upper-layer snapshot bytes. */
  SNAPSHOT(6),
  /** Apply-queue signal "catch-up entries follow"; never stored, never sent. */
  CATCHUP(7);

  private static final EntryType[] BY_CODE = values();

  private final int code;

  EntryType(int code) {
    this.code = code;
  }

  /** The wire value. */
  public int code() {
    return code;
  }

  /**
   * The type with wire value {@code code}.
   *
   * @throws WireFormatException for a value that names no type, or for {@link #CATCHUP}, which
   *     never travels on the wire
   */
  public static EntryType fromCode(int code, long offset) {
    if (code < 0 || code >= BY_CODE.length || code == CATCHUP.code) {
      throw new WireFormatException("entry.type", offset, "unknown entry type " + code);
    }
    return BY_CODE[code];
  }
}
