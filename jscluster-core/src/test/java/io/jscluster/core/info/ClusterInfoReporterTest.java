package io.jscluster.core.info;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.meta.ClientInfo;
import io.jscluster.codec.meta.DesiredRaftGroup;
import io.jscluster.codec.meta.DesiredRaftGroupOrigin;
import io.jscluster.codec.meta.Placement;
import io.jscluster.codec.meta.RaftGroup;
import io.jscluster.codec.meta.RetentionPolicy;
import io.jscluster.codec.meta.StreamAssignment;
import io.jscluster.codec.meta.StreamConfig;
import io.jscluster.codec.meta.StreamSource;
import io.jscluster.core.store.StoreClosedException;
import io.jscluster.core.sync.CatchupPeers;
import io.jscluster.raft.wire.NodeIds;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ClusterInfoReporterTest {

  private static final long SEC = 1_000_000_000L;
  private static final long NOW = 1_700_000_000L * SEC;

  private final NodeTable table = new NodeTable();

  private ClusterInfoReporter reporter(String server, String nodeId) {
    return new ClusterInfoReporter(server, "C1", nodeId, "", table, () -> NOW);
  }

  private static RaftGroup group(List<String> peers, DesiredRaftGroup desired) {
    return new RaftGroup("test", peers, null, "C1", "", false, List.of(), desired);
  }

  /** A Raft view with a fixed leader and peers. */
  private record View(String leader, List<RaftGroupView.RaftPeer> peers) implements RaftGroupView {
    @Override
    public String groupLeader() {
      return leader;
    }

    @Override
    public OffsetDateTime leaderSince() {
      return null;
    }

    @Override
    public boolean systemAccount() {
      return false;
    }

    @Override
    public String trafficAccount() {
      return "";
    }
  }

  private static View view(String leader, String... peerIds) {
    List<RaftGroupView.RaftPeer> ps = new ArrayList<>();
    for (String p : peerIds) {
      ps.add(new RaftGroupView.RaftPeer(p, false, 0, 0));
    }
    return new View(leader, ps);
  }

  private static NodeDirectory.NodeInfo node(String name, boolean offline) {
    return new NodeDirectory.NodeInfo(name, "C1", "", offline, true, true, true);
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterPendingPeersReportedInClusterInfo")
  void pendingPeers() {
    ClusterInfoReporter r = reporter("", "");
    RaftGroup rg = group(List.of("a", "b", "c"), null);
    ClusterInfo ci = r.clusterInfo(rg, view("", "a"), null);
    assertThat(ci.replicas()).hasSize(3);
    assertThat(ci.replica("a").pending()).isFalse();
    assertThat(ci.replica("b").pending()).isTrue();
    assertThat(ci.replica("c").pending()).isTrue();

    ci = r.clusterInfo(rg, view("", "a", "b", "c"), null);
    assertThat(ci.replicas()).hasSize(3).allMatch(p -> !p.pending());

    DesiredRaftGroup d =
        new DesiredRaftGroup("id", 0, List.of("a", "b", "c"), "C1", "", false, false, null, null);
    ci = r.clusterInfo(group(List.of("a", "b", "c"), d), null, null);
    assertThat(ci.replicas()).hasSize(3).allMatch(p -> !p.pending());
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterMigrationStatusReportedInClusterInfo")
  void migrationStatus() {
    ClusterInfoReporter r = reporter("", "");
    RaftGroupView n = view("");
    ClusterInfo ci =
        r.clusterInfo(
            group(List.of("a"), null),
            n,
            MigrationStatus.of(
                MigrationStatusType.META, "requesting desired state from meta leader"));
    assertThat(ci.desired()).isNotNull();
    assertThat(ci.desired().status().description())
        .isEqualTo("requesting desired state from meta leader");
    assertThat(ci.desired().status().type().json()).isEqualTo("meta");
    assertThat(ci.desired().status().err()).isEmpty();
    assertThat(ci.desired().name()).isEmpty();
    assertThat(ci.desired().replicas()).isEmpty();

    DesiredRaftGroup d =
        new DesiredRaftGroup("id", 0, List.of("a", "b"), "C1", "", false, false, null, null);
    ci =
        r.clusterInfo(
            group(List.of("a"), d),
            n,
            MigrationStatus.of(MigrationStatusType.MEMBERSHIP, "adding peer s2"));
    assertThat(ci.desired().status().description()).isEqualTo("adding peer s2");
    assertThat(ci.desired().status().type()).isEqualTo(MigrationStatusType.MEMBERSHIP);
    assertThat(ci.desired().name()).isEqualTo("C1");
    assertThat(ci.desired().replicas()).hasSize(2);

    MigrationStatus disk =
        MigrationStatus.of(MigrationStatusType.SNAPSHOT, "waiting to encode state for snapshot")
            .withErr(new java.io.IOException("no space left on device"));
    ci = r.clusterInfo(group(List.of("a"), null), n, disk);
    assertThat(ci.desired().status().err()).isEqualTo("no space left on device");

    List<Throwable> benign = new ArrayList<>();
    benign.add(new StoreClosedException());
    for (String t : MigrationStatus.TRANSIENT_ERRORS) {
      benign.add(new IllegalStateException(t));
    }
    for (Throwable t : benign) {
      MigrationStatus s =
          MigrationStatus.of(MigrationStatusType.MEMBERSHIP, "adding peer s2").withErr(t);
      ci = r.clusterInfo(group(List.of("a"), null), n, s);
      assertThat(ci.desired().status().err()).as(t.toString()).isEmpty();
    }

    ci = r.clusterInfo(group(List.of("a"), d), n, null);
    assertThat(ci.desired()).isNotNull();
    assertThat(ci.desired().status()).isNull();

    // A cleared status leaves no empty desired block.
    ci = r.clusterInfo(group(List.of("a"), null), n, null);
    assertThat(ci.desired()).isNull();
  }

  @Test
  void singleReplicaGroupReportsThisServerAsLeader() {
    ClusterInfoReporter r = reporter("S1", NodeIds.fromServerName("S1"));
    ClusterInfo ci = r.clusterInfo(group(List.of("x"), null), null, null);
    assertThat(ci.leader()).isEqualTo("S1");
    assertThat(new String(ClusterInfoJson.encode(ci), StandardCharsets.UTF_8))
        .isEqualTo("{\"name\":\"C1\",\"leader\":\"S1\"}");
    assertThat(r.clusterInfo(null, null, null).leader()).isEqualTo("S1");
  }

  @Test
  void leaderViewExcludesThisServerAndMarksSilentPeersNotCurrent() {
    String s1 = NodeIds.fromServerName("S-1");
    String s2 = NodeIds.fromServerName("S-2");
    String s3 = NodeIds.fromServerName("S-3");
    table.put(s1, node("S-1", false));
    table.put(s2, node("S-2", false));
    table.put(s3, node("S-3", true));
    // We are S-2, a follower; S-1 leads.
    ClusterInfoReporter r = reporter("S-2", s2);
    RaftGroupView v =
        new View(
            s1,
            List.of(
                new RaftGroupView.RaftPeer(s1, true, NOW - 2 * SEC, 0),
                new RaftGroupView.RaftPeer(s2, true, NOW, 0),
                new RaftGroupView.RaftPeer(s3, true, NOW - 11 * SEC, 7),
                new RaftGroupView.RaftPeer("zzzzzzzz", true, NOW - SEC, 9)));
    ClusterInfo ci = r.clusterInfo(group(List.of(s1, s2, s3, "zzzzzzzz"), null), v, null);
    assertThat(ci.leader()).isEqualTo("S-1");
    assertThat(ci.replica(s2)).isNull();
    assertThat(ci.replica(s1).current()).isTrue();
    assertThat(ci.replica(s1).activeNanos()).isEqualTo(2 * SEC);
    assertThat(ci.replica(s3).current()).isFalse();
    assertThat(ci.replica(s3).offline()).isTrue();
    assertThat(ci.replica(s3).lag()).isEqualTo(7);
    PeerInfo unknown = ci.replica("zzzzzzzz");
    assertThat(unknown.name())
        .isEqualTo("Server name unknown at this time (peerID: zzzzzzzz)");
    assertThat(unknown.lag()).isZero();
    assertThat(unknown.offline()).isTrue();
    assertThat(ci.replicas()).extracting(PeerInfo::name)
        .containsExactly("S-1", "S-3", "Server name unknown at this time (peerID: zzzzzzzz)");

    // Leaderless: this server is listed too.
    ci = r.clusterInfo(group(List.of(s1, s2, s3), null), new View("", v.peers()), null);
    assertThat(ci.leader()).isEmpty();
    assertThat(ci.replica(s2)).isNotNull();
  }

  @Test
  @DisplayName("Go: TestJetStreamClusterPeerOffline (node table level)")
  void peerOfflineFollowsShutdownAndRestart() {
    String[] ids = new String[5];
    for (int i = 0; i < 5; i++) {
      ids[i] = NodeIds.fromServerName("S-" + i);
      table.put(ids[i], node("S-" + i, false));
    }
    List<String> members = List.of(ids);
    assertThat(table.usablePeerNames(members)).contains("S-3");
    table.markOffline(ids[3]);
    assertThat(table.usablePeerNames(members)).doesNotContain("S-3").hasSize(4);
    assertThat(table.lookup(ids[3]).offline()).isTrue();
    ClusterInfo ci =
        reporter("S-0", ids[0])
            .clusterInfo(
                group(members, null), view(ids[0], ids), null);
    assertThat(ci.replica(ids[3]).offline()).isTrue();
    table.markOnline(ids[3]);
    assertThat(table.usablePeerNames(members)).contains("S-3");
    assertThat(table.lookup(ids[3]).offline()).isFalse();
    table.markOffline("unknown!");
    assertThat(table.lookup("unknown!")).isNull();
  }

  @Test
  void offlineInfoListsKnownPeersOnly() {
    table.put("aaaaaaaa", node("A", false));
    ClusterInfo ci =
        reporter("S", "ssssssss").offlineClusterInfo(group(List.of("aaaaaaaa", "bbbbbbbb"), null));
    assertThat(new String(ClusterInfoJson.encode(ci), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"name\":\"C1\",\"raft_group\":\"test\",\"replicas\":[{\"name\":\"A\","
                + "\"current\":false,\"offline\":true,\"active\":0,\"peer\":\"aaaaaaaa\"}]}");
  }

  @Test
  void checkClusterInfoOverridesCatchingUpReplicasByNameHash() {
    // Go: TestJetStreamClusterStreamMoveCatchupStallKeepsPeerTracked (the checkClusterInfo part)
    String peer = NodeIds.fromServerName("MOVE-newpeer");
    ClusterInfo ci =
        new ClusterInfo("", "", "", null, false, "",
            List.of(new PeerInfo("MOVE-newpeer", true, false, 0, 0, peer, false, ""),
                new PeerInfo("other", true, false, 0, 0, "oooooooo", false, "")),
            null);
    CatchupPeers cp = new CatchupPeers();
    assertThat(ClusterInfoReporter.checkClusterInfo(ci, cp)).isSameAs(ci);
    cp.set(peer, 0);
    assertThat(ClusterInfoReporter.checkClusterInfo(ci, cp)).isSameAs(ci);
    cp.set(peer, 19);
    ClusterInfo out = ClusterInfoReporter.checkClusterInfo(ci, cp);
    assertThat(out.replica(peer).current()).isFalse();
    assertThat(out.replica(peer).lag()).isEqualTo(19);
    assertThat(out.replica("oooooooo").current()).isTrue();
  }

  @Test
  @DisplayName("Go: TestJetStreamSuperClusterStreamAlternates")
  void streamAlternatesRankTheRequestersClusterFirst() {
    List<StreamAssignment> sas =
        List.of(
            assignment("SOURCE", null, "C1"),
            assignment("MIRROR-1", "SOURCE", "C2"),
            assignment("MIRROR-2", "SOURCE", "C3"),
            assignment("OTHER", null, "C2"));
    ClusterInfoReporter r =
        new ClusterInfoReporter("S", "C1", "ssssssss", "ngs", table, () -> NOW);
    for (String c : List.of("C1", "C2", "C3")) {
      List<StreamAlternate> alts = r.streamAlternates(client(c, null), "SOURCE", sas);
      assertThat(alts).hasSize(3);
      assertThat(alts.get(0).cluster()).isEqualTo(c);
      assertThat(alts).extracting(StreamAlternate::cluster)
          .containsExactlyInAnyOrder("C1", "C2", "C3");
      assertThat(alts).allMatch(a -> a.domain().equals("ngs"));
    }
    // Preference list: C3 before C2.
    List<StreamAlternate> alts =
        r.streamAlternates(client("C9", List.of("C3", "C2")), "SOURCE", sas);
    assertThat(alts).extracting(StreamAlternate::cluster).containsExactly("C3", "C2", "C1");
    assertThat(new String(ClusterInfoJson.encode(alts), StandardCharsets.UTF_8))
        .startsWith("[{\"name\":\"MIRROR-2\",\"domain\":\"ngs\",\"cluster\":\"C3\"},");
    // Just the stream itself: no alternates; clustering off: none.
    assertThat(r.streamAlternates(client("C1", null), "OTHER", sas)).isNull();
    assertThat(r.streamAlternates(client("C1", null), "SOURCE", null)).isNull();
  }

  @Test
  void fullJsonMatchesGoFieldOrderAndOmitempty() {
    OffsetDateTime since = OffsetDateTime.of(2024, 5, 1, 10, 0, 0, 500_000_000, ZoneOffset.UTC);
    Placement pl = new Placement("C2", List.of("t:1"), "", null);
    DesiredClusterInfo d =
        new DesiredClusterInfo(
            "C2",
            List.of(new PeerInfo("B", false, true, 0, 0, "bbbbbbbb", false, "")),
            new DesiredClusterInfo.Origin(3, pl, RetentionPolicy.LIMITS),
            new MigrationStatus("adding peer B", MigrationStatusType.MEMBERSHIP, "boom"));
    ClusterInfo ci =
        new ClusterInfo(
            "C1", "S-R3F-x", "S-1", since, true, "acc",
            List.of(
                new PeerInfo("S-2", true, false, 1_500_000, 3, "pppppppp", true, "C1")),
            d);
    assertThat(new String(ClusterInfoJson.encode(ci), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"name\":\"C1\",\"raft_group\":\"S-R3F-x\",\"leader\":\"S-1\","
                + "\"leader_since\":\"2024-05-01T10:00:00.5Z\",\"system_account\":true,"
                + "\"traffic_account\":\"acc\",\"replicas\":[{\"name\":\"S-2\",\"current\":true,"
                + "\"active\":1500000,\"lag\":3,\"peer\":\"pppppppp\",\"pending\":true}],"
                + "\"desired\":{\"name\":\"C2\",\"replicas\":[{\"name\":\"B\",\"current\":false,"
                + "\"offline\":true,\"active\":0,\"peer\":\"bbbbbbbb\"}],\"origin\":{\"replicas\":3,"
                + "\"placement\":{\"cluster\":\"C2\",\"tags\":[\"t:1\"]},\"retention\":\"limits\"},"
                + "\"status\":{\"description\":\"adding peer B\",\"type\":\"membership\","
                + "\"err\":\"boom\"}}}");
    assertThat(new String(ClusterInfoJson.encode(new PeerInfo("n", false, false, 0, -1L, "p",
        false, "")), StandardCharsets.UTF_8))
        .isEqualTo("{\"name\":\"n\",\"current\":false,\"active\":0,\"lag\":18446744073709551615,"
            + "\"peer\":\"p\"}");
  }

  @Test
  void desiredOriginAndScaleDown() {
    DesiredRaftGroupOrigin o =
        new DesiredRaftGroupOrigin(List.of("a"), "C0", 1, null, RetentionPolicy.INTEREST);
    DesiredRaftGroup d =
        new DesiredRaftGroup("id", 0, List.of("a", "b", "c"), "C1", "", true, false, null, o);
    ClusterInfo ci = reporter("", "").clusterInfo(group(List.of("a", "b", "c"), d), null, null);
    assertThat(ci.desired().replicas()).isEmpty(); // scale-down: the target set is not known
    assertThat(ci.desired().origin().replicas()).isEqualTo(1);
    assertThat(ci.desired().origin().retention()).isEqualTo(RetentionPolicy.INTEREST);
  }

  private static ClientInfo client(String cluster, List<String> alts) {
    return new ClientInfo(null, "", 0, "$G", "", "", "", "", "", 0, "", cluster, alts, null, "",
        "", "", null, "", "", "", "", "");
  }

  private static StreamAssignment assignment(String name, String mirrorOf, String cluster) {
    StreamSource mirror =
        mirrorOf == null ? null : new StreamSource(mirrorOf, 0, null, "", null, null, null, null);
    StreamConfig cfg = new StreamConfig(name, "", null, null, 0, 0, 0, 0, 0, 0, null, null, 0, false,
        0, null, mirror, null, null, 0, null, null, false, false, false, false, false, false, false,
        null, false, 0, false, false, false, null, false, null, null);
    return new StreamAssignment(null, null, cfg, new RaftGroup("g-" + name, List.of(), null,
        cluster, "", false, List.of(), null), "", "", "", null);
  }
}
