package io.jscluster.core.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.core.store.Damage;
import io.jscluster.core.store.FileStoreConfig;
import io.jscluster.core.store.FileStreamStore;
import io.jscluster.core.store.MemoryStreamStore;
import io.jscluster.core.store.StreamLimits;
import io.jscluster.core.store.StreamStore;
import io.jscluster.core.store.SyncPolicy;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepairFetchTest {

  private static final long SEC = 1_000_000_000L;

  @TempDir Path dir;

  @Test
  void aDamagedBlockIsRestoredFromTheLeader() throws IOException {
    FileStoreConfig cfg = FileStoreConfig.of(dir.resolve("f")).withBlockSize(2048)
        .withSync(SyncPolicy.INTERVAL, 3_600 * SEC).withClock(() -> 1);
    MemoryStreamStore leader = new MemoryStreamStore(StreamLimits.NONE, () -> 1);
    byte[] data = new byte[100];
    try (StreamStore f = FileStreamStore.open(cfg)) {
      for (int i = 1; i <= 60; i++) {
        data[0] = (byte) i;
        leader.storeAt(i, i, "foo", null, data.clone());
        f.storeAt(i, i, "foo", null, data.clone());
      }
      leader.remove(7); // deleted on the leader after the follower's copy was damaged
    }
    // Flip a byte in the middle of the first block file.
    Path block;
    try (Stream<Path> files = Files.walk(dir.resolve("f"))) {
      block = files.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".blk"))
          .sorted().findFirst().orElseThrow();
    }
    try (RandomAccessFile raf = new RandomAccessFile(block.toFile(), "rw")) {
      long pos = raf.length() / 2;
      raf.seek(pos);
      int b = raf.read();
      raf.seek(pos);
      raf.write(b ^ 0x10);
    }
    try (StreamStore follower = FileStreamStore.open(cfg)) {
      List<Damage> damage = follower.damage();
      assertThat(damage).isNotEmpty();
      Damage d = damage.get(0);

      CatchupLoop loop = new CatchupLoop(1);
      CatchupLoop.TestStream stream = new CatchupLoop.TestStream(leader);
      loop.serve("$JSC.SYNC.repair01", CatchupConfig.DEFAULT,
          new SyncSubjects(new SplittableRandom(2)), new CatchupBudget(0), stream,
          new CatchupLoop.TestLeaderNode());
      AtomicReference<Object> result = new AtomicReference<>();
      RepairFetch[] h = new RepairFetch[1];
      CatchupTransport t = loop.transport((s, r, p) -> h[0].onMessage(s, r, p, loop.now));
      h[0] = new RepairFetch(CatchupConfig.DEFAULT, new SyncSubjects(new SplittableRandom(3)), t,
          follower, "$JSC.SYNC.repair01", "flwr0001", d,
          e -> result.set(e == null ? "ok" : e));
      h[0].start(loop.now);
      assertThat(loop.runUntil(() -> result.get() != null, 60 * SEC)).isTrue();
      assertThat(result.get()).isEqualTo("ok");
      assertThat(follower.damage()).doesNotContain(d);
      for (long s = d.firstSeq(); s <= d.lastSeq(); s++) {
        assertThat(follower.load(s)).as("seq %d", s).isEqualTo(leader.load(s));
      }
      assertThat(stream.peers.hasPeers()).isFalse();
    }
    leader.close();
  }
}
