package io.jscluster.raft;

import io.jscluster.raft.log.RaftLog;
import io.jscluster.raft.wire.AppendEntry;
import io.jscluster.raft.wire.AppendEntryResponse;
import io.jscluster.raft.wire.RaftCodec;

/**
 * Read-only views the catalogue ports need on top of {@link NodeHarness}: the WAL message count,
 * the leader recorded in a stored AE and the position a catch-up was requested from (NRG keeps
 * that position in the catch-up state; the request AR carries the same pair on the wire).
 */
final class CatalogueProbe {

  private CatalogueProbe() {}

  /** Number of records the log holds (nats-server's {@code wal.State().Msgs}). */
  static long msgs(RaftLog log) {
    return log.isEmpty() ? 0 : log.size();
  }

  /** The AE stored at {@code index}, decoded. */
  static AppendEntry stored(RaftLog log, long index) {
    return RaftCodec.decodeAppendEntry(log.read(index).data());
  }

  /**
   * The catch-up request the node sent for its current catch-up: the AR whose reply subject is the
   * live catch-up inbox. Fails when none was sent.
   */
  static AppendEntryResponse catchupRequest(NodeHarness h) {
    String inbox = h.node.catchupInbox();
    if (inbox == null) {
      throw new AssertionError("no catch-up running");
    }
    AppendEntryResponse found = null;
    for (NodeHarness.Sent s : h.sent) {
      if (inbox.equals(s.reply())) {
        found = RaftCodec.decodeAppendEntryResponse(s.payload());
      }
    }
    if (found == null) {
      throw new AssertionError("no catch-up request sent with reply " + inbox);
    }
    return found;
  }
}
