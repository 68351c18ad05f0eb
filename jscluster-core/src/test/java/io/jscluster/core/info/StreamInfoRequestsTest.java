package io.jscluster.core.info;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StreamInfoRequestsTest {

  private static final long S = 1_000_000_000L;

  @Test
  void leaderlessNeedsMembershipANodeAndTime() {
    assertThat(StreamInfoRequests.isGroupLeaderless(false, true, true, true, 60 * S, 60 * S))
        .isFalse();
    assertThat(StreamInfoRequests.isGroupLeaderless(true, false, true, true, 60 * S, 60 * S))
        .isFalse();
    assertThat(StreamInfoRequests.isGroupLeaderless(true, true, false, true, 60 * S, 60 * S))
        .isFalse();
    // A previous leader and JetStream up for more than 10 s.
    assertThat(StreamInfoRequests.isGroupLeaderless(true, true, true, true, 11 * S, 0)).isTrue();
    assertThat(StreamInfoRequests.isGroupLeaderless(true, true, true, true, 10 * S, 0)).isFalse();
    // Or a node older than the lost-quorum interval.
    assertThat(StreamInfoRequests.isGroupLeaderless(true, true, true, false, 0, 11 * S)).isTrue();
    assertThat(StreamInfoRequests.isGroupLeaderless(true, true, true, false, 60 * S, 10 * S))
        .isFalse();
  }

  @Test
  void onlyTheLeaderAnswersUnlessLeaderless() {
    assertThat(StreamInfoRequests.answerDelayNanos(true, true, false)).isZero();
    assertThat(StreamInfoRequests.answerDelayNanos(true, false, false)).isEqualTo(-1);
    assertThat(StreamInfoRequests.answerDelayNanos(true, false, true)).isEqualTo(S / 2);
    assertThat(StreamInfoRequests.answerDelayNanos(false, false, false)).isEqualTo(S / 2);
  }
}
