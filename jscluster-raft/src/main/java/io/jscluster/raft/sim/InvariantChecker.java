package io.jscluster.raft.sim;

import io.jscluster.raft.RaftState;
import io.jscluster.raft.log.LogException;
import io.jscluster.raft.log.RaftLog;
import io.jscluster.raft.wire.AppendEntry;
import io.jscluster.raft.wire.Entry;
import io.jscluster.raft.wire.EntryType;
import io.jscluster.raft.wire.RaftCodec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Raft safety invariants checked while a simulation runs and on demand: at most one leader per
 * term, leader completeness (a new leader holds every entry known committed), state-machine safety
 * (no two nodes apply different entries at one index), log matching, and convergence (every
 * committed entry applied by every live node), and that read-index barriers are linearizable
 * (never granted below an index already applied somewhere when the read was requested). Violations are collected, not thrown, so the run
 * can finish and report its seed.
 */
public final class InvariantChecker {

  private final Map<Long, String> leaderOfTerm = new HashMap<>();
  private final TreeMap<Long, List<Entry>> committed = new TreeMap<>();
  private final Map<String, Long> lastLeaderTermSeen = new HashMap<>();
  private final List<String> violations = new ArrayList<>();
  private final Map<Long, Long> readIndexes = new HashMap<>();

  /** Records a violation found elsewhere (for example by a node's storage checks). */
  public void violation(String what) {
    violations.add(what);
  }

  /** Every violation found so far. */
  public List<String> violations() {
    return violations;
  }

  /** Entries known to be committed (applied somewhere), by index. */
  public TreeMap<Long, List<Entry>> committed() {
    return committed;
  }

  /** Leaders by term, as observed. */
  public Map<Long, String> leaders() {
    return leaderOfTerm;
  }

  void observe(SimNode n) {
    if (n.raft() == null || n.raft().state() != RaftState.LEADER) {
      return;
    }
    long term = n.raft().term();
    String prev = leaderOfTerm.putIfAbsent(term, n.id());
    if (prev != null && !prev.equals(n.id())) {
      violations.add("two leaders in term " + term + ": " + prev + " and " + n.id());
    }
    Long seen = lastLeaderTermSeen.get(n.id());
    if (seen == null || seen != term) {
      lastLeaderTermSeen.put(n.id(), term);
      // Indexes below the log's first are covered by the leader's snapshot.
      for (Map.Entry<Long, List<Entry>> e
          : committed.tailMap(n.log().firstIndex(), true).entrySet()) {
        List<Entry> have = surfacedAt(n.log(), e.getKey());
        if (!e.getValue().equals(have)) {
          violations.add("leader " + n.id() + " of term " + term + " lacks committed index "
              + e.getKey());
          break;
        }
      }
    }
  }

  void onApply(SimNode n, long index, List<Entry> entries) {
    List<Entry> prev = committed.putIfAbsent(index, entries);
    if (prev != null && !prev.equals(entries)) {
      violations.add(n.id() + " applied different entries at index " + index + ": " + entries
          + " where " + prev + " was applied");
    }
  }

  /**
   * Records a read-index request: the read it guards must observe every entry applied anywhere
   * before now, so the index it is granted may not be below the highest such index.
   */
  public void onReadRequested(long requestId) {
    readIndexes.put(requestId, committed.isEmpty() ? 0L : committed.lastKey());
  }

  void onRead(SimNode n, long requestId, long index) {
    Long floor = readIndexes.remove(requestId);
    if (floor != null && index < floor) {
      violations.add("stale read " + requestId + " at " + n.id() + ": index " + index
          + " below committed " + floor);
    }
  }

  /** The entries index {@code i} of {@code log} surfaces to the upper layer, or null if absent. */
  public static List<Entry> surfacedAt(RaftLog log, long i) {
    try {
      AppendEntry ae = RaftCodec.decodeAppendEntry(log.read(i).data());
      List<Entry> out = new ArrayList<>();
      for (Entry e : ae.entries()) {
        switch (e.type()) {
          case NORMAL, SNAPSHOT, ADD_PEER, REMOVE_PEER -> out.add(e);
          case OLD_SNAPSHOT -> out.add(new Entry(EntryType.SNAPSHOT, e.data()));
          default -> { }
        }
      }
      return out;
    } catch (LogException e) {
      return null;
    }
  }

  /**
   * Log matching over the given nodes' logs: where two logs hold the same term at an index, they
   * hold the same entries there and the same terms at every earlier index.
   */
  public void checkLogMatching(Collection<SimNode> nodes) {
    List<SimNode> list = new ArrayList<>(nodes);
    for (int a = 0; a < list.size(); a++) {
      for (int b = a + 1; b < list.size(); b++) {
        RaftLog la = list.get(a).log();
        RaftLog lb = list.get(b).log();
        long hi = Math.min(la.lastIndex(), lb.lastIndex());
        long lo = Math.max(la.firstIndex(), lb.firstIndex());
        boolean matchedAbove = false;
        for (long i = hi; i >= lo; i--) {
          boolean same = la.termAt(i) == lb.termAt(i);
          if (same && !entriesEqual(la, lb, i)) {
            violations.add("logs of " + list.get(a).name() + " and " + list.get(b).name()
                + " differ at index " + i + " with equal terms: "
                + RaftCodec.decodeAppendEntry(la.read(i).data()) + " / "
                + RaftCodec.decodeAppendEntry(lb.read(i).data()));
          }
          if (matchedAbove && !same) {
            violations.add("logs of " + list.get(a).id() + " and " + list.get(b).id()
                + " match above index " + i + " but not at it");
          }
          matchedAbove |= same;
        }
      }
    }
  }

  private static boolean entriesEqual(RaftLog a, RaftLog b, long i) {
    return RaftCodec.decodeAppendEntry(a.read(i).data()).entries()
        .equals(RaftCodec.decodeAppendEntry(b.read(i).data()).entries());
  }

  /** Every committed entry is applied, identically, by every given node. */
  public void checkConverged(Collection<SimNode> nodes) {
    for (SimNode n : nodes) {
      for (Map.Entry<Long, List<Entry>> e : committed.entrySet()) {
        List<Entry> got = n.applied().get(e.getKey());
        if (got == null) {
          violations.add(n.id() + " never applied committed index " + e.getKey());
          return;
        }
        if (!got.equals(e.getValue())) {
          violations.add(n.id() + " applied different entries at " + e.getKey());
          return;
        }
      }
    }
  }
}
