/**
 * Cluster info of a replicated stream or consumer, as nats-server reports it in STREAM.INFO and
 * {@code $JSC.SI} responses: the values ({@link io.jscluster.core.info.ClusterInfo},
 * {@link io.jscluster.core.info.PeerInfo}, ...), their Go-identical JSON
 * ({@link io.jscluster.core.info.ClusterInfoJson}), and the computation
 * ({@link io.jscluster.core.info.ClusterInfoReporter}) over two small read-only views: the Raft
 * group ({@link io.jscluster.core.info.RaftGroupView}) and the server's node table
 * ({@link io.jscluster.core.info.NodeDirectory}).
 */
package io.jscluster.core.info;
