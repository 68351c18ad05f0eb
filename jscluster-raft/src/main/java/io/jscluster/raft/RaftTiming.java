package io.jscluster.raft;

/**
 * The timers and limits of a Raft group, in milliseconds of the runtime's clock. {@link
 * #NRG_DEFAULTS} are nats-server's values.
 *
 * @param electionMin lower bound of the random election timeout
 * @param electionMax upper bound (exclusive) of the random election timeout
 * @param campaignMin lower bound of the short campaign timeout
 * @param campaignMax upper bound (exclusive) of the short campaign timeout
 * @param campaignImmediate the timeout armed by {@code campaignImmediately()}
 * @param transferCampaign the timeout armed on the target of a leader transfer
 * @param heartbeat interval of leader heartbeats
 * @param lostQuorum interval of the leader's quorum check and the window a peer must be heard in
 * @param observerTimer the election timer while observer or paused
 * @param blockedRetry retry delay when candidacy is refused for unprocessed commits
 * @param selfRemovalRetry retry delay when our own removal is in flight
 * @param catchupInactivity leader: streamer exits after this long without progress
 * @param catchupStall follower: catch-up is stalled after this long without log progress
 * @param healthyLeaderContact follower: the leader must have been heard within this for health
 * @param transferTargetContact a transfer target must have been heard within this
 */
public record RaftTiming(long electionMin, long electionMax, long campaignMin, long campaignMax,
    long campaignImmediate, long transferCampaign, long heartbeat, long lostQuorum,
    long observerTimer, long blockedRetry, long selfRemovalRetry, long catchupInactivity,
    long catchupStall, long healthyLeaderContact, long transferTargetContact) {

  /** nats-server's timers. */
  public static final RaftTiming NRG_DEFAULTS = new RaftTiming(4_000, 9_000, 100, 800, 50, 10,
      1_000, 10_000, 48L * 3600_000, 1_000, 4_000, 2_000, 2_000, 2_000, 3_000);

  /** Checks that every range is non-empty and every interval positive. */
  public RaftTiming {
    if (electionMin <= 0 || electionMax <= electionMin || campaignMin <= 0
        || campaignMax <= campaignMin || heartbeat <= 0 || lostQuorum <= 0) {
      throw new IllegalArgumentException("invalid timing");
    }
  }
}
