/**
 * The meta layer: the replicated table of stream assignments (nats-server ops 0, 11 and 2), the
 * meta leader's proposals with replica placement, and the hand-off of applied assignments to
 * the node that hosts the replicas.
 */
package io.jscluster.core.meta;
