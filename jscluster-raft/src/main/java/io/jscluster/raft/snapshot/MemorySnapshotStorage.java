package io.jscluster.raft.snapshot;

import io.jscluster.raft.snapshot.SnapshotFileName.TermIndex;
import io.jscluster.raft.snapshot.SnapshotRecovery.Finding;
import io.jscluster.raft.snapshot.SnapshotRecovery.Reason;
import io.jscluster.raft.snapshot.SnapshotRecovery.Recovered;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@link SnapshotStorage} on the heap. Snapshots are kept in their encoded NRG file form (with the
 * group's HighwayHash-64 checksum), so recovery verifies them exactly as {@link SnapshotStore}
 * does and tests can damage a stored snapshot ({@link #flipBit}) to model a corrupt disk.
 *
 * <p>Writes are durable at once: a simulation that keeps this object across a simulated crash
 * finds every snapshot written before it. Findings name a snapshot by the path {@code
 * snapshots/snap.<term>.<index>} it would have on disk. Not thread-safe.
 */
public final class MemorySnapshotStorage implements SnapshotStorage {

  private static final Path DIR = Path.of(SnapshotStore.DIR_NAME);

  private final SnapshotCodec codec;
  /** Encoded snapshots by file name. */
  private final Map<String, byte[]> files = new TreeMap<>();
  private IOException failNextWrite;
  private long writes;

  /** An empty storage for group {@code groupName} (the checksum key). */
  public MemorySnapshotStorage(String groupName) {
    this.codec = new SnapshotCodec(groupName);
  }

  @Override
  public void write(Snapshot snap) throws IOException {
    if (failNextWrite != null) {
      IOException e = failNextWrite;
      failNextWrite = null;
      throw e;
    }
    files.put(snap.fileName(), codec.encode(snap));
    writes++;
  }

  @Override
  public Snapshot read(long term, long index) throws IOException {
    byte[] bytes = files.get(SnapshotFileName.format(term, index));
    if (bytes == null) {
      throw new NoSuchFileException(DIR.resolve(SnapshotFileName.format(term, index)).toString());
    }
    return codec.decode(bytes);
  }

  @Override
  public void delete(long term, long index) {
    files.remove(SnapshotFileName.format(term, index));
  }

  @Override
  public SnapshotRecovery recover() {
    List<Finding> findings = new ArrayList<>();
    List<Map.Entry<TermIndex, String>> candidates = new ArrayList<>();
    for (String name : files.keySet()) {
      SnapshotFileName.parse(name).ifPresent(ti -> candidates.add(Map.entry(ti, name)));
    }
    candidates.sort((a, b) -> {
      int c = Long.compareUnsigned(b.getKey().term(), a.getKey().term());
      return c != 0 ? c : Long.compareUnsigned(b.getKey().index(), a.getKey().index());
    });
    Recovered chosen = null;
    for (Map.Entry<TermIndex, String> c : candidates) {
      Path p = DIR.resolve(c.getValue());
      if (chosen != null) {
        findings.add(new Finding(p, Reason.SUPERSEDED, "older than " + chosen.file()));
        continue;
      }
      if (c.getKey().index() == 0) {
        findings.add(new Finding(p, Reason.LEGACY_ZERO_INDEX, "snapshot at index 0"));
        continue;
      }
      Snapshot snap;
      try {
        snap = codec.decode(files.get(c.getValue()));
      } catch (SnapshotCorruptException e) {
        findings.add(new Finding(p, Reason.CORRUPT, e.getMessage()));
        continue;
      }
      if (snap.lastTerm() != c.getKey().term() || snap.lastIndex() != c.getKey().index()) {
        findings.add(new Finding(p, Reason.NAME_MISMATCH, "header says " + snap.fileName()));
        continue;
      }
      chosen = new Recovered(p, snap);
    }
    return new SnapshotRecovery(Optional.ofNullable(chosen), findings);
  }

  @Override
  public int removeObsolete(SnapshotRecovery recovery) {
    int deleted = 0;
    for (Finding f : recovery.findings()) {
      if (f.reason() == Reason.TMP_LEFTOVER || f.reason() == Reason.LEGACY_ZERO_INDEX
          || f.reason() == Reason.SUPERSEDED) {
        if (files.remove(f.file().getFileName().toString()) != null) {
          deleted++;
        }
      }
    }
    return deleted;
  }

  @Override
  public void deleteAll() {
    files.clear();
  }

  // ------------------------------------------------------------------ test and fault hooks

  /** The positions held, as file names, in name order. */
  public List<String> names() {
    return List.copyOf(files.keySet());
  }

  /** True when a snapshot is stored at {@code (term, index)}, valid or not. */
  public boolean contains(long term, long index) {
    return files.containsKey(SnapshotFileName.format(term, index));
  }

  /** Successful writes so far. */
  public long writes() {
    return writes;
  }

  /**
   * Flips one bit of the stored snapshot at {@code (term, index)}, as a disk error would; {@code
   * bit} is taken modulo the stored length in bits. Returns false when nothing is stored there.
   */
  public boolean flipBit(long term, long index, long bit) {
    byte[] bytes = files.get(SnapshotFileName.format(term, index));
    if (bytes == null || bytes.length == 0) {
      return false;
    }
    long b = Math.floorMod(bit, (long) bytes.length * 8);
    byte[] copy = bytes.clone();
    copy[(int) (b / 8)] ^= (byte) (1 << (b % 8));
    files.put(SnapshotFileName.format(term, index), copy);
    return true;
  }

  /**
   * Stores raw bytes under {@code name} as if a file of that name had been left on disk (a legacy
   * or damaged file); {@code name} must be a snapshot file name.
   */
  public void putRaw(String name, byte[] bytes) {
    if (SnapshotFileName.parse(name).isEmpty()) {
      throw new IllegalArgumentException("not a snapshot file name: " + name);
    }
    files.put(name, bytes.clone());
  }

  /** Makes the next {@link #write} fail with {@code e} (a full or failing disk). */
  public void failNextWrite(IOException e) {
    failNextWrite = e;
  }
}
