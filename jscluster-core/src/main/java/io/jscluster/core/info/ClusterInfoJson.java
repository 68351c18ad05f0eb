package io.jscluster.core.info;

import io.jscluster.codec.json.GoJsonWriter;
import io.jscluster.codec.meta.Placement;
import java.util.List;

/**
 * Go {@code encoding/json} output of the cluster-info values, member for member in nats-server's
 * struct order with its {@code omitempty} rules. Thread-safe (no state).
 */
public final class ClusterInfoJson {

  private ClusterInfoJson() {}

  /** {@code json.Marshal(ClusterInfo)}. */
  public static byte[] encode(ClusterInfo ci) {
    GoJsonWriter w = new GoJsonWriter();
    write(w, ci);
    return w.toByteArray();
  }

  /** {@code json.Marshal(PeerInfo)}. */
  public static byte[] encode(PeerInfo p) {
    GoJsonWriter w = new GoJsonWriter();
    write(w, p);
    return w.toByteArray();
  }

  /** {@code json.Marshal([]StreamAlternate)}; null for a nil slice. */
  public static byte[] encode(List<StreamAlternate> alts) {
    GoJsonWriter w = new GoJsonWriter();
    writeAlternates(w, alts);
    return w.toByteArray();
  }

  /** Writes a ClusterInfo object value. */
  public static void write(GoJsonWriter w, ClusterInfo ci) {
    w.beginObject();
    w.strOmit("name", ci.name());
    w.strOmit("raft_group", ci.raftGroup());
    w.strOmit("leader", ci.leader());
    w.timePtrOmit("leader_since", ci.leaderSince());
    w.boolOmit("system_account", ci.systemAccount());
    w.strOmit("traffic_account", ci.trafficAccount());
    writePeersOmit(w, "replicas", ci.replicas());
    if (ci.desired() != null) {
      w.name("desired");
      write(w, ci.desired());
    }
    w.endObject();
  }

  /** Writes a DesiredClusterInfo object value. */
  public static void write(GoJsonWriter w, DesiredClusterInfo d) {
    w.beginObject();
    w.strOmit("name", d.name());
    writePeersOmit(w, "replicas", d.replicas());
    DesiredClusterInfo.Origin o = d.origin();
    if (o != null) {
      w.name("origin").beginObject();
      w.i64("replicas", o.replicas());
      if (o.placement() != null) {
        w.name("placement");
        write(w, o.placement());
      }
      if (o.retention() != null) {
        w.str("retention", o.retention().json());
      }
      w.endObject();
    }
    MigrationStatus s = d.status();
    if (s != null) {
      w.name("status").beginObject();
      w.str("description", s.description());
      w.str("type", s.type().json());
      w.strOmit("err", s.err());
      w.endObject();
    }
    w.endObject();
  }

  /** Writes a Placement object value: {@code cluster}, {@code tags}, {@code preferred}. */
  public static void write(GoJsonWriter w, Placement p) {
    w.beginObject();
    w.strOmit("cluster", p.cluster());
    w.strListOmit("tags", p.tags());
    w.strOmit("preferred", p.preferred());
    w.endObject();
  }

  /** Writes a PeerInfo object value. */
  public static void write(GoJsonWriter w, PeerInfo p) {
    w.beginObject();
    w.str("name", p.name());
    w.bool("current", p.current());
    w.boolOmit("offline", p.offline());
    w.i64("active", p.activeNanos());
    w.u64Omit("lag", p.lag());
    w.str("peer", p.peer());
    w.boolOmit("pending", p.pending());
    w.endObject();
  }

  /** Writes a StreamAlternate array value ({@code null} for null). */
  public static void writeAlternates(GoJsonWriter w, List<StreamAlternate> alts) {
    if (alts == null) {
      w.nullValue();
      return;
    }
    w.beginArray();
    for (StreamAlternate a : alts) {
      w.beginObject();
      w.str("name", a.name());
      w.strOmit("domain", a.domain());
      w.str("cluster", a.cluster());
      w.endObject();
    }
    w.endArray();
  }

  private static void writePeersOmit(GoJsonWriter w, String name, List<PeerInfo> peers) {
    if (peers == null || peers.isEmpty()) {
      return;
    }
    w.name(name).beginArray();
    for (PeerInfo p : peers) {
      write(w, p);
    }
    w.endArray();
  }
}
