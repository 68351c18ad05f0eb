package io.jscluster.raft.wire;

/**
 * The messages Raft peers exchange. Each has a fixed NRG encoding (see the codec classes); all
 * integers are little-endian and u64 values are held in {@code long} with the same bits.
 */
public sealed interface RaftMessage
    permits AppendEntry, AppendEntryResponse, VoteRequest, VoteResponse {}
