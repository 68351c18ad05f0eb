package io.jscluster.core;

import io.jscluster.codec.meta.StreamConfig;
import io.jscluster.core.store.StreamState;
import java.util.List;

/**
 * What one replica knows about a stream.
 *
 * @param config the stream's configuration
 * @param state the local store's state
 * @param group the Raft group name ({@code cluster.raft_group} in nats-server's STREAM.INFO)
 * @param peers the node ids of the replicas
 * @param leader the node id of the current stream leader, or "" when unknown
 * @param clfs the count of clustered proposals that stored nothing (CLFS)
 * @param current whether this replica is current (see {@link ClusterNode#isStreamCurrent})
 */
public record StreamInfo(StreamConfig config, StreamState state, String group, List<String> peers,
    String leader, long clfs, boolean current) {

  /** Copies the peer list. */
  public StreamInfo {
    peers = List.copyOf(peers);
  }
}
