/**
 * One node's replica of a stream: the leader's publish path (expectations, de-duplication,
 * discard-new limits, clustered sequence and failed-proposal accounting), the apply path every
 * replica runs on committed entries, and the catch-up traffic (serving sync requests as leader,
 * repairing damaged store ranges from the leader) driven through the {@code core.sync} machines.
 */
package io.jscluster.core.stream;
