package io.jscluster.core.info;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A thread-safe {@link NodeDirectory}: node id to {@link NodeDirectory.NodeInfo}, updated as
 * servers announce themselves, shut down or come back. Entries are never removed by going
 * offline, only marked, so cluster info can still name an offline peer.
 */
public final class NodeTable implements NodeDirectory {

  private final Map<String, NodeInfo> nodes = new ConcurrentHashMap<>();

  @Override
  public NodeInfo lookup(String id) {
    return id == null ? null : nodes.get(id);
  }

  /** Records (or replaces) what is known of node {@code id}. */
  public void put(String id, NodeInfo info) {
    nodes.put(id, info);
  }

  /** Marks node {@code id} offline (its server shut down); unknown ids are ignored. */
  public void markOffline(String id) {
    nodes.computeIfPresent(id, (k, v) -> v.withOffline(true));
  }

  /** Marks node {@code id} online again; unknown ids are ignored. */
  public void markOnline(String id) {
    nodes.computeIfPresent(id, (k, v) -> v.withOffline(false));
  }

  /** Removes node {@code id} (the peer was removed from the cluster). */
  public void remove(String id) {
    nodes.remove(id);
  }

  /**
   * The server names among {@code memberIds} (the meta group's peers) that are usable for
   * placement: known, online, JetStream-enabled and with statistics received (nats-server
   * {@code JetStreamClusterPeers}), in the order given.
   */
  public List<String> usablePeerNames(Collection<String> memberIds) {
    List<String> names = new ArrayList<>();
    for (String id : memberIds) {
      NodeInfo ni = nodes.get(id);
      if (ni == null || ni.offline() || !ni.jetStream() || !ni.statsKnown()) {
        continue;
      }
      names.add(ni.name());
    }
    return names;
  }
}
