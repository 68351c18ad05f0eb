/**
 * The in-process cluster, a public testing API: N {@link io.jscluster.core.ClusterNode}s on the
 * simulated network in one JVM, in virtual time, with kills, restarts, partitions, slow nodes and
 * damaged files on demand, reproducible from one seed. See
 * {@link io.jscluster.core.cluster.InProcessCluster}.
 */
package io.jscluster.core.cluster;
