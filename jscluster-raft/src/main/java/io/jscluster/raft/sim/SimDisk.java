package io.jscluster.raft.sim;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * One simulated server's disk: an in-memory {@link java.nio.file.FileSystem} whose files and
 * directories distinguish what is durable from what is only in the page cache, so that the real
 * storage code ({@code FileRaftLog}, {@code TermVoteFile}, {@code SnapshotStore}) runs on it
 * unchanged and a simulation can crash it.
 *
 * <p><b>Durability model.</b> Every write, truncation, creation, deletion and rename is visible at
 * once. A file's content becomes durable when a channel on it is forced; a directory's entries
 * (creations, deletions, renames inside it) become durable when the directory itself is opened and
 * forced, as POSIX requires. {@link #crash(Random, CrashMode)} rebuilds the disk from what is
 * durable plus, depending on the mode, a prefix of the operations that were not yet durable, the
 * next one possibly torn (partly written, or its tail left as zeros). A rename inside one
 * directory is atomic.
 *
 * <p><b>Faults.</b> {@link #setFailing(boolean)} makes every mutating call and every force throw
 * an {@link IOException} (reads keep working); {@link #flipBit(Path, long)} damages stored bytes;
 * {@link #armPowerLoss(int, CrashMode, Random)} cuts the power in the middle of a later mutation
 * (a write may reach the disk in part), by throwing {@link PowerLoss} out of it, which the
 * simulation catches to crash the server.
 *
 * <p>Single-threaded like the rest of the simulation; every random choice comes from the {@link
 * Random} the caller passes, so a crash is a pure function of the seed.
 */
public final class SimDisk {

  /** What a crash keeps of the writes that were not yet durable. */
  public enum CrashMode {
    /** Nothing: the disk holds exactly what was forced. */
    LOSE_UNSYNCED,
    /** A random prefix of the unsynced operations of each file and directory survives. */
    KEEP_SOME,
    /** As {@link #KEEP_SOME}, and the first lost write of a file may survive in part (torn). */
    TORN
  }

  private final String name;
  private final SimFileSystem fs;
  private Inode root = Inode.directory();
  /** Bumped by every crash: channels opened before it fail with ClosedChannelException. */
  private long generation;
  private boolean failing;
  private int powerLossCountdown;
  private CrashMode powerLossMode;
  private Random powerLossRandom;
  private long forces;
  private long crashes;
  private long tornWrites;

  /** A new, empty disk; {@code name} appears in paths' URIs and messages. */
  public SimDisk(String name) {
    this.name = name;
    this.fs = new SimFileSystem(new SimFileSystemProvider(), this);
    // The root exists durably, like a provisioned store directory.
    root.durableEntries = new TreeMap<>();
  }

  /** The disk's name. */
  public String name() {
    return name;
  }

  /** The file system. */
  public FileSystem fileSystem() {
    return fs;
  }

  /** The root directory {@code /}. */
  public Path root() {
    return fs.getPath("/");
  }

  /** A path on this disk, as {@link FileSystem#getPath(String, String...)}. */
  public Path path(String first, String... more) {
    return fs.getPath(first, more);
  }

  /** When true, every mutation and force fails with an I/O error until reset. */
  public void setFailing(boolean on) {
    failing = on;
  }

  /**
   * Cuts the power during the {@code afterMutations}-th mutation from now (1 = the next one):
   * that call throws {@link PowerLoss} carrying {@code mode}; a write puts a random part of its
   * bytes (possibly none) on the disk first. The caller is expected to {@link #crash} the disk
   * with that mode. A crash disarms it.
   */
  public void armPowerLoss(int afterMutations, CrashMode mode, Random rnd) {
    if (afterMutations < 1) {
      throw new IllegalArgumentException("afterMutations must be positive");
    }
    powerLossCountdown = afterMutations;
    powerLossMode = mode;
    powerLossRandom = new Random(rnd.nextLong());
  }

  /** Cancels an armed power loss. */
  public void disarmPowerLoss() {
    powerLossCountdown = 0;
  }

  /** Whether a power loss is armed. */
  public boolean powerLossArmed() {
    return powerLossCountdown > 0;
  }

  /** Whether mutations currently fail. */
  public boolean failing() {
    return failing;
  }

  /** Forces (file or directory) performed so far. */
  public long forces() {
    return forces;
  }

  /** Crashes so far. */
  public long crashes() {
    return crashes;
  }

  /** Writes that a crash left torn so far. */
  public long tornWrites() {
    return tornWrites;
  }

  /**
   * Crashes the disk: every open channel is invalidated, lock included, and the content becomes
   * what was durable plus what {@code mode} lets survive. The failing flag is cleared (the fault
   * was in the machine, not the medium).
   */
  public void crash(Random rnd, CrashMode mode) {
    restore(crashImage(rnd, mode));
  }

  /**
   * What a {@link #crash} now would leave on the disk, without changing the disk: a simulation
   * takes the image at the instant the power goes, lets the dead server's code release its files
   * (whatever it still writes reaches only the disk's present state), then {@link #restore}s it.
   */
  public Image crashImage(Random rnd, CrashMode mode) {
    return new Image(rebuildDirectory(root, rnd, mode));
  }

  /**
   * Makes {@code image} the disk's content, as after a crash: every open channel is invalidated,
   * lock included, the failing flag is cleared and an armed power loss disarmed.
   */
  public void restore(Image image) {
    generation++;
    crashes++;
    failing = false;
    powerLossCountdown = 0;
    root = image.root;
  }

  /** The content of a disk after a crash, from {@link #crashImage}; restore it once. */
  public static final class Image {
    private final Inode root;

    private Image(Inode root) {
      this.root = root;
    }
  }

  /**
   * Flips bit {@code bit} (counted from the first byte) of a file in both its current and durable
   * content, as media corruption would.
   *
   * @throws NoSuchFileException if the file does not exist
   * @throws IllegalArgumentException if the bit lies beyond the file
   */
  public void flipBit(Path file, long bit) throws IOException {
    Inode f = lookupFile(file);
    long at = bit >>> 3;
    if (at >= f.data.size) {
      throw new IllegalArgumentException("bit " + bit + " beyond " + file);
    }
    int mask = 1 << (int) (bit & 7);
    f.data.bytes[(int) at] ^= (byte) mask;
    if (at < f.durable.size) {
      f.durable.bytes[(int) at] ^= (byte) mask;
    }
  }

  /** The current content of a file. */
  public byte[] read(Path file) throws IOException {
    Inode f = lookupFile(file);
    return Arrays.copyOf(f.data.bytes, f.data.size);
  }

  /** The names in a directory, sorted. */
  public List<String> list(Path dir) throws IOException {
    Inode d = lookup(dir);
    if (d == null || !d.dir) {
      throw new NoSuchFileException(dir.toString());
    }
    return new ArrayList<>(d.entries.keySet());
  }

  /** Whether the file or directory exists. */
  public boolean exists(Path p) {
    return lookup(p) != null;
  }

  @Override
  public String toString() {
    return "SimDisk[" + name + "]";
  }

  // ------------------------------------------------------------------------------------------
  // Used by the file system classes of this package

  long generation() {
    return generation;
  }

  void checkWritable(String what) throws IOException {
    if (failing) {
      throw new IOException("simulated I/O error on " + name + ": " + what);
    }
  }

  /**
   * Called before every mutation once it passed {@link #checkWritable}: throws {@link PowerLoss}
   * when the armed power loss is due. For a write of {@code length} bytes, returns how many of
   * them reach the disk before the power goes (then the caller writes them and calls {@link
   * #powerLoss()}); otherwise returns {@code length}.
   */
  int beforeMutation(int length) {
    if (powerLossCountdown == 0 || --powerLossCountdown > 0) {
      return length;
    }
    powerLossCountdown = -1;
    return length <= 0 ? 0 : powerLossRandom.nextInt(length + 1);
  }

  /** True right after {@link #beforeMutation} decided the power is lost. */
  boolean powerLost() {
    return powerLossCountdown < 0;
  }

  /** Throws the armed power loss. */
  PowerLoss powerLoss() {
    CrashMode mode = powerLossMode;
    powerLossCountdown = 0;
    return new PowerLoss(name, mode);
  }

  void countForce() {
    forces++;
  }

  /** The inode at {@code p}, or null. */
  Inode lookup(Path p) {
    SimPath sp = SimPath.check(p).toAbsolutePath();
    Inode at = root;
    for (String n : sp.names()) {
      if (!at.dir) {
        return null;
      }
      at = at.entries.get(n);
      if (at == null) {
        return null;
      }
    }
    return at;
  }

  private Inode lookupFile(Path p) throws IOException {
    Inode f = lookup(p);
    if (f == null || f.dir) {
      throw new NoSuchFileException(String.valueOf(p));
    }
    return f;
  }

  private Inode rebuildDirectory(Inode d, Random rnd, CrashMode mode) {
    TreeMap<String, Inode> entries = new TreeMap<>(d.durableEntries);
    int keep = mode == CrashMode.LOSE_UNSYNCED ? 0 : rnd.nextInt(d.pendingDir.size() + 1);
    for (int i = 0; i < keep; i++) {
      d.pendingDir.get(i).applyTo(entries);
    }
    Inode out = Inode.directory();
    for (Map.Entry<String, Inode> e : entries.entrySet()) {
      Inode child = e.getValue();
      out.entries.put(e.getKey(),
          child.dir ? rebuildDirectory(child, rnd, mode) : rebuildFile(child, rnd, mode));
    }
    out.durableEntries = new TreeMap<>(out.entries);
    return out;
  }

  private Inode rebuildFile(Inode f, Random rnd, CrashMode mode) {
    Buffer content = f.durable.copy();
    int n = f.pending.size();
    int keep = mode == CrashMode.LOSE_UNSYNCED ? 0 : rnd.nextInt(n + 1);
    for (int i = 0; i < keep; i++) {
      f.pending.get(i).applyTo(content);
    }
    if (mode == CrashMode.TORN && keep < n && f.pending.get(keep) instanceof FileOp.Write w
        && w.bytes.length > 1) {
      int part = 1 + rnd.nextInt(w.bytes.length - 1);
      content.write(w.position, w.bytes, 0, part);
      if (rnd.nextBoolean()) {
        // The size reached the disk but the data did not: the tail reads back as zeros.
        content.write(w.position + part, new byte[w.bytes.length - part], 0,
            w.bytes.length - part);
      }
      tornWrites++;
    }
    Inode out = Inode.file();
    out.data = content;
    out.durable = content.copy();
    return out;
  }

  /**
   * Thrown out of a file operation when an armed power loss is due: the server loses power in the
   * middle of that operation. Not an {@link IOException}: storage code must not handle it; the
   * simulation catches it and crashes the server with {@link #mode()}.
   */
  public static final class PowerLoss extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient CrashMode mode;

    PowerLoss(String disk, CrashMode mode) {
      super("power lost on " + disk, null, false, false);
      this.mode = mode;
    }

    /** What the crash that follows keeps of the unsynced writes. */
    public CrashMode mode() {
      return mode;
    }
  }

  // ------------------------------------------------------------------------------------------
  // The model

  /** A file or directory. */
  static final class Inode {
    final boolean dir;
    // files
    Buffer data;
    Buffer durable;
    final List<FileOp> pending;
    boolean locked;
    // directories
    final TreeMap<String, Inode> entries;
    TreeMap<String, Inode> durableEntries;
    final List<DirOp> pendingDir;

    private Inode(boolean dir) {
      this.dir = dir;
      if (dir) {
        entries = new TreeMap<>();
        durableEntries = new TreeMap<>();
        pendingDir = new ArrayList<>();
        pending = null;
      } else {
        entries = null;
        pendingDir = null;
        data = new Buffer();
        durable = new Buffer();
        pending = new ArrayList<>();
      }
    }

    static Inode file() {
      return new Inode(false);
    }

    static Inode directory() {
      return new Inode(true);
    }

    void write(long position, byte[] bytes) {
      data.write(position, bytes, 0, bytes.length);
      pending.add(new FileOp.Write(position, bytes));
    }

    void truncate(long size) {
      data.truncate(size);
      pending.add(new FileOp.Truncate(size));
    }

    void force() {
      if (dir) {
        for (DirOp op : pendingDir) {
          op.applyTo(durableEntries);
        }
        pendingDir.clear();
      } else {
        for (FileOp op : pending) {
          op.applyTo(durable);
        }
        pending.clear();
      }
    }

    void link(String name, Inode node) {
      entries.put(name, node);
      pendingDir.add(new DirOp.Link(name, node));
    }

    void unlink(String name) {
      entries.remove(name);
      pendingDir.add(new DirOp.Unlink(name));
    }

    void rename(String from, String to) {
      Inode node = entries.remove(from);
      entries.put(to, node);
      pendingDir.add(new DirOp.Rename(from, to, node));
    }
  }

  /** A change to a file not yet durable. */
  sealed interface FileOp {
    void applyTo(Buffer b);

    record Write(long position, byte[] bytes) implements FileOp {
      @Override
      public void applyTo(Buffer b) {
        b.write(position, bytes, 0, bytes.length);
      }
    }

    record Truncate(long size) implements FileOp {
      @Override
      public void applyTo(Buffer b) {
        b.truncate(size);
      }
    }
  }

  /** A change to a directory not yet durable. */
  sealed interface DirOp {
    void applyTo(Map<String, Inode> entries);

    record Link(String name, Inode node) implements DirOp {
      @Override
      public void applyTo(Map<String, Inode> entries) {
        entries.put(name, node);
      }
    }

    record Unlink(String name) implements DirOp {
      @Override
      public void applyTo(Map<String, Inode> entries) {
        entries.remove(name);
      }
    }

    record Rename(String from, String to, Inode node) implements DirOp {
      @Override
      public void applyTo(Map<String, Inode> entries) {
        entries.remove(from);
        entries.put(to, node);
      }
    }
  }

  /** A growable byte array with a logical size. */
  static final class Buffer {
    byte[] bytes = new byte[0];
    int size;

    void write(long position, byte[] src, int off, int len) {
      long end = position + len;
      if (end > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("simulated files are limited to 2 GiB");
      }
      if (end > bytes.length) {
        bytes = Arrays.copyOf(bytes, (int) Math.max(end, Math.min(Integer.MAX_VALUE - 8,
            bytes.length * 2L)));
      }
      if (position > size) {
        Arrays.fill(bytes, size, (int) position, (byte) 0);
      }
      System.arraycopy(src, off, bytes, (int) position, len);
      size = (int) Math.max(size, end);
    }

    void truncate(long newSize) {
      if (newSize < size) {
        Arrays.fill(bytes, (int) newSize, size, (byte) 0);
        size = (int) newSize;
      }
    }

    Buffer copy() {
      Buffer b = new Buffer();
      b.bytes = Arrays.copyOf(bytes, size);
      b.size = size;
      return b;
    }
  }
}
