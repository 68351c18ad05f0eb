package io.jscluster.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StreamStore#repair} of a block that recovery sealed without a manifest entry: the repair
 * must keep every intact record after the damaged range (the no-loss campaign's seed 302 lost them).
 */
class FileStreamStoreRepairTest {
  @TempDir
  Path tmp;
  private final AtomicLong clock = new AtomicLong(5_000_000L);

  private FileStreamStore open(Path dir) {
    return FileStreamStore.open(FileStoreConfig.of(dir).withClock(clock::get));
  }

  private static byte[] data(long seq) {
    return ("m" + seq).getBytes(StandardCharsets.UTF_8);
  }

  private List<StoredMessage> write(FileStreamStore s, long from, long to) {
    List<StoredMessage> out = new ArrayList<>();
    for (long q = from; q <= to; q++) {
      long ts = clock.addAndGet(10);
      s.storeAt(q, ts, "s." + q % 3, null, data(q));
      out.add(new StoredMessage(q, ts, "s." + q % 3, null, data(q)));
    }
    s.sync();
    return out;
  }

  private static void flip(Path file, long offset, int bit) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ (1 << bit));
    }
  }

  @Test
  @DisplayName("repairing the first record of the last block, reopened without a manifest, keeps the records after it")
  void repairKeepsRecordsAfterDamageWithoutManifest() throws IOException {
    repairFirstRecordOfLastBlock(true);
  }

  @Test
  @DisplayName("repairing the first record of the last block, reopened with its manifest, keeps the records after it")
  void repairKeepsRecordsAfterDamageWithManifest() throws IOException {
    repairFirstRecordOfLastBlock(false);
  }

  private void repairFirstRecordOfLastBlock(boolean damageManifest) throws IOException {
    Path dir = tmp.resolve("s");
    List<StoredMessage> first;
    try (FileStreamStore s = open(dir)) {
      first = write(s, 1, 3);
    }
    if (damageManifest) {
      // Both manifest slots: with one valid slot left, recovery would use it.
      flip(dir.resolve("manifest.0"), 0, 3);
      flip(dir.resolve("manifest.1"), 0, 3);
    }
    flip(dir.resolve("00000000000000000001.blk"), 0, 0);
    try (FileStreamStore s = open(dir)) {
      assertThat(s.damage()).singleElement().satisfies(d -> {
        assertThat(d.firstSeq()).isEqualTo(1);
        assertThat(d.lastSeq()).isEqualTo(1);
      });
      // Appends after the damage land in a fresh block (4..), as on a replica that kept applying.
      List<StoredMessage> more = write(s, 4, 6);
      s.repair(1, 1, List.of(first.get(0)));
      assertThat(s.damage()).isEmpty();
      assertThat(s.deletedSequences()).isEmpty();
      for (StoredMessage m : first) {
        assertThat(s.load(m.seq())).isEqualTo(m);
      }
      for (StoredMessage m : more) {
        assertThat(s.load(m.seq())).isEqualTo(m);
      }
      assertThat(s.state().msgs()).isEqualTo(6);
    }
    try (FileStreamStore s = open(dir)) {
      assertThat(s.damage()).isEmpty();
      assertThat(s.deletedSequences()).isEmpty();
      assertThat(s.state().msgs()).isEqualTo(6);
      assertThat(s.load(3)).isEqualTo(first.get(2));
    }
  }
}
