/**
 * The log-storage SPI of the Raft core: {@link io.jscluster.raft.log.RaftLog} (one record per log
 * index, each the term plus the opaque bytes of one append-entry batch) and {@link
 * io.jscluster.raft.log.TermVoteStore} (the current term and vote), with in-memory implementations.
 *
 * <p>NRG stores one append-entry batch per log index, so a record's payload is the whole encoded
 * batch; the log never interprets it. Durability is explicit: appends, truncations and compactions
 * become durable when {@link io.jscluster.raft.log.RaftLog#sync()} returns (or earlier, depending
 * on the {@link io.jscluster.raft.log.FsyncPolicy}). The core never acknowledges anything before
 * the promise it makes is durable.
 *
 * <p>Implementations are used by one thread at a time (the thread driving the Raft group); they
 * need not be thread-safe unless they say so.
 */
package io.jscluster.raft.log;
