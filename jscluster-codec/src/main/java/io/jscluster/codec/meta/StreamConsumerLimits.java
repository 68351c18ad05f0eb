package io.jscluster.codec.meta;

import io.jscluster.codec.json.RawJsonMember;
import java.util.List;

/**
 * Defaults for consumers of a stream (Go {@code StreamConsumerLimits}):
 * {@code inactive_threshold} and {@code max_ack_pending}, both omitempty. The member itself is
 * always written, as {@code {}} when empty.
 *
 * @param inactiveThreshold nanoseconds
 * @param maxAckPending maximum pending acks
 * @param unknown members this version does not model
 */
public record StreamConsumerLimits(long inactiveThreshold, long maxAckPending, List<RawJsonMember> unknown) {

  /** No limits. */
  public static final StreamConsumerLimits NONE = new StreamConsumerLimits(0, 0, List.of());

  /** Copies the unknown members. */
  public StreamConsumerLimits {
    unknown = Values.members(unknown);
  }
}
