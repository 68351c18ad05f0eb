package io.jscluster.raft;

/**
 * One peer as this node reports it.
 *
 * @param id the peer id
 * @param current whether it is considered current (see NRG peer reporting)
 * @param lastHeardMillis runtime time of the last contact, or -1 if never
 * @param lastIndex the last index it acknowledged (known to a leader only)
 * @param lag how far its acknowledged index trails the commit index (leader only, else 0)
 */
public record PeerInfo(String id, boolean current, long lastHeardMillis, long lastIndex,
    long lag) {}
