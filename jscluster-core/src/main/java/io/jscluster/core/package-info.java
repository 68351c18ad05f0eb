/**
 * jscluster's public entry point: {@link io.jscluster.core.ClusterNode}, one server of a cluster
 * hosting the meta Raft group and one Raft group per replicated stream, built from a
 * {@link io.jscluster.core.ClusterConfig}, a {@link io.jscluster.raft.transport.Transport} and a
 * {@link io.jscluster.core.Scheduler}; its storage ({@link io.jscluster.core.NodeStorage}); the
 * public result types ({@link io.jscluster.core.PubAck}, {@link io.jscluster.core.StreamInfo},
 * {@link io.jscluster.core.ApiError}); and {@link io.jscluster.core.RaftGroupHost}, which drives
 * one Raft node on the scheduler for the meta and stream layers.
 */
package io.jscluster.core;
