package io.jscluster.core.sync;

import io.jscluster.codec.ops.StreamSyncRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * A stream leader's catch-up runs: what its sync-subject subscription does with each request.
 *
 * <p>One deliberate difference from nats-server: a new request from a peer <em>supersedes</em>
 * that peer's running catch-up (it is stopped, returning its budget). A follower only ever reads
 * its newest inbox, so an older run can only send into the void until it stalls; with a small
 * global budget, such stale runs would otherwise take the budget from the live one, again and
 * again. Requests without a peer id are never superseded.
 *
 * <p>Not thread-safe: use it on the stream's thread, like the runs.
 */
public final class LeaderCatchups {

  private final CatchupPeers peers;
  private final Map<String, LeaderCatchup> byPeer = new HashMap<>();
  private final List<LeaderCatchup> anonymous = new ArrayList<>();

  /** Creates the registry of a stream whose catch-up table is {@code peers}. */
  public LeaderCatchups(CatchupPeers peers) {
    this.peers = Objects.requireNonNull(peers);
  }

  /**
   * Handles one message on the sync subject: parses the request (an invalid one is dropped and
   * null returned), stops the same peer's previous run, creates the run with {@code factory}
   * (given the reply inbox and the request) and starts it.
   */
  public LeaderCatchup handleSyncRequest(
      String reply,
      byte[] payload,
      long nowNanos,
      BiFunction<String, StreamSyncRequest, LeaderCatchup> factory) {
    StreamSyncRequest req = LeaderCatchup.parseRequest(payload);
    if (req == null || reply == null || reply.isEmpty()) {
      return null;
    }
    LeaderCatchup run = factory.apply(reply, req);
    if (req.peer().isEmpty()) {
      anonymous.removeIf(LeaderCatchup::isDone);
      anonymous.add(run);
    } else {
      LeaderCatchup old = byPeer.put(req.peer(), run);
      if (old != null) {
        old.stop();
      }
    }
    run.start(nowNanos);
    return run;
  }

  /** The runs still running. */
  public List<LeaderCatchup> active() {
    List<LeaderCatchup> out = new ArrayList<>();
    for (LeaderCatchup r : byPeer.values()) {
      if (!r.isDone()) {
        out.add(r);
      }
    }
    for (LeaderCatchup r : anonymous) {
      if (!r.isDone()) {
        out.add(r);
      }
    }
    return out;
  }

  /** Leadership lost or the stream stopped: stops every run and forgets every catch-up peer. */
  public void stopAll() {
    for (LeaderCatchup r : active()) {
      r.stop();
    }
    byPeer.clear();
    anonymous.clear();
    peers.clearAll();
  }
}
