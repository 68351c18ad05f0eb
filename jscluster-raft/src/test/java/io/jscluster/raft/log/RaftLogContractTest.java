package io.jscluster.raft.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link RaftLog} must show. Extend it and implement {@link #openNew()} (a
 * fresh, empty log) and, for persistent logs, {@link #reopen(RaftLog)} (close and open the same
 * storage again after a clean shutdown).
 */
public abstract class RaftLogContractTest {

  private RaftLog log;

  /** A fresh, empty log. */
  protected abstract RaftLog openNew();

  /**
   * Reopens the storage behind {@code synced} after {@link RaftLog#sync()} and {@link
   * RaftLog#close()} were called on it; returns {@code null} when the log cannot be reopened (a
   * purely in-memory log), which skips the reopen checks.
   */
  protected abstract RaftLog reopen(RaftLog synced);

  @AfterEach
  void closeLog() {
    if (log != null) {
      log.close();
    }
  }

  private RaftLog log() {
    if (log == null) {
      log = openNew();
    }
    return log;
  }

  /** Payload used for index {@code i}: distinct per index, varying length. */
  protected static byte[] payload(long i) {
    return ("entry-" + i + "-" + "x".repeat((int) (i % 7))).getBytes(StandardCharsets.UTF_8);
  }

  private static void fill(RaftLog l, long from, long to, long term) {
    for (long i = from; i <= to; i++) {
      l.append(i, term, payload(i));
    }
  }

  @Test
  void newLogIsEmptyStartingAtOne() {
    RaftLog l = log();
    assertThat(l.firstIndex()).isEqualTo(1);
    assertThat(l.lastIndex()).isZero();
    assertThat(l.lastTerm()).isZero();
    assertThat(l.isEmpty()).isTrue();
    assertThat(l.size()).isZero();
    assertThat(l.byteSize()).isZero();
  }

  @Test
  void appendAndReadBack() {
    RaftLog l = log();
    l.append(1, 1, payload(1));
    l.append(2, 1, payload(2));
    l.append(3, 4, payload(3));
    assertThat(l.firstIndex()).isEqualTo(1);
    assertThat(l.lastIndex()).isEqualTo(3);
    assertThat(l.lastTerm()).isEqualTo(4);
    assertThat(l.size()).isEqualTo(3);
    assertThat(l.byteSize()).isPositive();
    for (long i = 1; i <= 3; i++) {
      LogRecord r = l.read(i);
      assertThat(r.index()).isEqualTo(i);
      assertThat(r.data()).isEqualTo(payload(i));
      assertThat(l.termAt(i)).isEqualTo(i == 3 ? 4 : 1);
    }
  }

  @Test
  void appendMustBeContiguousAndTermPositive() {
    RaftLog l = log();
    assertThatThrownBy(() -> l.append(2, 1, payload(2))).isInstanceOfSatisfying(
        LogException.class, e -> assertThat(e.kind()).isEqualTo(LogException.Kind.SEQUENCE_MISMATCH));
    l.append(1, 1, payload(1));
    assertThatThrownBy(() -> l.append(1, 1, payload(1))).isInstanceOf(LogException.class);
    assertThatThrownBy(() -> l.append(3, 1, payload(3))).isInstanceOf(LogException.class);
    assertThatThrownBy(() -> l.append(2, 0, payload(2))).isInstanceOf(LogException.class);
    assertThat(l.lastIndex()).isEqualTo(1);
  }

  @Test
  void readsOutsideTheRangeAreTypedMisses() {
    RaftLog l = log();
    fill(l, 1, 5, 1);
    l.compactUpTo(2);
    assertThat(kindOfRead(l, 0)).isEqualTo(LogException.Kind.BEYOND_END);
    assertThat(kindOfRead(l, 1)).isEqualTo(LogException.Kind.NOT_FOUND);
    assertThat(kindOfRead(l, 2)).isEqualTo(LogException.Kind.NOT_FOUND);
    assertThat(kindOfRead(l, 6)).isEqualTo(LogException.Kind.BEYOND_END);
    assertThat(kindOfRead(l, Long.MAX_VALUE)).isEqualTo(LogException.Kind.BEYOND_END);
    assertThat(l.read(3).data()).isEqualTo(payload(3));
  }

  private static LogException.Kind kindOfRead(RaftLog l, long index) {
    try {
      l.read(index);
      return null;
    } catch (LogException e) {
      assertThat(e.isMissing()).isTrue();
      return e.kind();
    }
  }

  @Test
  void truncateAfterDropsTheTailAndAllowsRewriting() {
    RaftLog l = log();
    fill(l, 1, 6, 1);
    long bytesBefore = l.byteSize();
    l.truncateAfter(3);
    assertThat(l.lastIndex()).isEqualTo(3);
    assertThat(l.lastTerm()).isEqualTo(1);
    assertThat(l.byteSize()).isLessThan(bytesBefore);
    assertThat(kindOfRead(l, 4)).isEqualTo(LogException.Kind.BEYOND_END);
    l.append(4, 2, "new".getBytes(StandardCharsets.UTF_8));
    assertThat(l.read(4).term()).isEqualTo(2);
    assertThat(l.read(4).data()).isEqualTo("new".getBytes(StandardCharsets.UTF_8));
    l.truncateAfter(10);
    assertThat(l.lastIndex()).isEqualTo(4);
  }

  @Test
  void truncateAfterZeroResetsToNew() {
    RaftLog l = log();
    fill(l, 1, 4, 3);
    l.truncateAfter(0);
    assertThat(l.firstIndex()).isEqualTo(1);
    assertThat(l.lastIndex()).isZero();
    assertThat(l.isEmpty()).isTrue();
    assertThat(l.byteSize()).isZero();
    l.append(1, 5, payload(1));
    assertThat(l.lastTerm()).isEqualTo(5);
  }

  @Test
  void truncateBelowTheFirstIndexEmptiesTheLog() {
    RaftLog l = log();
    fill(l, 1, 10, 1);
    l.compactUpTo(5);
    l.truncateAfter(2);
    assertThat(l.isEmpty()).isTrue();
    assertThat(l.firstIndex()).isEqualTo(3);
    assertThat(l.lastIndex()).isEqualTo(2);
    l.append(3, 2, payload(3));
    assertThat(l.read(3).term()).isEqualTo(2);
  }

  @Test
  void truncateToJustBeforeFirstEmptiesKeepingFirst() {
    RaftLog l = log();
    fill(l, 1, 10, 1);
    l.compactUpTo(5);
    l.truncateAfter(5);
    assertThat(l.isEmpty()).isTrue();
    assertThat(l.firstIndex()).isEqualTo(6);
    assertThat(l.lastIndex()).isEqualTo(5);
  }

  @Test
  void compactDropsThePrefix() {
    RaftLog l = log();
    fill(l, 1, 10, 1);
    l.compactUpTo(4);
    assertThat(l.firstIndex()).isEqualTo(5);
    assertThat(l.lastIndex()).isEqualTo(10);
    assertThat(l.size()).isEqualTo(6);
    assertThat(l.read(5).data()).isEqualTo(payload(5));
    l.compactUpTo(2);
    assertThat(l.firstIndex()).isEqualTo(5);
    l.append(11, 2, payload(11));
    assertThat(l.lastTerm()).isEqualTo(2);
  }

  @Test
  void compactPastTheEndLeavesAnEmptyLogAtTheNextIndex() {
    RaftLog l = log();
    fill(l, 1, 3, 1);
    l.compactUpTo(100);
    assertThat(l.isEmpty()).isTrue();
    assertThat(l.firstIndex()).isEqualTo(101);
    assertThat(l.lastIndex()).isEqualTo(100);
    assertThat(l.lastTerm()).isZero();
    assertThat(l.byteSize()).isZero();
    assertThat(kindOfRead(l, 3)).isEqualTo(LogException.Kind.NOT_FOUND);
    assertThatThrownBy(() -> l.append(4, 1, payload(4))).isInstanceOf(LogException.class);
    l.append(101, 7, payload(101));
    assertThat(l.firstIndex()).isEqualTo(101);
    assertThat(l.read(101).term()).isEqualTo(7);
  }

  @Test
  void compactExactlyAtTheLastIndexEmptiesTheLog() {
    RaftLog l = log();
    fill(l, 1, 3, 2);
    l.compactUpTo(3);
    assertThat(l.isEmpty()).isTrue();
    assertThat(l.firstIndex()).isEqualTo(4);
    assertThat(l.lastIndex()).isEqualTo(3);
  }

  @Test
  void negativeIndexesAreRejected() {
    RaftLog l = log();
    assertThatThrownBy(() -> l.truncateAfter(-1)).isInstanceOf(LogException.class);
    assertThatThrownBy(() -> l.compactUpTo(-1)).isInstanceOf(LogException.class);
  }

  @Test
  void closedLogRefusesUse() {
    RaftLog l = openNew();
    l.append(1, 1, payload(1));
    l.close();
    l.close();
    assertThatThrownBy(l::lastIndex).isInstanceOfSatisfying(LogException.class,
        e -> assertThat(e.kind()).isEqualTo(LogException.Kind.CLOSED));
    assertThatThrownBy(() -> l.read(1)).isInstanceOf(LogException.class);
    assertThatThrownBy(() -> l.append(2, 1, payload(2))).isInstanceOf(LogException.class);
  }

  @Test
  void policyIsReported() {
    assertThat(log().fsyncPolicy()).isNotNull();
  }

  @Test
  void syncedStateSurvivesReopen() {
    RaftLog l = openNew();
    fill(l, 1, 20, 1);
    l.truncateAfter(15);
    fill(l, 16, 18, 2);
    l.compactUpTo(5);
    l.sync();
    l.close();
    RaftLog r = reopen(l);
    if (r == null) {
      return;
    }
    log = r;
    assertThat(r.firstIndex()).isEqualTo(6);
    assertThat(r.lastIndex()).isEqualTo(18);
    assertThat(r.lastTerm()).isEqualTo(2);
    for (long i = 6; i <= 18; i++) {
      assertThat(r.read(i).data()).isEqualTo(payload(i));
      assertThat(r.termAt(i)).isEqualTo(i > 15 ? 2 : 1);
    }
    r.append(19, 3, payload(19));
    assertThat(r.lastTerm()).isEqualTo(3);
  }

  @Test
  void randomOperationsMatchAReferenceModel() {
    long seed = 20261127L;
    Random rnd = new Random(seed);
    RaftLog l = log();
    java.util.TreeMap<Long, long[]> model = new java.util.TreeMap<>();
    long first = 1;
    long last = 0;
    for (int step = 0; step < 2000; step++) {
      int op = rnd.nextInt(10);
      if (op < 7) {
        long term = 1 + rnd.nextInt(5);
        l.append(last + 1, term, payload(last + 1));
        last++;
        model.put(last, new long[] {term});
      } else if (op < 9) {
        long to = Math.max(0, last - rnd.nextInt(5));
        l.truncateAfter(to);
        if (to < last) {
          model.tailMap(to, false).clear();
          if (to < first) {
            first = to + 1;
          }
          last = to;
        }
      } else {
        long to = first - 1 + rnd.nextInt(4);
        l.compactUpTo(to);
        if (to >= first) {
          model.headMap(to, true).clear();
          first = to + 1;
          last = Math.max(last, to);
        }
      }
      assertThat(l.firstIndex()).as("seed %d step %d", seed, step).isEqualTo(first);
      assertThat(l.lastIndex()).as("seed %d step %d", seed, step).isEqualTo(last);
      assertThat(l.lastTerm()).isEqualTo(model.isEmpty() ? 0 : model.lastEntry().getValue()[0]);
    }
    for (var e : model.entrySet()) {
      assertThat(l.read(e.getKey()).term()).isEqualTo(e.getValue()[0]);
      assertThat(l.read(e.getKey()).data()).isEqualTo(payload(e.getKey()));
    }
  }
}
