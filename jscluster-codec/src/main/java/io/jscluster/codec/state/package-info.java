/**
 * Stream snapshot formats: the AVL {@link io.jscluster.codec.state.SequenceSet} of deleted
 * sequences, the delete blocks, and the binary and legacy JSON encodings of
 * {@link io.jscluster.codec.state.StreamReplicatedState}, byte-exact with nats-server.
 */
package io.jscluster.codec.state;
