package io.jscluster.raft.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jscluster.raft.snapshot.SnapshotRecovery.Reason;
import io.jscluster.raft.wire.PeerState;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshot directory recovery: ordering, corruption fallback, leftovers, hygiene. */
class SnapshotStoreTest {

  private static final String GROUP = "S-R3F-9gXpFvuD";
  private static final PeerState PEERS = new PeerState(3, List.of("S1Nunr6R", "yrzKKRBu",
      "cnrtt3eg"), PeerState.EXT_EXTENDED);

  @TempDir Path dir;

  private SnapshotStore store() {
    return new SnapshotStore(dir, GROUP);
  }

  private static Snapshot snap(long term, long index) {
    return Snapshot.of(term, index, PEERS, ("state@" + term + "." + index)
        .getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void noDirectoryMeansNoSnapshot() throws IOException {
    SnapshotRecovery r = store().recover();
    assertThat(r.latest()).isEmpty();
    assertThat(r.findings()).isEmpty();
  }

  @Test
  void picksHighestTermThenHighestIndexLikeNatsServer() throws IOException {
    SnapshotStore store = store();
    store.write(snap(4, 900));
    store.write(snap(5, 100));
    store.write(snap(5, 20));
    SnapshotRecovery r = store.recover();
    assertThat(r.latest()).isPresent();
    Snapshot s = r.latest().get().snapshot();
    assertThat(s.lastTerm()).isEqualTo(5);
    assertThat(s.lastIndex()).isEqualTo(100);
    assertThat(s.decodePeerState()).isEqualTo(PEERS);
    assertThat(r.findings(Reason.SUPERSEDED)).hasSize(2);
    assertThat(r.foundDamage()).isFalse();
    assertThat(store.removeObsolete(r)).isEqualTo(2);
    assertThat(Files.list(store.directory()).toList()).containsExactly(store.pathOf(snap(5, 100)));
  }

  @Test
  void unsignedOrderingForHugeTerms() throws IOException {
    SnapshotStore store = store();
    store.write(snap(-1L, 3)); // term 2^64-1
    store.write(snap(Long.MAX_VALUE, 3));
    assertThat(store.recover().latest().get().snapshot().lastTerm()).isEqualTo(-1L);
  }

  @Test
  void corruptNewestFallsBackToOlderAndIsKept() throws IOException {
    SnapshotStore store = store();
    store.write(snap(2, 10));
    Path newest = store.writeFile(snap(3, 20));
    flipByte(newest, 25);
    SnapshotRecovery r = store.recover();
    assertThat(r.latest().get().snapshot().lastIndex()).isEqualTo(10);
    assertThat(r.findings(Reason.CORRUPT)).singleElement()
        .satisfies(f -> assertThat(f.file()).isEqualTo(newest));
    assertThat(r.foundDamage()).isTrue();
    store.removeObsolete(r);
    assertThat(newest).as("corrupt state is never deleted by recovery hygiene").exists();
  }

  @Test
  void truncatedFilesAtEveryLengthAreCorruptNeverFatal() throws IOException {
    SnapshotStore store = store();
    Path older = store.writeFile(snap(1, 5));
    byte[] full = Files.readAllBytes(store.writeFile(snap(1, 6)));
    Path newest = store.pathOf(snap(1, 6));
    for (int len = 0; len < full.length; len++) {
      Files.write(newest, java.util.Arrays.copyOf(full, len));
      SnapshotRecovery r = store.recover();
      assertThat(r.latest().get().file()).as("length %d", len).isEqualTo(older);
      assertThat(r.findings(Reason.CORRUPT)).as("length %d", len).hasSize(1);
    }
  }

  @Test
  void randomBitFlipsAreAlwaysDetected() throws IOException {
    long seed = 42;
    System.out.println("SnapshotStoreTest.randomBitFlips seed=" + seed);
    Random rnd = new Random(seed);
    SnapshotStore store = store();
    Path good = store.writeFile(snap(7, 70));
    byte[] original = Files.readAllBytes(good);
    Path victim = store.pathOf(snap(7, 71));
    for (int i = 0; i < 200; i++) {
      byte[] damaged = Files.readAllBytes(store.writeFile(snap(7, 71)));
      int pos = rnd.nextInt(damaged.length);
      damaged[pos] ^= (byte) (1 << rnd.nextInt(8));
      Files.write(victim, damaged);
      SnapshotRecovery r = store.recover();
      assertThat(r.latest().get().file()).as("flip at %d, seed %d", pos, seed).isEqualTo(good);
    }
    assertThat(Files.readAllBytes(good)).isEqualTo(original);
  }

  @Test
  void tmpLeftoversAreIgnoredThenCleanedUp() throws IOException {
    SnapshotStore store = store();
    Path real = store.writeFile(snap(2, 2));
    // A crash mid-write of a newer snapshot leaves only the temporary file.
    Path tmp = store.directory().resolve("snap.3.9.tmp");
    Files.write(tmp, new SnapshotCodec(GROUP).encode(snap(3, 9)));
    Files.write(store.directory().resolve("notes.txt"), new byte[] {1});
    SnapshotRecovery r = store.recover();
    assertThat(r.latest().get().file()).isEqualTo(real);
    assertThat(r.findings(Reason.TMP_LEFTOVER)).hasSize(1);
    assertThat(r.findings(Reason.UNPARSEABLE_NAME)).hasSize(1);
    assertThat(store.removeObsolete(r)).isEqualTo(1);
    assertThat(tmp).doesNotExist();
  }

  @Test
  void legacyIndexZeroIsNoSnapshot() throws IOException {
    SnapshotStore store = store();
    store.write(snap(0, 0));
    SnapshotRecovery r = store.recover();
    assertThat(r.latest()).isEmpty();
    assertThat(r.findings(Reason.LEGACY_ZERO_INDEX)).hasSize(1);
  }

  @Test
  void anotherGroupsSnapshotFailsItsChecksum() throws IOException {
    new SnapshotStore(dir, "other-group").write(snap(1, 1));
    SnapshotRecovery r = store().recover();
    assertThat(r.latest()).isEmpty();
    assertThat(r.findings(Reason.CORRUPT)).hasSize(1);
  }

  @Test
  void renamedFileIsNotTrusted() throws IOException {
    SnapshotStore store = store();
    Path written = store.writeFile(snap(1, 1));
    Files.move(written, store.directory().resolve("snap.9.9"));
    SnapshotRecovery r = store.recover();
    assertThat(r.latest()).isEmpty();
    assertThat(r.findings(Reason.NAME_MISMATCH)).hasSize(1);
  }

  @Test
  void oversizedFileIsUnreadableNotAllocated() throws IOException {
    SnapshotStore small = new SnapshotStore(dir, GROUP, 64);
    Path big = store().writeFile(Snapshot.of(1, 2, PEERS, new byte[1000]));
    SnapshotRecovery r = small.recover();
    assertThat(r.latest()).isEmpty();
    assertThat(r.findings(Reason.UNREADABLE)).singleElement()
        .satisfies(f -> assertThat(f.file()).isEqualTo(big));
  }

  @Test
  void readOfAMissingFileIsAnIoError() {
    assertThatThrownBy(() -> store().read(dir.resolve("snapshots/snap.1.1")))
        .isInstanceOf(IOException.class);
  }

  @Test
  void deleteAllEmptiesTheDirectory() throws IOException {
    SnapshotStore store = store();
    store.write(snap(1, 1));
    Files.write(store.directory().resolve("junk.tmp"), new byte[3]);
    store.deleteAll();
    assertThat(Files.list(store.directory()).toList()).isEmpty();
    assertThat(store.recover().latest()).isEmpty();
  }

  @Test
  void lyingPeerStateLengthWithValidChecksumIsCorrupt() {
    SnapshotCodec codec = new SnapshotCodec(GROUP);
    byte[] bytes = codec.encode(new Snapshot(1, 1, new byte[4], new byte[0]));
    // Rewrite psLen to a huge value and re-seal with a valid checksum.
    bytes[16] = (byte) 0xff;
    bytes[17] = (byte) 0xff;
    long sum = HighwayHash64.hash(codec.key(), bytes, 0, bytes.length - 8);
    for (int i = 0; i < 8; i++) {
      bytes[bytes.length - 8 + i] = (byte) (sum >>> (8 * i));
    }
    assertThatThrownBy(() -> codec.decode(bytes)).isInstanceOf(SnapshotCorruptException.class)
        .hasMessageContaining("peerStateLength");
  }

  @Test
  void aSnapshotReadRepeatedlyIsVerifiedOnceUntilTheNextInstall() throws IOException {
    SnapshotStore store = store();
    Path file = store.writeFile(snap(2, 10));
    Snapshot first = store.read(2, 10);
    assertThat(store.read(2, 10)).isSameAs(first);
    assertThat(store.read(2, 10)).isSameAs(first);
    assertThat(store.fileReads()).as("one read and checksum for three catch-ups").isEqualTo(1);
    // Damage after verification does not reach followers: they get the verified copy.
    flipByte(file, 25);
    assertThat(store.read(2, 10).data()).isEqualTo(snap(2, 10).data());
    assertThat(store.fileReads()).isEqualTo(1);

    // Installing a snapshot drops the cache: the next read goes to the file, and finds the damage.
    store.write(snap(3, 20));
    assertThatThrownBy(() -> store.read(2, 10)).isInstanceOf(SnapshotCorruptException.class);
    assertThat(store.fileReads()).isEqualTo(2);
    Snapshot newest = store.read(3, 20);
    assertThat(newest.lastIndex()).isEqualTo(20);
    assertThat(store.read(3, 20)).isSameAs(newest);
    assertThat(store.fileReads()).isEqualTo(3);
  }

  @Test
  void theCacheHoldsOneSnapshotAndDeletionsDropIt() throws IOException {
    SnapshotStore store = store();
    store.write(snap(1, 5));
    store.write(snap(1, 6));
    store.read(1, 5);
    store.read(1, 6);
    store.read(1, 5);
    assertThat(store.fileReads()).as("bounded to one: alternating reads miss").isEqualTo(3);
    store.delete(1, 5);
    assertThatThrownBy(() -> store.read(1, 5)).isInstanceOf(IOException.class);
    store.read(1, 6);
    store.deleteAll();
    assertThatThrownBy(() -> store.read(1, 6)).isInstanceOf(IOException.class);
  }

  @Test
  void recoveryAlwaysReadsTheFilesNotTheCache() throws IOException {
    SnapshotStore store = store();
    store.write(snap(1, 5));
    Path newest = store.writeFile(snap(1, 6));
    store.read(1, 6);
    flipByte(newest, 25);
    SnapshotRecovery r = store.recover();
    assertThat(r.latest().get().snapshot().lastIndex()).isEqualTo(5);
    assertThat(r.findings(Reason.CORRUPT)).singleElement()
        .satisfies(f -> assertThat(f.file()).isEqualTo(newest));
  }

  private static void flipByte(Path file, int pos) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(pos);
      int b = raf.read();
      raf.seek(pos);
      raf.write(b ^ 0x10);
    }
  }
}
