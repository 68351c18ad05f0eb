package io.jscluster.core.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jscluster.codec.CodecException;
import io.jscluster.codec.meta.RaftGroup;
import io.jscluster.codec.meta.StorageType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class DesiredStateTest {

  private final AtomicInteger ids = new AtomicInteger();
  private final Supplier<String> newId = () -> "id" + ids.incrementAndGet();

  @Test
  void reconcileRequestsRoundTripAndRejectUnknownMembers() {
    Reconcile r = new Reconcile("$G", "S", "abc", 7, null, List.of("a", "b"), true);
    String json = new String(r.encode(), StandardCharsets.UTF_8);
    assertThat(json).isEqualTo("{\"account\":\"$G\",\"stream\":\"S\",\"id\":\"abc\",\"term\":7,"
        + "\"meta_peers\":[\"a\",\"b\"],\"match\":true}");
    assertThat(Reconcile.decode(r.encode())).isEqualTo(r);
    assertThatThrownBy(() -> Reconcile.decode("{\"stream\":\"S\",\"x\":1}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(CodecException.class);
  }

  @Test
  void scaleUpConvergesThroughTermMetaPeersAndMatch() {
    RaftGroup rg = new RaftGroup("G", List.of("a", "b", "c"), StorageType.FILE, "", "", false, null, null);
    RaftGroup d0 = DesiredState.withDesired(rg, List.of("a", "b", "c", "d", "e"), List.of(), false, newId);
    assertThat(d0.peers()).containsExactly("a", "b", "c");
    String id = d0.desired().id();
    // A stale id or term is ignored; the leader's term is recorded first.
    assertThat(DesiredState.reconcile(d0, new Reconcile("$G", "S", "other", 3, null, null, false), 5, newId)).isNull();
    RaftGroup d1 = DesiredState.reconcile(d0, new Reconcile("$G", "S", id, 3, null, null, false), 5, newId);
    assertThat(d1.desired().term()).isEqualTo(3);
    assertThat(d1.desired().id()).isNotEqualTo(id);
    RaftGroup d2 = DesiredState.reconcile(d1, new Reconcile("$G", "S", d1.desired().id(), 3, null,
        List.of("a", "b", "c", "d", "e"), false), 5, newId);
    assertThat(d2.peers()).containsExactly("a", "b", "c", "d", "e");
    assertThat(d2.scaleUp()).isTrue();
    assertThat(DesiredState.reconcile(d2, new Reconcile("$G", "S", d2.desired().id(), 2, null,
        List.of("a", "b", "c", "d", "e"), true), 5, newId)).isNull();
    RaftGroup done = DesiredState.reconcile(d2, new Reconcile("$G", "S", d2.desired().id(), 3, null,
        List.of("e", "d", "c", "b", "a"), true), 5, newId);
    assertThat(done.desired()).isNull();
    assertThat(done.peers()).containsExactly("a", "b", "c", "d", "e");
  }

  @Test
  void scaleDownTakesTheLeadersChoice() {
    RaftGroup rg = new RaftGroup("G", List.of("a", "b", "c", "d", "e"), StorageType.FILE, "", "", false, null, null);
    RaftGroup d0 = DesiredState.withDesired(rg, rg.peers(), List.of(), true, newId);
    RaftGroup d1 = DesiredState.reconcile(d0, new Reconcile("$G", "S", d0.desired().id(), 4, null, null, false), 3,
        newId);
    assertThat(DesiredState.reconcile(d1, new Reconcile("$G", "S", d1.desired().id(), 4, List.of("a", "z"), null,
        false), 3, newId)).isNull();
    RaftGroup d2 = DesiredState.reconcile(d1, new Reconcile("$G", "S", d1.desired().id(), 4, List.of("a", "b", "c"),
        null, false), 3, newId);
    assertThat(d2.desired().scaleDown()).isFalse();
    assertThat(d2.desired().peers()).containsExactly("a", "b", "c");
    assertThat(d2.peers()).hasSize(5);
  }
}
