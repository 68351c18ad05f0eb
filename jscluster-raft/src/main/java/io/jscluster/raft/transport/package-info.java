/**
 * The transport SPI: subject-addressed messages (subject, optional reply subject, payload) as in
 * NATS, so an embedding server can carry Raft traffic on its own routes. {@link
 * io.jscluster.raft.transport.InMemoryNetwork} connects endpoints in one JVM; its {@link
 * io.jscluster.raft.transport.InMemoryNetwork.Dispatcher} decides when (and whether) each copy of a
 * message is delivered, which is how the simulation injects faults.
 */
package io.jscluster.raft.transport;
