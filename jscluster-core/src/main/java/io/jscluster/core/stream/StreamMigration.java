package io.jscluster.core.stream;

import io.jscluster.codec.meta.DesiredRaftGroup;
import io.jscluster.codec.meta.RaftGroup;
import io.jscluster.codec.meta.StreamAssignment;
import io.jscluster.core.meta.Reconcile;
import io.jscluster.core.sync.CatchupPeers;
import io.jscluster.raft.PeerInfo;
import io.jscluster.raft.RaftException;
import io.jscluster.raft.RaftNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One step of a stream leader's migration toward its assignment's desired peer set (nats-server
 * {@code runStreamMigration} without consumers or cluster moves): record the leader's term with
 * the meta leader; make sure the Raft log starts at a stream snapshot (a group just created for an
 * R1 scale-up has a full store and an empty log, so new peers must catch up through the snapshot);
 * remove Raft members the assignment no longer lists; add assigned desired peers one at a time;
 * choose the peers a scale-down keeps; ask the meta leader to list the desired peers; remove
 * surplus members one at a time, only while a store-current majority remains, the leader last (by
 * stepping down to a desired peer); before reporting a lone R1 member, make its store durable on
 * its own ({@code flushForScaleDown}: the Raft group and its log go once the meta leader agrees);
 * finally report the converged membership so the meta leader clears the desired state. Each call
 * takes at most one action.
 */
final class StreamMigration {

  /** What the migration acts through. */
  interface Env {
    /** The group's Raft node (this node leads it). */
    RaftNode node();

    /** The leader's term. */
    long term();

    /** The current assignment. */
    StreamAssignment assignment();

    /** The scheduler clock in ms. */
    long now();

    /** The leader's catch-up peers. */
    CatchupPeers catchups();

    /** Sends a request to the meta leader. */
    void reconcile(Reconcile r);

    /** Steps down, handing leadership to {@code preferred} when not empty. */
    void stepDown(String preferred);

    /** Proposes adding {@code peer} to the Raft group. */
    void addPeer(String peer);

    /** Proposes removing {@code peer} from the Raft group. */
    void removePeer(String peer);

    /** The stream store's last sequence (0 when it never held a message). */
    long storeLastSeq();

    /** Installs the stream's state as a Raft snapshot now; returns whether it was installed. */
    boolean installSnapshot();

    /**
     * Makes every message of the store durable without the Raft log (nats-server
     * {@code flushForScaleDown}).
     *
     * @throws io.jscluster.core.store.StoreException when the store cannot sync
     */
    void flushForScaleDown();
  }

  /** A peer counts as online when heard within this window (three heartbeats, as nats-server). */
  static final long ONLINE_WINDOW_MS = 3_000;

  private StreamMigration() {}

  /** Runs one step; returns what it did or waits for, or null when there is nothing to do. */
  static String step(Env env) {
    RaftNode n = env.node();
    if (!n.isLeader()) {
      return null;
    }
    StreamAssignment sa = env.assignment();
    RaftGroup rg = sa.group();
    DesiredRaftGroup d = rg == null ? null : rg.desired();
    if (d == null) {
      return null;
    }
    String self = n.id();
    long term = env.term();
    int replicas = (int) Math.max(1, sa.config().replicas());
    List<String> current = rg.peers() == null ? List.of() : rg.peers();
    List<String> desired = d.peers() == null ? List.of() : d.peers();
    String stream = sa.config().name();
    if (d.id().isEmpty() || d.term() != term) {
      env.reconcile(new Reconcile("$G", stream, d.id(), term, null, null, false));
      return "requesting desired state from meta leader";
    }
    if (n.snapshotIndex() == 0 && (n.needSnapshot() || env.storeLastSeq() != 0)) {
      // The log may not hold what the store holds (always so after an R1 scale-up): peers added
      // now must start from a snapshot of the store, never from an empty log.
      if (n.appliedIndex() == 0) {
        return "waiting for a first applied entry before the snapshot";
      }
      return env.installSnapshot() ? "installing snapshot" : "waiting to install snapshot";
    }
    if (n.membershipChangeInProgress()) {
      return "waiting for membership change to commit";
    }
    long now = env.now();
    List<PeerInfo> actual = n.peerInfos(now);
    List<String> actualIds = new ArrayList<>();
    for (PeerInfo p : actual) {
      actualIds.add(p.id());
    }
    List<String> evicted = new ArrayList<>();
    for (String p : actualIds) {
      if (!current.contains(p)) {
        evicted.add(p);
      }
    }
    if (!evicted.isEmpty()) {
      String remove = peerToRemove(n, self, actual, evicted, now);
      if (remove.equals(self)) {
        env.stepDown(stepDownPreferred(n, self, actual, desired, now));
        return "stepping down, evicted from group";
      }
      return act(() -> env.removePeer(remove), "removing evicted peer " + remove);
    }
    List<String> candidates = new ArrayList<>();
    for (String p : current) {
      if (!actualIds.contains(p) && desired.contains(p)) {
        candidates.add(p);
      }
    }
    if (!candidates.isEmpty()) {
      String add = peerToAdd(n, self, actual, candidates, now);
      if (add == null) {
        return "waiting for quorum to add peer";
      }
      return act(() -> env.addPeer(add), "adding peer " + add);
    }
    if (d.scaleDown()) {
      List<String> keep = sortForScaleDown(n, self, actual, desired, now);
      if (keep.size() > replicas) {
        keep = keep.subList(0, replicas);
      }
      env.reconcile(new Reconcile("$G", stream, d.id(), term, keep, null, false));
      return "selecting peers to scale down to";
    }
    boolean foundAll = current.containsAll(desired);
    if (!foundAll) {
      List<String> combined = new ArrayList<>(current);
      for (String p : desired) {
        if (!combined.contains(p)) {
          combined.add(p);
        }
      }
      env.reconcile(new Reconcile("$G", stream, d.id(), term, null, combined, false));
      return "expanding assignment with desired peers";
    }
    boolean exactMatch = sorted(current).equals(sorted(actualIds));
    List<String> remaining = new ArrayList<>();
    for (String p : actualIds) {
      if (!desired.contains(p)) {
        remaining.add(p);
      }
    }
    if (!remaining.isEmpty() && exactMatch) {
      String remove = peerToRemove(n, self, actual, remaining, now);
      int currentCount = 0;
      List<String> currentDesired = new ArrayList<>();
      CatchupPeers catchups = env.catchups();
      for (PeerInfo p : actual) {
        if (p.current() && p.lag() == 0 && !catchups.contains(p.id())) {
          if (!p.id().equals(remove)) {
            currentCount++;
          }
          if (desired.contains(p.id())) {
            currentDesired.add(p.id());
          }
        }
      }
      if (currentCount < (actual.size() - 1) / 2 + 1) {
        return "waiting for peers to catch up";
      }
      if (!currentDesired.isEmpty() && !desired.contains(self)) {
        if (currentDesired.size() < desired.size() / 2 + 1) {
          return "waiting for desired peers to catch up";
        }
        env.stepDown(stepDownPreferred(n, self, actual, currentDesired, now));
        return "stepping down to a desired peer";
      }
      if (!remove.equals(self)) {
        return act(() -> env.removePeer(remove), "removing peer " + remove);
      }
      env.stepDown("");
      return "stepping down before removing ourselves";
    }
    if (exactMatch && replicas == 1) {
      try {
        env.flushForScaleDown();
      } catch (io.jscluster.core.store.StoreException e) {
        return "waiting to flush stream before finalizing R1 assignment (" + e.getMessage() + ")";
      }
    }
    env.reconcile(new Reconcile("$G", stream, d.id(), term, null, actualIds, exactMatch));
    return exactMatch ? "converged, asking the meta leader to finish" : "waiting for peer set to settle";
  }

  private static String act(Runnable r, String status) {
    try {
      r.run();
      return status;
    } catch (RaftException e) {
      return status + " (" + e.getMessage() + ")";
    }
  }

  private static boolean online(RaftNode n, String self, String peer, long now) {
    if (peer.equals(self)) {
      return true;
    }
    long heard = n.lastHeardFrom(peer);
    return heard >= 0 && now - heard <= ONLINE_WINDOW_MS;
  }

  /**
   * Candidates ordered most-preferable-to-keep first: the current leader, then online peers, then
   * offline ones, then peers unknown to the group, lag breaking ties (nats-server
   * {@code sortScaleDownPeers}).
   */
  private static List<String> sortForScaleDown(RaftNode n, String leader, List<PeerInfo> current,
      List<String> candidates, long now) {
    Map<String, PeerInfo> byId = new HashMap<>();
    for (PeerInfo p : current) {
      byId.put(p.id(), p);
    }
    Map<String, long[]> rank = new HashMap<>();
    for (String id : candidates) {
      PeerInfo p = byId.get(id);
      if (id.equals(leader)) {
        rank.put(id, new long[] {0, 0});
      } else if (p == null) {
        rank.put(id, new long[] {3, 0});
      } else {
        rank.put(id, new long[] {online(n, leader, id, now) ? 1 : 2, p.lag()});
      }
    }
    List<String> out = new ArrayList<>(candidates);
    out.sort(Comparator.<String>comparingLong(id -> rank.get(id)[0]).thenComparingLong(id -> rank.get(id)[1]));
    return out;
  }

  private static String peerToRemove(RaftNode n, String leader, List<PeerInfo> current, List<String> remaining,
      long now) {
    List<String> s = sortForScaleDown(n, leader, current, remaining, now);
    return s.get(s.size() - 1);
  }

  private static String stepDownPreferred(RaftNode n, String self, List<PeerInfo> current, List<String> desired,
      long now) {
    List<String> candidates = new ArrayList<>();
    for (PeerInfo p : current) {
      if (!p.id().equals(self) && desired.contains(p.id())) {
        candidates.add(p.id());
      }
    }
    List<String> s = sortForScaleDown(n, "", current, candidates, now);
    return s.isEmpty() ? "" : s.get(0);
  }

  /**
   * The candidate heard from most recently (a candidate outside the Raft group is heard when it
   * answers the leader's append entries, {@link RaftNode#lastHeardFrom}); an unheard one only while
   * the members heard from still make a quorum of the grown group (nats-server
   * {@code selectPeerToAdd}); null if none.
   */
  private static String peerToAdd(RaftNode n, String self, List<PeerInfo> current, List<String> candidates,
      long now) {
    String add = null;
    long last = Long.MIN_VALUE;
    for (String p : candidates) {
      long heard = n.lastHeardFrom(p);
      if (heard >= 0 && now - heard <= ONLINE_WINDOW_MS && heard > last) {
        add = p;
        last = heard;
      }
    }
    if (add != null) {
      return add;
    }
    int live = 0;
    for (PeerInfo p : current) {
      if (online(n, self, p.id(), now)) {
        live++;
      }
    }
    // A lone member (the R1 peer of a scale-up) never reaches this quorum: it adds only a peer it
    // heard from, one whose replica already answers its append entries. Adding a peer that is
    // down would make the group of two wait for it, and the stream could take no publish.
    return live >= (current.size() + 1) / 2 + 1 ? candidates.get(0) : null;
  }

  private static List<String> sorted(List<String> in) {
    List<String> out = new ArrayList<>(in);
    out.sort(null);
    return out;
  }
}
