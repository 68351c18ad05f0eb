package io.jscluster.core.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.raft.wire.NodeIds;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SyncSubjectsTest {

  @Test
  void subjectsHaveTheirShapeAndAreDeterministicForASeed() {
    SyncSubjects a = new SyncSubjects(new SplittableRandom(7));
    SyncSubjects b = new SyncSubjects(new SplittableRandom(7));
    String sync = a.syncSubjForStream();
    assertThat(sync).matches("\\$JSC\\.SYNC\\.[0-9A-Za-z]{8}");
    assertThat(b.syncSubjForStream()).isEqualTo(sync);
    assertThat(a.syncReplySubject()).matches("\\$JSC\\.R\\.[0-9A-Za-z]{8}");
    assertThat(a.infoReplySubject()).matches("\\$JSC\\.R\\.[0-9A-Za-z]{8}");
    assertThat(a.syncAckSubject()).matches("\\$JSC\\.ACK\\.[0-9A-Za-z]{8}\\.\\*");
    assertThat(a.syncSubject("X.Y")).matches("X\\.Y\\.[0-9A-Za-z]{8}");
  }

  @Test
  void tokenIsTheLowBase62DigitsOfANonNegative63BitValue() {
    // A generator that returns a negative long: the sign bit must be dropped (Go's Int63).
    SyncSubjects s = new SyncSubjects(new java.util.Random() {
      @Override
      public long nextLong() {
        return -1L;
      }
    });
    assertThat(s.syncSubjForStream()).isEqualTo("$JSC.SYNC." + NodeIds.token(Long.MAX_VALUE));
    // 62 -> "01000000": least significant digit first.
    assertThat(NodeIds.token(62)).isEqualTo("01000000");
  }

  @Test
  void ackReplyCarriesTheMessageLength() {
    String sub = "$JSC.ACK.abcdEFGH.*";
    assertThat(SyncSubjects.ackReply(sub, 1047)).isEqualTo("$JSC.ACK.abcdEFGH.1047");
    assertThat(SyncSubjects.ackReplySize("$JSC.ACK.abcdEFGH.1047")).isEqualTo(1047);
    assertThat(SyncSubjects.ackReplySize("$JSC.ACK.abcdEFGH.")).isEqualTo(-1);
    assertThat(SyncSubjects.ackReplySize("$JSC.ACK.abcdEFGH.12x")).isEqualTo(-1);
    assertThat(SyncSubjects.ackReplySize("nodots")).isZero();
    assertThat(SyncSubjects.ackReplySize(".5")).isZero();
  }

  @Test
  void infoSubjects() {
    assertThat(SyncSubjects.clusterStreamInfo("$G", "TEST")).isEqualTo("$JSC.SI.$G.TEST");
    assertThat(SyncSubjects.clusterConsumerInfo("$G", "TEST", "C"))
        .isEqualTo("$JSC.CI.$G.TEST.C");
    assertThat(SyncSubjects.accountUsageSubscription("A")).isEqualTo("$JSC.ARU.A.*");
    assertThat(SyncSubjects.accountUsageUpdate("A", "x")).isEqualTo("$JSC.ARU.A.x");
  }
}
