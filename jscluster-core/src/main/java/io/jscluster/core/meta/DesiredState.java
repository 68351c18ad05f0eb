package io.jscluster.core.meta;

import io.jscluster.codec.meta.DesiredRaftGroup;
import io.jscluster.codec.meta.RaftGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The desired-state rules of a stream group on the meta leader (nats-server's
 * {@code raftGroup.withDesired} and {@code reconcileDesiredState}): an assignment that moves,
 * scales or loses a peer carries the target peer set in {@code desired}; the stream leader
 * converges the Raft membership toward it and reports progress with {@link Reconcile} requests,
 * which these rules turn into the next assignment. Consumers are not replicated by this port, so
 * nothing ever blocks completion on them. Pure functions.
 */
public final class DesiredState {

  private DesiredState() {}

  /**
   * {@code rg} with a fresh desired state targeting {@code targetPeers}, keeping an earlier
   * desired state's removed peers; {@code removed} is added to them.
   */
  public static RaftGroup withDesired(RaftGroup rg, List<String> targetPeers, List<String> removed,
      boolean scaleDown, Supplier<String> newId) {
    List<String> rem = new ArrayList<>();
    if (rg.desired() != null) {
      rem.addAll(nz(rg.desired().removed()));
    }
    for (String p : removed) {
      if (!rem.contains(p)) {
        rem.add(p);
      }
    }
    String preferred = nz(rg.peers()).size() == 1 ? rg.peers().get(0) : "";
    long term = 0;
    DesiredRaftGroup d = new DesiredRaftGroup(newId.get(), term, targetPeers, rg.cluster(), preferred,
        scaleDown, rg.desired() != null && rg.desired().move(), rem.isEmpty() ? null : rem,
        rg.desired() == null ? null : rg.desired().origin());
    return new RaftGroup(rg.name(), rg.peers(), rg.storage(), rg.cluster(), rg.preferred(), rg.scaleUp(),
        rg.excluded(), d);
  }

  /**
   * The group after applying {@code req} (nats-server {@code reconcileDesiredState} with every
   * consumer done), or null when the request changes nothing or is stale.
   */
  public static RaftGroup reconcile(RaftGroup rg, Reconcile req, int replicas, Supplier<String> newId) {
    if (req.scaleDownPeers() != null && req.metaPeers() != null) {
      return null;
    }
    DesiredRaftGroup d = rg.desired();
    if (d == null) {
      if (!req.id().isEmpty()) {
        return null;
      }
      List<String> peers = nz(rg.peers());
      boolean legacyMove = peers.size() > replicas;
      if (legacyMove) {
        peers = peers.subList(peers.size() - replicas, peers.size());
      }
      RaftGroup ng = withDesired(rg, peers, List.of(), false, newId);
      DesiredRaftGroup nd = ng.desired();
      return with(ng, new DesiredRaftGroup(nd.id(), req.term(), nd.peers(), nd.cluster(), nd.preferred(),
          false, legacyMove, nd.removed(), nd.origin()));
    }
    if (Long.compareUnsigned(req.term(), d.term()) < 0) {
      return null;
    }
    if (d.id().isEmpty() || !d.id().equals(req.id())) {
      return null;
    }
    if (d.term() == 0 || Long.compareUnsigned(req.term(), d.term()) > 0) {
      // A new group leader first has its term recorded; only then are its updates accepted.
      return with(rg, new DesiredRaftGroup(newId.get(), req.term(), d.peers(), d.cluster(), d.preferred(),
          d.scaleDown(), d.move(), d.removed(), d.origin()));
    }
    if (d.scaleDown()) {
      if (req.scaleDownPeers() == null) {
        return null;
      }
      for (String p : req.scaleDownPeers()) {
        if (!nz(d.peers()).contains(p)) {
          return null;
        }
      }
      return with(rg, new DesiredRaftGroup(newId.get(), d.term(), req.scaleDownPeers(), d.cluster(),
          d.preferred(), false, d.move(), d.removed(), d.origin()));
    }
    if (req.metaPeers() == null) {
      return null;
    }
    List<String> desiredSorted = sorted(nz(d.peers()));
    List<String> metaSorted = sorted(req.metaPeers());
    if (desiredSorted.equals(metaSorted) && req.peersMatch()) {
      // Converged: the assignment lists exactly the desired peers and the desired state goes.
      List<String> excluded = nz(d.peers()).size() >= replicas ? null : rg.excluded();
      return new RaftGroup(rg.name(), d.peers(), rg.storage(), d.cluster(), "", rg.scaleUp(), excluded, null);
    }
    if (metaSorted.equals(sorted(nz(rg.peers())))) {
      return null;
    }
    boolean scaleUp = rg.scaleUp();
    for (String p : req.metaPeers()) {
      if (!nz(rg.peers()).contains(p)) {
        scaleUp = true;
        break;
      }
    }
    return new RaftGroup(rg.name(), req.metaPeers(), rg.storage(), rg.cluster(), rg.preferred(), scaleUp,
        rg.excluded(), new DesiredRaftGroup(newId.get(), d.term(), d.peers(), d.cluster(), d.preferred(),
            d.scaleDown(), d.move(), d.removed(), d.origin()));
  }

  private static RaftGroup with(RaftGroup rg, DesiredRaftGroup d) {
    return new RaftGroup(rg.name(), rg.peers(), rg.storage(), rg.cluster(), rg.preferred(), rg.scaleUp(),
        rg.excluded(), d);
  }

  /** A nil list as empty. */
  static List<String> nz(List<String> l) {
    return l == null ? List.of() : l;
  }

  private static List<String> sorted(List<String> in) {
    List<String> out = new ArrayList<>(in);
    out.sort(null);
    return out;
  }
}
