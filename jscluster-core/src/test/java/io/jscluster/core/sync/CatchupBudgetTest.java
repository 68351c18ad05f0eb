package io.jscluster.core.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CatchupBudgetTest {

  @Test
  @DisplayName("Go: TestJetStreamClusterMaxOutstandingCatchup (budget parts)")
  void defaultConfiguredAndReload() {
    assertThat(new CatchupBudget(0).maxBytes()).isEqualTo(64L * 1024 * 1024);
    assertThat(new CatchupBudget(1024).maxBytes()).isEqualTo(1024);
    assertThat(new CatchupBudget(0).maxMsgs()).isEqualTo(Long.MAX_VALUE);
    assertThatThrownBy(() -> new CatchupBudget(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("jetstream max catchup cannot be negative");
    assertThatThrownBy(() -> CatchupBudget.checkReload(1024, 1048576))
        .hasMessage("config reload not supported for JetStreamMaxCatchup: old=1024, new=1048576");
    CatchupBudget.checkReload(1024, 1024);
  }

  @Test
  void belowMaxIsInclusiveAndTotalsTrackRuns() {
    CatchupBudget b = new CatchupBudget(100);
    CatchupBudget.Outstanding r1 = b.open();
    CatchupBudget.Outstanding r2 = b.open();
    r1.add(60);
    r2.add(40);
    assertThat(b.totalBytes()).isEqualTo(100);
    assertThat(b.totalMsgs()).isEqualTo(2);
    assertThat(b.belowMax()).isTrue(); // 100 <= 100
    r2.add(1);
    assertThat(b.belowMax()).isFalse();
    r2.sub(1);
    assertThat(r2.bytes()).isEqualTo(40);
    assertThat(r2.msgs()).isEqualTo(1);
  }

  @Test
  void kickArmsAtMaxAndFiresOnceWhenTotalDropsBelow() {
    CatchupBudget b = new CatchupBudget(100);
    List<String> woken = new ArrayList<>();
    assertThat(b.awaitKick(() -> woken.add("early"))).isFalse();
    CatchupBudget.Outstanding r1 = b.open();
    r1.add(99);
    assertThat(b.kickArmed()).isFalse();
    r1.add(1); // total 100 >= max: armed
    assertThat(b.kickArmed()).isTrue();
    assertThat(b.awaitKick(() -> woken.add("a"))).isTrue();
    assertThat(b.awaitKick(() -> woken.add("b"))).isTrue();
    Runnable c = () -> woken.add("c");
    b.awaitKick(c);
    b.cancelKick(c);
    r1.sub(1); // 99 < 100: fires
    assertThat(woken).containsExactly("a", "b");
    assertThat(b.kickArmed()).isFalse();
    r1.sub(1);
    assertThat(woken).hasSize(2);
  }

  @Test
  void closeReturnsTheRemainderAndLaterAcksAreIgnored() {
    CatchupBudget b = new CatchupBudget(10);
    CatchupBudget.Outstanding r1 = b.open();
    CatchupBudget.Outstanding r2 = b.open();
    r1.add(8);
    r1.add(8);
    r2.add(5);
    List<String> woken = new ArrayList<>();
    b.awaitKick(() -> woken.add("x"));
    r1.close();
    assertThat(b.totalBytes()).isEqualTo(5);
    assertThat(b.totalMsgs()).isEqualTo(1);
    assertThat(woken).containsExactly("x");
    r1.sub(8); // a late ack after the run ended
    assertThat(b.totalBytes()).isEqualTo(5);
    r1.close();
    assertThat(b.totalBytes()).isEqualTo(5);
    r2.sub(5);
    assertThat(b.totalBytes()).isZero();
    r2.sub(5); // counter already zero: ignored
    assertThat(b.totalBytes()).isZero();
  }

  @Test
  void messageMaximumGatesAndKicksToo() {
    CatchupBudget b = new CatchupBudget(1 << 20, 2);
    CatchupBudget.Outstanding r = b.open();
    r.add(1);
    r.add(1);
    assertThat(b.kickArmed()).isTrue();
    assertThat(b.belowMax()).isTrue();
    r.add(1);
    assertThat(b.belowMax()).isFalse();
    List<String> woken = new ArrayList<>();
    b.awaitKick(() -> woken.add("w"));
    r.sub(1);
    assertThat(woken).isEmpty(); // 2 msgs is not below 2
    r.sub(1);
    assertThat(woken).containsExactly("w");
    assertThatThrownBy(() -> new CatchupBudget(1, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void concurrentAddsAndSubsBalance() throws Exception {
    CatchupBudget b = new CatchupBudget(1000);
    Thread[] ts = new Thread[4];
    for (int i = 0; i < ts.length; i++) {
      ts[i] = new Thread(() -> {
        CatchupBudget.Outstanding o = b.open();
        for (int k = 0; k < 10_000; k++) {
          o.add(7);
          b.awaitKick(() -> {});
          o.sub(7);
        }
        o.close();
      });
      ts[i].start();
    }
    for (Thread t : ts) {
      t.join();
    }
    assertThat(b.totalBytes()).isZero();
    assertThat(b.totalMsgs()).isZero();
  }

  @Test
  void subAllEqualsOneSubPerAckAndRefusesMoreAcksThanOutstanding() {
    CatchupBudget a = new CatchupBudget(100);
    CatchupBudget b = new CatchupBudget(100);
    CatchupBudget.Outstanding ra = a.open();
    CatchupBudget.Outstanding rb = b.open();
    for (int i = 0; i < 5; i++) {
      ra.add(25);
      rb.add(25);
    }
    assertThat(a.kickArmed()).isTrue();
    List<String> woken = new ArrayList<>();
    assertThat(a.awaitKick(() -> woken.add("a"))).isTrue();
    assertThat(b.awaitKick(() -> woken.add("b"))).isTrue();
    assertThat(ra.subAll(75, 3)).isTrue();
    for (int i = 0; i < 3; i++) {
      rb.sub(25);
    }
    assertThat(ra.bytes()).isEqualTo(rb.bytes()).isEqualTo(50);
    assertThat(ra.msgs()).isEqualTo(rb.msgs()).isEqualTo(2);
    assertThat(a.totalBytes()).isEqualTo(b.totalBytes());
    assertThat(woken).containsExactly("a", "b");
    assertThat(ra.hasRoom(50, 2)).isTrue();
    assertThat(ra.hasRoom(49, 2)).isFalse();
    assertThat(ra.hasRoom(50, 1)).isFalse();
    // More acks than outstanding (late or duplicated): nothing changes, the caller goes one by one.
    assertThat(ra.subAll(75, 3)).isFalse();
    assertThat(ra.bytes()).isEqualTo(50);
    assertThat(a.totalMsgs()).isEqualTo(2);
    ra.close();
    assertThat(ra.subAll(0, 0)).isTrue();
    assertThat(a.totalBytes()).isZero();
  }

  @Test
  void addAndHasRoomIsAddThenHasRoomUnderOneLock() {
    CatchupBudget b = new CatchupBudget(100, 3);
    CatchupBudget.Outstanding r = b.open();
    CatchupBudget.Outstanding other = b.open();
    // Run limits: 50 bytes, 2 messages; server: 100 bytes, 3 messages (all inclusive).
    assertThat(r.addAndHasRoom(30, 50, 2)).isTrue();
    assertThat(r.addAndHasRoom(20, 50, 2)).as("run at 50 bytes, 2 messages: still within").isTrue();
    assertThat(r.addAndHasRoom(1, 50, 2)).as("run past its byte and message limits").isFalse();
    assertThat(r.bytes()).isEqualTo(51);
    assertThat(r.msgs()).isEqualTo(3);
    assertThat(b.totalBytes()).isEqualTo(51);
    assertThat(b.kickArmed()).as("server message maximum reached").isTrue();
    r.close();
    assertThat(other.addAndHasRoom(100, Long.MAX_VALUE, Long.MAX_VALUE)).as("server total at its maximum").isTrue();
    assertThat(other.addAndHasRoom(1, Long.MAX_VALUE, Long.MAX_VALUE)).as("server total past it").isFalse();
    assertThat(other.hasRoom(Long.MAX_VALUE, Long.MAX_VALUE)).isFalse();
  }
}
