package io.jscluster.core.sync;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A stream leader's table of peers it is catching up, peer id to remaining lag in messages
 * (nats-server's {@code mset.catchups}).
 *
 * <p><b>Presence is what counts.</b> A peer is "catching up" while it has an entry, whatever its
 * lag: a run that stalls on its last message leaves a zero-lag entry, and cluster info and
 * migrations must still see that peer as not current. Entries are removed only by
 * {@link #clear(String)} (a run completed or was aborted by the follower) and
 * {@link #clearAll()} (the leader stepped down). Lags are uint64 bits; decrements floor at 0.
 *
 * <p>Thread-safe: runs update it while cluster-info requests read it.
 */
public final class CatchupPeers {

  private Map<String, Long> lags;

  /** Sets {@code peer}'s lag, adding the entry; an empty peer id is ignored. */
  public synchronized void set(String peer, long lag) {
    if (peer == null || peer.isEmpty()) {
      return;
    }
    if (lags == null) {
      lags = new HashMap<>();
    }
    lags.put(peer, lag);
  }

  /** One message acknowledged: lowers a positive lag by 1 (nats-server {@code updateCatchupPeer}). */
  public synchronized void update(String peer) {
    decrement(peer, 1);
  }

  /**
   * {@code num} sequences sent untracked (a delete range): lowers a positive lag by {@code num},
   * flooring at 0 (unsigned). A missing or zero entry is left as it is.
   */
  public synchronized void decrement(String peer, long num) {
    if (peer == null || peer.isEmpty() || lags == null) {
      return;
    }
    Long lag = lags.get(peer);
    if (lag == null || lag == 0) {
      return;
    }
    lags.put(peer, Long.compareUnsigned(lag, num) >= 0 ? lag - num : 0);
  }

  /** Removes {@code peer}'s entry. */
  public synchronized void clear(String peer) {
    if (lags != null) {
      lags.remove(peer);
    }
  }

  /** Drops every entry (the leader stepped down). */
  public synchronized void clearAll() {
    lags = null;
  }

  /** {@code peer}'s lag, 0 when it has no entry. */
  public synchronized long lag(String peer) {
    if (lags == null) {
      return 0;
    }
    Long lag = lags.get(peer);
    return lag == null ? 0 : lag;
  }

  /** Whether {@code peer} has an entry (even with lag 0). */
  public synchronized boolean contains(String peer) {
    return lags != null && lags.containsKey(peer);
  }

  /** Whether any peer has an entry, zero-lag entries included. */
  public synchronized boolean hasPeers() {
    return lags != null && !lags.isEmpty();
  }

  /**
   * The peers with an entry, zero-lag entries included, in no particular order; empty when there
   * are none (where nats-server returns nil).
   */
  public synchronized List<String> peers() {
    return lags == null ? List.of() : new ArrayList<>(lags.keySet());
  }
}
