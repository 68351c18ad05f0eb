package io.jscluster.core.cluster;

import io.jscluster.codec.meta.StreamAssignment;
import io.jscluster.codec.meta.StreamConfig;
import io.jscluster.core.ClusterConfig;
import io.jscluster.core.ClusterNode;
import io.jscluster.core.FileNodeStorage;
import io.jscluster.core.MemoryNodeStorage;
import io.jscluster.core.NodeStorage;
import io.jscluster.core.PubAck;
import io.jscluster.core.store.StreamState;
import io.jscluster.core.stream.StreamReplica;
import io.jscluster.core.store.SyncPolicy;
import io.jscluster.raft.RaftTiming;
import io.jscluster.raft.log.FsyncPolicy;
import io.jscluster.raft.sim.SimDisk;
import io.jscluster.raft.sim.SimNetwork;
import io.jscluster.raft.sim.Simulation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A whole jscluster cluster in one JVM, for testing: N {@link ClusterNode}s on a simulated network
 * in virtual time, with faults on demand. Everything — election timeouts, network delays, node
 * seeds, placement — derives from one seed, so a run replays exactly from its seed.
 *
 * <p>Typical use:
 *
 * <pre>{@code
 * try (InProcessCluster c = InProcessCluster.builder().nodes(3).seed(42).build()) {
 *   c.start();
 *   c.awaitMetaLeader(30_000);
 *   c.createStream(StreamConfigs.builder("ORDERS").subjects("orders.>").replicas(3).build());
 *   PubAck ack = c.publish("ORDERS", "orders.1", "hello".getBytes());
 *   c.kill("n2");
 *   c.restart("n2");
 *   c.awaitCurrent("ORDERS", 30_000);
 * }
 * }</pre>
 *
 * <p>All methods run on the caller's thread, which is the simulation's only thread: waits advance
 * virtual time by running events until their condition holds, and report failure with
 * {@link IllegalStateException} naming the seed. Not thread-safe.
 */
public final class InProcessCluster implements AutoCloseable {

  /** Builds an {@link InProcessCluster}. */
  public static final class Builder {
    private int nodes = 3;
    private long seed = 1;
    private Path directory;
    private RaftTiming timing = RaftTiming.NRG_DEFAULTS;
    private long minDelay = 1;
    private long maxDelay = 5;
    private FsyncPolicy walPolicy = FileNodeStorage.DEFAULT_WAL_POLICY;
    private SyncPolicy storePolicy;
    private boolean simulatedDisks;
    private long requestTimeout = 10_000;
    private io.jscluster.core.stream.SnapshotPolicy snapshotPolicy = io.jscluster.core.stream.SnapshotPolicy.DEFAULT;
    private long backgroundForceMillis = -1;

    private Builder() {}

    /**
     * With file storage: forces the file WALs (and, for replicated streams in a directory, the
     * stores) in the background ({@link FileNodeStorage#withBackgroundWalSync}), each force
     * completing {@code latencyMillis} of virtual time after it was requested. On simulated disks
     * the WALs are forced in the background and the stores inline.
     */
    public Builder backgroundForces(long latencyMillis) {
      backgroundForceMillis = latencyMillis;
      return this;
    }

    /** Number of servers, named {@code n1..nN} (default 3). */
    public Builder nodes(int n) {
      nodes = n;
      return this;
    }

    /** The seed every random choice derives from (default 1). */
    public Builder seed(long s) {
      seed = s;
      return this;
    }

    /** Keep node state in files under {@code dir} (one sub-directory per node) instead of on the heap. */
    public Builder fileStorage(Path dir) {
      directory = dir;
      return this;
    }

    /** The Raft timers of every group. */
    public Builder timing(RaftTiming t) {
      timing = t;
      return this;
    }

    /** Network delay range in virtual ms (default 1–5). */
    public Builder networkDelay(long min, long max) {
      minDelay = min;
      maxDelay = max;
      return this;
    }

    /**
     * Fsync policy of the Raft logs, on the heap and in files alike (default {@link
     * FileNodeStorage#DEFAULT_WAL_POLICY}, what a server gets: {@link FsyncPolicy#ON_SYNC}, every
     * Raft sync forces what was appended before anything depending on it is sent, so the
     * persistence rule holds with one force per batch; a kill loses the appends after the last
     * sync, which is what crash tests should meet).
     */
    public Builder walFsync(FsyncPolicy p) {
      walPolicy = p;
      return this;
    }

    /**
     * Sync policy of the file stream stores (default {@link FileNodeStorage#DEFAULT_STORE_POLICY}).
     * A {@link SyncPolicy#INTERVAL} store's background sync would run in real time outside the
     * simulation, so in this cluster it never fires: such a store reaches the disk only when its
     * write buffer fills or the node syncs or closes it, and a {@link InProcessCluster#kill kill}
     * loses what it still buffered — deterministically, the worst case of a real interval.
     */
    public Builder storeSync(SyncPolicy p) {
      storePolicy = p;
      return this;
    }

    /**
     * Keep each node's state — the meta and stream Raft WALs, {@code tav.idx}, snapshots, CLFS
     * files and file stream stores — in a {@link FileNodeStorage} on a disk of its own, a {@link
     * SimDisk} that knows what was forced, so that {@link InProcessCluster#powerLoss power losses}
     * can drop everything not yet durable. Unless {@link #walFsync} or {@link #storeSync} say
     * otherwise, the storage uses {@link FileNodeStorage}'s default policies, what a server gets.
     * A {@link SyncPolicy#INTERVAL} store's background sync runs in real time outside the
     * simulation, so on simulated disks it never fires: such a store is forced only when the node
     * syncs or closes it, the worst case a power loss can meet. Exclusive with {@link
     * #fileStorage}.
     */
    public Builder simulatedDisks() {
      simulatedDisks = true;
      return this;
    }

    /** How long a request waits for its result, in virtual ms (default 10 s). */
    public Builder requestTimeout(long millis) {
      requestTimeout = millis;
      return this;
    }

    /** When stream replicas snapshot into Raft (default nats-server's thresholds). */
    public Builder snapshotPolicy(io.jscluster.core.stream.SnapshotPolicy p) {
      snapshotPolicy = p;
      return this;
    }

    /** Builds the cluster; no node runs before {@link InProcessCluster#start()}. */
    public InProcessCluster build() {
      if (simulatedDisks && directory != null) {
        throw new IllegalStateException("simulatedDisks() and fileStorage(dir) exclude each other");
      }
      return new InProcessCluster(this);
    }
  }

  private final class Slot {
    final String name;
    final NodeStorage storage;
    /** The node's simulated disk, or null. */
    final SimDisk disk;
    /** An armed power loss on this node's disk takes every node's power. */
    boolean powerLossEverywhere;
    ClusterNode node;
    SimulationScheduler scheduler;
    int incarnation;
    long slowMillis;

    Slot(String name, NodeStorage storage) {
      this.name = name;
      this.storage = storage;
      this.disk = storage instanceof SimDiskStorage d ? d.disk() : null;
    }
  }

  /** A store sync interval that a test never reaches: INTERVAL stores on simulated disks never sync in the background. */
  private static final long NEVER_NANOS = Long.MAX_VALUE / 4;

  /** Wall-clock origin of virtual time: 2026-01-01T00:00:00Z. */
  private static final long EPOCH_NANOS = 1_767_225_600_000_000_000L;

  private final Builder cfg;
  private final Simulation sim;
  private final SimNetwork network;
  private final Map<String, Slot> slots = new LinkedHashMap<>();
  private final List<String> names = new ArrayList<>();
  private long powerLosses;

  private InProcessCluster(Builder b) {
    this.cfg = b;
    this.sim = new Simulation(b.seed);
    this.network = new SimNetwork(sim);
    network.setDelay(b.minDelay, b.maxDelay);
    for (int i = 1; i <= b.nodes; i++) {
      names.add("n" + i);
    }
    for (String n : names) {
      NodeStorage st;
      SyncPolicy storePolicy = b.storePolicy != null ? b.storePolicy : FileNodeStorage.DEFAULT_STORE_POLICY;
      if (b.simulatedDisks) {
        SimDisk disk = new SimDisk(n);
        st = new SimDiskStorage(disk, background(b, new FileNodeStorage(disk.root(), b.walPolicy, storePolicy,
            NEVER_NANOS)));
      } else if (b.directory != null) {
        st = background(b, new FileNodeStorage(b.directory.resolve(n), b.walPolicy, storePolicy, NEVER_NANOS));
      } else {
        st = new MemoryNodeStorage(b.walPolicy);
      }
      slots.put(n, new Slot(n, st));
    }
  }

  /** {@code f} with background forces completing after the builder's latency, if it asked for them. */
  private FileNodeStorage background(Builder b, FileNodeStorage f) {
    if (b.backgroundForceMillis < 0) {
      return f;
    }
    long d = b.backgroundForceMillis;
    return f.withBackgroundWalSync(task -> sim.schedule(sim.now() + d, task));
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The seed. */
  public long seed() {
    return sim.seed();
  }

  /** The simulation (virtual clock, random generator, trace hash). */
  public Simulation simulation() {
    return sim;
  }

  /** The simulated network (for finer faults: loss, duplication, reordering, one-way cuts). */
  public SimNetwork network() {
    return network;
  }

  /** Server names, {@code n1..nN}. */
  public List<String> names() {
    return List.copyOf(names);
  }

  /** The running node {@code name}, or null while it is down. */
  public ClusterNode node(String name) {
    Slot s = slot(name);
    return s.node == null || s.node.stopped() ? null : s.node;
  }

  /** Every running node. */
  public List<ClusterNode> liveNodes() {
    List<ClusterNode> out = new ArrayList<>();
    for (Slot s : slots.values()) {
      if (s.node != null && !s.node.stopped()) {
        out.add(s.node);
      }
    }
    return out;
  }

  /** The storage of node {@code name} (kept across restarts). */
  public NodeStorage storage(String name) {
    return slot(name).storage;
  }

  /**
   * The simulated disk of node {@code name} (for finer faults: {@link SimDisk#flipBit}, {@link
   * SimDisk#setFailing}, inspection).
   *
   * @throws IllegalStateException unless the cluster was built with {@link Builder#simulatedDisks()}
   */
  public SimDisk disk(String name) {
    return requireDisk(slot(name));
  }

  private SimDisk requireDisk(Slot s) {
    if (s.disk == null) {
      throw new IllegalStateException("power loss needs simulatedDisks()");
    }
    return s.disk;
  }

  /** The file storage of node {@code name} (on a real or simulated disk), or null for heap storage. */
  private FileNodeStorage fileStorage(Slot s) {
    if (s.storage instanceof SimDiskStorage d) {
      return d.files();
    }
    return s.storage instanceof FileNodeStorage f ? f : null;
  }

  private Slot slot(String name) {
    Slot s = slots.get(name);
    if (s == null) {
      throw new IllegalArgumentException("no node " + name);
    }
    return s;
  }

  // ------------------------------------------------------------------ lifecycle and faults

  /** Starts every node that is not running. */
  public void start() {
    for (String n : names) {
      if (node(n) == null) {
        boot(slot(n));
      }
    }
  }

  private void boot(Slot s) {
    s.incarnation++;
    s.scheduler = new SimulationScheduler(sim, EPOCH_NANOS);
    s.scheduler.slow(s.slowMillis);
    if (s.disk != null) {
      s.scheduler.onPowerLoss(e -> onPowerLoss(s, e));
    }
    try {
      startNode(s);
    } catch (SimDisk.PowerLoss e) {
      if (s.disk == null) {
        throw e;
      }
      s.scheduler.halt();
      onPowerLoss(s, e);
      return;
    }
    for (Slot o : slots.values()) {
      if (o != s) {
        connectionUp(s, o);
      }
    }
  }

  /**
   * The connection between {@code a} and {@code b} came up, as a real transport would notice a
   * (re)established route: when both run and the network lets messages through both ways, each
   * hears {@link ClusterNode#peerConnected} of the other as its next task.
   */
  private void connectionUp(Slot a, Slot b) {
    if (!running(a) || !running(b) || !network.connected(a.name, b.name)
        || !network.connected(b.name, a.name)) {
      return;
    }
    ClusterNode na = a.node;
    ClusterNode nb = b.node;
    a.scheduler.execute(() -> na.peerConnected(b.name));
    b.scheduler.execute(() -> nb.peerConnected(a.name));
    sim.trace("peer-up:" + a.name + ":" + b.name);
  }

  private static boolean running(Slot s) {
    return s.node != null && !s.node.stopped() && s.scheduler != null && !s.scheduler.halted();
  }

  private void startNode(Slot s) {
    ClusterConfig cc = new ClusterConfig(s.name, names, "jscluster", s.storage, 0, cfg.timing,
        cfg.requestTimeout);
    NodeTransport t = new NodeTransport(network.network().endpoint(s.name), s.scheduler);
    s.node = new ClusterNode(cc, t, s.scheduler, sim.random().nextLong());
    s.node.snapshotPolicy(cfg.snapshotPolicy);
    s.node.start();
    sim.trace("boot:" + s.name + ":" + s.incarnation);
  }

  /**
   * Kills node {@code name} like {@code kill -9}: its timers and queued messages vanish and Raft
   * log writes not yet synced are lost.
   */
  public void kill(String name) {
    kill(name, 0);
  }

  /**
   * Kills node {@code name}; of its unsynced Raft log writes the first {@code survivingUnsynced}
   * survive (heap storage). With file storage, on a real directory or on simulated disks, the
   * process dies: what it had written to its files stays (the operating system still holds it),
   * what it still buffered in the JVM (a WAL's or store's write buffer) is lost, and nothing
   * more reaches the disk — no flush, no clean-close checkpoint, no final manifest.
   */
  public void kill(String name, int survivingUnsynced) {
    Slot s = slot(name);
    if (s.node == null || s.node.stopped()) {
      return;
    }
    s.scheduler.halt();
    network.network().disconnect(name);
    if (s.storage instanceof SimDiskStorage d) {
      d.disk().setFailing(true);
      d.goingDown(true);
      try {
        s.node.stop();
      } finally {
        d.goingDown(false);
        d.disk().setFailing(false);
      }
    } else if (s.storage instanceof FileNodeStorage f) {
      // The stop below releases the dead incarnation's handles and timers, but as a clean stop it
      // would also flush user-space buffers and write clean-close checkpoints. A killed process
      // does neither: its directory is put back to what the operating system held at this instant.
      DirectoryImage image = DirectoryImage.capture(f.directory());
      try {
        s.node.stop();
      } catch (RuntimeException ignored) {
        // A killed process reports nothing; what it left on disk is restored below either way.
      } finally {
        image.restore();
      }
    } else {
      s.node.stop();
    }
    if (s.storage instanceof MemoryNodeStorage m) {
      m.crash(survivingUnsynced);
    }
    sim.trace("kill:" + name);
  }

  /** Stops node {@code name} cleanly (everything written survives). */
  public void stop(String name) {
    Slot s = slot(name);
    if (s.node == null || s.node.stopped()) {
      return;
    }
    s.scheduler.halt();
    network.network().disconnect(name);
    s.node.stop();
    if (s.storage instanceof MemoryNodeStorage m) {
      m.crash(Integer.MAX_VALUE);
    }
    sim.trace("stop:" + name);
  }

  // ------------------------------------------------------------------ power losses (simulated disks)

  /**
   * Node {@code name} loses power and comes back: it stops at once, its disk keeps only what was
   * durably forced — file contents on a force, directory entries (creations, renames, deletions)
   * on a force of their directory — and it boots from that. A node that was down reboots too.
   * Needs {@link Builder#simulatedDisks()}.
   */
  public void powerLoss(String name) {
    powerLoss(name, SimDisk.CrashMode.LOSE_UNSYNCED);
  }

  /** As {@link #powerLoss(String)}; {@code mode} says what of the unforced writes survives (a prefix, a torn write). */
  public void powerLoss(String name, SimDisk.CrashMode mode) {
    cutPower(List.of(slot(name)), mode);
  }

  /** Every node loses power at the same instant and comes back, as {@link #powerLoss(String)}. */
  public void powerLossAll() {
    powerLossAll(SimDisk.CrashMode.LOSE_UNSYNCED);
  }

  /** As {@link #powerLossAll()}; {@code mode} says what of the unforced writes survives. */
  public void powerLossAll(SimDisk.CrashMode mode) {
    cutPower(new ArrayList<>(slots.values()), mode);
  }

  /**
   * Cuts the power in the middle of node {@code name}'s {@code afterMutations}-th disk mutation
   * from now (a write, truncation, force, creation, deletion or rename; 1 = the next one): a write
   * may reach the disk in part, the rest of the task that made it never runs, and the node — or,
   * when {@code everyNode}, every node at that same instant — loses power as {@link
   * #powerLoss(String, SimDisk.CrashMode)} with {@code mode} and comes back. {@link
   * #powerLosses()} counts it when it happened.
   */
  public void armPowerLoss(String name, int afterMutations, SimDisk.CrashMode mode, boolean everyNode) {
    Slot s = slot(name);
    requireDisk(s).armPowerLoss(afterMutations, mode, sim.random());
    s.powerLossEverywhere = everyNode;
  }

  /** Power losses so far (one per {@code powerLoss} call or armed loss that fired, however many nodes it took). */
  public long powerLosses() {
    return powerLosses;
  }

  private void onPowerLoss(Slot s, SimDisk.PowerLoss e) {
    cutPower(s.powerLossEverywhere ? new ArrayList<>(slots.values()) : List.of(s), e.mode());
  }

  private void cutPower(List<Slot> victims, SimDisk.CrashMode mode) {
    for (Slot s : victims) {
      requireDisk(s);
    }
    powerLosses++;
    sim.trace("power-loss:" + victims.size());
    // Every machine goes dark at the same instant: what each disk will hold is fixed now.
    List<SimDisk.Image> images = new ArrayList<>();
    for (Slot s : victims) {
      if (s.scheduler != null) {
        s.scheduler.halt();
      }
      network.network().disconnect(s.name);
      s.disk.disarmPowerLoss();
      images.add(s.disk.crashImage(sim.random(), mode));
    }
    for (Slot s : victims) {
      if (s.node != null && !s.node.stopped()) {
        SimDiskStorage d = (SimDiskStorage) s.storage;
        d.goingDown(true);
        try {
          // Releases the dead incarnation's files and timers; what it writes meanwhile is undone below.
          s.node.stop();
        } catch (RuntimeException ignored) {
          // A node stopped in the middle of a task may be inconsistent; it is discarded anyway.
        } finally {
          d.goingDown(false);
        }
      }
    }
    for (int i = 0; i < victims.size(); i++) {
      victims.get(i).disk.restore(images.get(i));
      victims.get(i).powerLossEverywhere = false;
    }
    for (Slot s : victims) {
      boot(s);
    }
  }

  /** Restarts node {@code name} from its storage (kills it first if it runs). */
  public void restart(String name) {
    kill(name);
    boot(slot(name));
  }

  /** Puts the given nodes in a partition of their own. */
  public void partition(Set<String> group) {
    network.partition(group);
  }

  /** Isolates node {@code name} from every other node. */
  public void isolate(String name) {
    network.isolate(name);
  }

  /**
   * Removes every partition, cut and network fault; un-slows every node. Running nodes that could
   * not reach each other before hear {@link ClusterNode#peerConnected} of each other, as over a
   * re-established connection.
   */
  public void heal() {
    List<Slot[]> restored = new ArrayList<>();
    List<Slot> all = new ArrayList<>(slots.values());
    for (int i = 0; i < all.size(); i++) {
      for (int j = i + 1; j < all.size(); j++) {
        Slot a = all.get(i);
        Slot b = all.get(j);
        if (!network.connected(a.name, b.name) || !network.connected(b.name, a.name)) {
          restored.add(new Slot[] {a, b});
        }
      }
    }
    network.heal();
    for (Slot[] pair : restored) {
      connectionUp(pair[0], pair[1]);
    }
    for (Slot s : slots.values()) {
      s.slowMillis = 0;
      if (s.scheduler != null) {
        s.scheduler.slow(0);
      }
    }
  }

  /** Delays every message node {@code name} receives by {@code millis} more (0: normal). */
  public void slow(String name, long millis) {
    Slot s = slot(name);
    s.slowMillis = millis;
    if (s.scheduler != null) {
      s.scheduler.slow(millis);
    }
  }

  /**
   * Flips one random bit in each of up to {@code files} random files of node {@code name}'s store of
   * {@code stream} (file storage only; the node should be down). Returns the files damaged.
   */
  public List<Path> damageStreamFiles(String name, String stream, int files) {
    FileNodeStorage f = fileStorage(slot(name));
    if (f == null) {
      throw new IllegalStateException("damage needs file storage");
    }
    return flipBits(slot(name), f.streamDir(stream), files);
  }

  /**
   * Flips one random bit in each of up to {@code files} random snapshot files of node {@code name}'s
   * Raft group {@code group} (a stream's group name, or {@code _meta_}); file storage only, the
   * node should be down. Returns the files damaged (none when the group has no snapshot).
   */
  public List<Path> damageSnapshotFiles(String name, String group, int files) {
    FileNodeStorage f = fileStorage(slot(name));
    if (f == null) {
      throw new IllegalStateException("damage needs file storage");
    }
    Path dir = f.groupDir(group).resolve("snapshots");
    return Files.isDirectory(dir) ? flipBits(slot(name), dir, files) : List.of();
  }

  private List<Path> flipBits(Slot slot, Path dir, int files) {
    List<Path> candidates;
    try (Stream<Path> s = Files.walk(dir)) {
      candidates = new ArrayList<>(s.filter(Files::isRegularFile).filter(p -> {
        try {
          return Files.size(p) > 0;
        } catch (IOException e) {
          return false;
        }
      }).sorted().toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Path> out = new ArrayList<>();
    for (int i = 0; i < files && !candidates.isEmpty(); i++) {
      Path p = candidates.remove(sim.random().nextInt(candidates.size()));
      if (slot.disk != null) {
        // Media damage: the bit is wrong in what is durable too, not only in the page cache.
        try {
          long size = Files.size(p);
          slot.disk.flipBit(p, (long) (sim.random().nextDouble() * size) * 8 + sim.random().nextInt(8));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        out.add(p);
        continue;
      }
      try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        long pos = (long) (sim.random().nextDouble() * ch.size());
        ByteBuffer b = ByteBuffer.allocate(1);
        ch.read(b, pos);
        b.put(0, (byte) (b.get(0) ^ (1 << sim.random().nextInt(8))));
        b.rewind();
        ch.write(b, pos);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      out.add(p);
    }
    return out;
  }

  // ------------------------------------------------------------------ time and waits

  /** Runs {@code millis} of virtual time. */
  public void runFor(long millis) {
    sim.runFor(millis);
  }

  /** Runs until {@code condition} holds or {@code maxMillis} of virtual time passed; returns whether it holds. */
  public boolean runUntil(BooleanSupplier condition, long maxMillis) {
    return sim.runUntil(condition, maxMillis);
  }

  /** As {@link #runUntil} but fails with a message naming {@code what} and the seed. */
  public void await(BooleanSupplier condition, long maxMillis, String what) {
    if (!sim.runUntil(condition, maxMillis)) {
      throw new IllegalStateException("timed out after " + maxMillis + " virtual ms waiting for " + what
          + " (seed " + seed() + ")");
    }
  }

  /** Runs until {@code f} is done and returns its value (failures are rethrown unwrapped when possible). */
  public <T> T await(CompletableFuture<T> f, long maxMillis) {
    await(f::isDone, maxMillis, "a result");
    try {
      return f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits for a meta leader that every live node agrees on, and returns it. */
  public ClusterNode awaitMetaLeader(long maxMillis) {
    await(() -> metaLeader() != null, maxMillis, "a meta leader");
    return metaLeader();
  }

  /** The meta leader, if one live node leads and every live node names it. */
  public ClusterNode metaLeader() {
    ClusterNode leader = null;
    for (ClusterNode n : liveNodes()) {
      if (n.isMetaLeader()) {
        if (leader != null) {
          return null;
        }
        leader = n;
      }
    }
    if (leader == null) {
      return null;
    }
    for (ClusterNode n : liveNodes()) {
      if (!leader.id().equals(n.metaLeaderId())) {
        return null;
      }
    }
    return leader;
  }

  /** The live node leading {@code stream}, or null. */
  public ClusterNode streamLeader(String stream) {
    for (ClusterNode n : liveNodes()) {
      if (n.isStreamLeader(stream)) {
        return n;
      }
    }
    return null;
  }

  /** Waits for a live leader of {@code stream} and returns it. */
  public ClusterNode awaitStreamLeader(String stream, long maxMillis) {
    await(() -> streamLeader(stream) != null, maxMillis, "a leader of " + stream);
    return streamLeader(stream);
  }

  /** The live nodes holding a replica of {@code stream}. */
  public List<ClusterNode> replicas(String stream) {
    List<ClusterNode> out = new ArrayList<>();
    for (ClusterNode n : liveNodes()) {
      if (n.replica(stream) != null) {
        out.add(n);
      }
    }
    return out;
  }

  /**
   * Waits until every assigned replica of {@code stream} runs, is current, has the leader's last
   * sequence and has applied everything the leader has committed.
   */
  public void awaitCurrent(String stream, long maxMillis) {
    if (!sim.runUntil(() -> allCurrent(stream), maxMillis)) {
      throw new IllegalStateException("timed out after " + maxMillis + " virtual ms waiting for current replicas of "
          + stream + " (seed " + seed() + "): " + describe(stream));
    }
  }

  /** One line per node on {@code stream}'s replica: Raft role and indexes, store, catch-up and damage state. */
  public String describe(String stream) {
    StringBuilder b = new StringBuilder();
    for (String n : names) {
      ClusterNode node = node(n);
      b.append('\n').append(n).append(": ");
      if (node == null) {
        b.append("down");
        continue;
      }
      StreamReplica r = node.replica(stream);
      if (r == null) {
        b.append("no replica (assigned: ").append(node.assignments().containsKey(stream)).append(')');
        continue;
      }
      b.append("store ").append(r.store().state()).append(" current=").append(node.isStreamCurrent(stream))
          .append(" catchingUp=").append(r.catchupState().isCatchingUp())
          .append(" damage=").append(r.store().damage().size()).append(" writeError=").append(r.writeError());
      if (r.host() != null) {
        io.jscluster.raft.RaftNode rn = r.host().node();
        b.append(" raft ").append(rn.state()).append(" term=").append(rn.term()).append(" leader=")
            .append(rn.leaderId()).append(" last=").append(rn.lastIndex()).append(" commit=")
            .append(rn.commitIndex()).append(" applied=").append(rn.appliedIndex()).append(" processed=").append(rn.processedIndex()).append(" snap=")
            .append(rn.snapshotIndex()).append(" paused=").append(rn.isPaused()).append(" peers=")
            .append(rn.peerIds());
      }
    }
    return b.toString();
  }

  private boolean allCurrent(String stream) {
    ClusterNode leader = streamLeader(stream);
    if (leader == null) {
      return false;
    }
    StreamAssignment sa = leader.assignments().get(stream);
    if (sa == null) {
      return false;
    }
    long last = leader.replica(stream).store().state().lastSeq();
    long commit = leader.replica(stream).host() == null ? 0
        : leader.replica(stream).host().node().commitIndex();
    int n = 0;
    for (ClusterNode node : replicas(stream)) {
      StreamReplica r = node.replica(stream);
      if (!node.isStreamCurrent(stream) || r.store().state().lastSeq() != last
          || r.host() != null && r.host().node().appliedIndex() < commit) {
        return false;
      }
      n++;
    }
    return n == sa.group().peers().size();
  }

  /** Waits until every live replica of {@code stream} has last sequence {@code >= seq}. */
  public void awaitSequence(String stream, long seq, long maxMillis) {
    await(() -> {
      Collection<ClusterNode> rs = replicas(stream);
      if (rs.isEmpty()) {
        return false;
      }
      for (ClusterNode n : rs) {
        if (n.replica(stream).store().state().lastSeq() < seq) {
          return false;
        }
      }
      return true;
    }, maxMillis, stream + " at sequence " + seq);
  }

  // ------------------------------------------------------------------ routed requests

  /** Creates a stream through the meta leader and waits until it has a leader. */
  public StreamAssignment createStream(StreamConfig config) {
    ClusterNode leader = awaitMetaLeader(60_000);
    StreamAssignment sa = await(leader.createStream(config), 60_000);
    awaitStreamLeader(config.name(), 60_000);
    return sa;
  }

  /** Updates a stream's config through the meta leader (a replica-count change starts a migration). */
  public StreamAssignment updateStream(StreamConfig config) {
    ClusterNode leader = awaitMetaLeader(60_000);
    return await(leader.updateStream(config), 60_000);
  }

  /** Removes server {@code server} from {@code stream}'s replicas at once (stream peer-remove). */
  public StreamAssignment removeStreamPeer(String stream, String server) {
    ClusterNode leader = awaitMetaLeader(60_000);
    return await(leader.removeStreamPeer(stream, server), 60_000);
  }

  /** Moves {@code stream}'s replica off server {@code server} after its replacement caught up (peer-evacuate). */
  public StreamAssignment evacuateStreamPeer(String stream, String server) {
    ClusterNode leader = awaitMetaLeader(60_000);
    return await(leader.evacuateStreamPeer(stream, server), 60_000);
  }

  /**
   * Waits until {@code stream}'s assignment has no desired state left on every live node (any move
   * or scale finished), lists as many peers as the config's replicas, an R1 replica left its Raft
   * group (it does so once a meta snapshot holds the R1 assignment), and every replica is current.
   */
  public void awaitMigrated(String stream, long maxMillis) {
    await(() -> {
      ClusterNode l = streamLeader(stream);
      if (l == null) {
        return false;
      }
      for (ClusterNode n : liveNodes()) {
        StreamAssignment sa = n.assignments().get(stream);
        if (sa == null || sa.group().desired() != null
            || sa.group().peers().size() != Math.max(1, sa.config().replicas())) {
          return false;
        }
      }
      StreamReplica r = l.replica(stream);
      int assigned = l.assignments().get(stream).group().peers().size();
      if (r.host() != null && (assigned == 1 || r.host().node().peerIds().size() != assigned)) {
        return false;
      }
      return allCurrent(stream);
    }, maxMillis, "the migration of " + stream + " to finish");
  }

  /** Publishes through the current stream leader and waits for the PubAck. */
  public PubAck publish(String stream, String subject, byte[] data) {
    return publish(stream, subject, null, data);
  }

  /** Publishes with headers through the current stream leader and waits for the PubAck. */
  public PubAck publish(String stream, String subject, byte[] header, byte[] data) {
    ClusterNode leader = awaitStreamLeader(stream, 60_000);
    return await(leader.publish(stream, subject, header, data), 60_000);
  }

  /** The state of {@code stream} on node {@code name}, or null. */
  public StreamState state(String name, String stream) {
    ClusterNode n = node(name);
    return n == null || n.replica(stream) == null ? null : n.replica(stream).store().state();
  }

  /** Stops every node. */
  @Override
  public void close() {
    for (Slot s : slots.values()) {
      if (s.disk != null) {
        s.disk.disarmPowerLoss();
      }
    }
    for (String n : names) {
      ClusterNode node = node(n);
      if (node != null) {
        slot(n).scheduler.halt();
        node.stop();
      }
    }
  }
}
