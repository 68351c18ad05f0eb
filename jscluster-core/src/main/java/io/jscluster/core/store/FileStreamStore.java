package io.jscluster.core.store;

import io.jscluster.codec.state.DeleteBlock;
import io.jscluster.codec.state.DeleteRange;
import io.jscluster.codec.state.StreamStateCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledFuture;
import java.util.function.LongConsumer;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable {@link StreamStore}: messages in segmented block files, one checksummed record per message.
 *
 * <h2>Layout</h2>
 * {@code <base>.blk} holds the records of sequences {@code >= base} (and below the next block's base) in
 * sequence order; {@code <base>.del} is the block's delete log (checksummed ranges); {@code manifest} lists the
 * blocks with, for sealed blocks, their final length and last sequence. Appends go to the last (active) block;
 * a block that no longer holds any message is deleted (reclaimed) unless it is the active one.
 *
 * <h2>Recovery</h2>
 * Opening rescans every block, verifying each record's CRC-32C, and rebuilds the per-block metadata; record
 * indexes are built on demand and kept for a bounded number of blocks, so memory does not grow with the stream
 * (per block it holds counts and its interior-delete set; per subject one counter). A torn tail of the active
 * block after a crash is truncated. Any other damage — a checksum mismatch, a block shorter than the manifest
 * says, a missing block file, a damaged delete log — is <em>reported</em> as a {@link Damage} range of sequences
 * whose content is unknown; those sequences are never treated as deleted. The store stays usable: other
 * sequences are served, the damaged ones raise {@link StoreCorruptionException} until {@link #repair} restores
 * them from a peer.
 *
 * <h2>Durability</h2>
 * See {@link SyncPolicy}. Under {@link SyncPolicy#ALWAYS} every mutating call, or every
 * {@link #batch(Runnable)}, is fsynced before it returns.
 *
 * <h2>Write-behind</h2>
 * Records are assembled in a {@link #WRITE_BUFFER_BYTES} heap buffer. By default a full buffer is written to the
 * active block on the caller's thread. With {@link FileStoreConfig#withWriteBehind(int)} it is handed to a shared
 * writer pool instead and the caller continues in a free buffer (bounded; it waits when all are in flight). Every
 * path that reads the active block's file, rewrites or cuts it, seals it, syncs, purges or closes first waits for
 * the writes in flight, so they all see every stored record; a write failing in the background fails the store like
 * a write failing inline (the next write, sync or read of the lost records throws {@link StoreIOException}).
 */
public final class FileStreamStore extends AbstractStreamStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileStreamStore.class);
    /** The manifest before slots (one file, replaced by rename); read when no slot is valid, then removed. */
    private static final String LEGACY_MANIFEST = "manifest";
    /** The two manifest slots, written alternately (see {@link #writeManifest(boolean)}). */
    private static final String[] MANIFEST_SLOTS = {"manifest.0", "manifest.1"};
    private static final int MANIFEST_SLOT_MAGIC = 0x324d534a; // "JSM2"
    private static final String SOURCES = "sources";
    private static final int SOURCES_MAGIC = 0x31534d4a; // "JMS1"
    private static final int MANIFEST_MAGIC = 0x314d534a; // "JSM1"
    /** Write buffer size; the plain FileChannel baseline benchmark uses the same. */
    static final int WRITE_BUFFER = 256 * 1024;
    /**
     * Bytes of the heap buffer records are assembled in before one positional write to the active block (so
     * benchmarks can compare with a plain write loop of the same buffer size).
     */
    public static final int WRITE_BUFFER_BYTES = WRITE_BUFFER;
    private static final int READ_WINDOW = 256 * 1024;
    private static final int RBUF_INITIAL = 4096;
    /** How often stores that need no interval fsync release idle buffers. */
    private static final long TRIM_PERIOD_NANOS = 1_000_000_000L;
    /** Interior deletes a block may collect from skips before a new block is started (as nats-server does). */
    private static final int MAX_SKIP_DELETES = 64 * 1024;
    /**
     * A sealed block at least this large (or half the configured block size, for small blocks) is compacted once
     * under half of it is live; nats-server's file store uses the same 2 MiB minimum and half-live rule.
     */
    private static final int COMPACT_MIN_BYTES = 2 * 1024 * 1024;
    private static final java.lang.invoke.VarHandle FAILURE;

    static {
        try {
            FAILURE = java.lang.invoke.MethodHandles.lookup().findVarHandle(FileStreamStore.class, "failure",
                    StoreIOException.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final FileStoreConfig cfg;
    private final Path dir;
    private final List<Block> blocks = new ArrayList<>();
    /**
     * How many of {@link #blocks} have damage: kept by the blocks themselves while attached, so {@link #hasDamage()}
     * (asked before every proposal) is O(1). Every change to {@link #blocks} goes through {@link #addBlock} or
     * {@link Block#detach()}.
     */
    private final Block.Tally damageTally = new Block.Tally();
    private final LinkedHashMap<Block, RecordIndex> indexCache;
    private RecordIndex activeIndex = new RecordIndex();
    /**
     * The index a roll's own insertion into {@link #indexCache} evicted ({@link #rolling} set around it), taken
     * at once as the new active block's index: a steady stream of rolls then allocates no index arrays. No
     * operation can hold that index meanwhile (a roll runs inside an append), and no other eviction is kept.
     */
    private RecordIndex evictedIndex;
    private boolean rolling;
    /**
     * Records not yet written to the active block, {@code wa[0, wpos)}; allocated on first write, released when
     * idle. {@link #wbuf} wraps the same array for the positional writes.
     */
    private byte[] wa;
    private int wpos;
    private ByteBuffer wbuf;
    /** {@code cfg.blockSize()}, read on every append. */
    private final long blockSize;
    /** {@code cfg.syncPolicy() == ALWAYS}, read after every mutation. */
    private final boolean syncAlways;
    private final CRC32C crc = new CRC32C();
    /** The buffer {@link #locateLive} found the last record in (the read-ahead window or {@link #rbuf}). */
    private byte[] located;
    /** Subject of the last record read into a view and its bytes (reused when the next one has the same bytes). */
    private String lastReadSubject;
    private byte[] lastReadSubjectUtf8;
    private byte[] rbuf = new byte[RBUF_INITIAL];
    /**
     * Read-ahead window: sequential loads (catch-up) are served from one positional read per 256 KiB. Allocated
     * on first use, released when idle.
     */
    private byte[] win;
    private Block winBlock;
    private long winStart;
    private int winLen;
    /**
     * Block image: the whole file of the sealed block whose index was built last ({@link #buildIndex}), kept so the
     * loads that follow are served without reading the file again. Released when idle.
     */
    private byte[] image;
    private Block imageBlock;
    private int imageLen;
    /** Read-ahead window refills from a file so far (for tests). */
    private long windowFills;
    private final List<Block> dirtyBlocks = new ArrayList<>();
    private boolean dirDirty;
    private long dirWrites;
    /** The manifest was replaced without an fsync (interval policy); the next sync makes it durable. */
    private boolean manifestDirty;
    private long manifestWrites;
    /** Generation of the newest manifest written (each write is one higher). */
    private long manifestGen;
    /** Slot holding the newest manifest known durable; -1 when none is. It is never overwritten. */
    private int durableSlot = -1;
    /**
     * Files of blocks reclaimed under the interval policy: deleted once a manifest without them is durable (until
     * then the durable manifest still lists them, and a crash must find them).
     */
    private final List<Path> pendingDeletes = new ArrayList<>();
    private boolean wroteSinceTrim;
    private boolean readSinceTrim;
    private int batchDepth;
    /**
     * The first write failure; from then on the store refuses writes. Volatile and set once (compare-and-set):
     * a write-behind writer thread records its failure here without the store's lock.
     */
    private volatile StoreIOException failure;
    /** The write-behind queue, or null when buffers are written on the caller's thread. */
    private final WriteBehind writeBehind;
    /** Bytes of each write buffer. */
    private final int writeBufferBytes;
    /** With write-behind: the next block's file, prepared on a writer thread; null otherwise. */
    private final SpareBlockFile spare;
    private ScheduledFuture<?> backgroundTask;

    private FileStreamStore(FileStoreConfig cfg, int writeBufferBytes, WriteBehind.BlockWriter writer,
                            java.util.concurrent.Executor spareCreator) {
        super(cfg.limits(), cfg.clock());
        this.cfg = cfg;
        this.writeBufferBytes = writeBufferBytes;
        this.writeBehind = cfg.writeBehindBuffers() == 0 ? null : new WriteBehind(cfg.writeBehindBuffers(),
                writeBufferBytes, StoreWriters.executor(), writer, this::writeBehindFailed);
        this.dir = cfg.dir();
        this.spare = writeBehind == null ? null : new SpareBlockFile(cfg.dir(), spareCreator);
        this.blockSize = cfg.blockSize();
        this.syncAlways = cfg.syncPolicy() == SyncPolicy.ALWAYS;
        int cap = cfg.indexCacheBlocks();
        this.indexCache = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Block, RecordIndex> eldest) {
                if (size() > cap) {
                    if (rolling) {
                        evictedIndex = eldest.getValue();
                    }
                    // Read handles follow the index cache, so open files stay bounded too.
                    Block b = eldest.getKey();
                    if (blocks.isEmpty() || b != blocks.get(blocks.size() - 1)) {
                        closeChannel(b);
                    }
                    return true;
                }
                return false;
            }
        };
    }

    /**
     * Opens (recovering) or creates the store in {@code cfg.dir()}.
     *
     * @throws StoreIOException the directory cannot be read or written
     */
    public static FileStreamStore open(FileStoreConfig cfg) {
        return open(cfg, WRITE_BUFFER, WriteBehind.FILE_WRITER);
    }

    /**
     * As {@link #open(FileStoreConfig)} with another write-buffer size and, under write-behind, another writer
     * (tests: small buffers make every few records a hand-off; a failing writer injects I/O errors).
     */
    static FileStreamStore open(FileStoreConfig cfg, int writeBufferBytes, WriteBehind.BlockWriter writer) {
        return open(cfg, writeBufferBytes, writer, StoreWriters.executor());
    }

    /** As above, creating the spare block files of write-behind on {@code spareCreator} (tests: when they like). */
    static FileStreamStore open(FileStoreConfig cfg, int writeBufferBytes, WriteBehind.BlockWriter writer,
                                java.util.concurrent.Executor spareCreator) {
        if (writeBufferBytes < BlockFormat.MIN_RECORD || writeBufferBytes > WRITE_BUFFER) {
            throw new IllegalArgumentException("write buffer size out of range: " + writeBufferBytes);
        }
        FileStreamStore s = new FileStreamStore(cfg, writeBufferBytes, writer, spareCreator);
        try {
            s.recover();
        } catch (IOException e) {
            s.closeChannelsQuietly();
            throw new StoreIOException("opening " + cfg.dir(), e);
        } catch (RuntimeException e) {
            s.closeChannelsQuietly();
            throw e;
        }
        long period = cfg.syncPolicy() == SyncPolicy.INTERVAL ? cfg.syncIntervalNanos() : TRIM_PERIOD_NANOS;
        synchronized (s) {
            s.backgroundTask = StoreSyncScheduler.every(period, s::background);
            if (s.spare != null) {
                s.spare.prepare();
            }
        }
        return s;
    }

    // ---------------------------------------------------------------- recovery

    private record ManifestEntry(long base, long last, long length) {
    }

    /** Valid records of a block, as found by a scan. */
    private static final class Scan {
        final List<long[]> records = new ArrayList<>(); // {offset, seq, lastCovered, type, ts}
        long validEnd;
    }

    private void recover() throws IOException {
        // Its entry must survive a power cut, or every block forced into it goes with it; one that exists may
        // have been created by a process that crashed before making it durable.
        if (!io.jscluster.raft.state.DurableFiles.createDirectories(dir)) {
            io.jscluster.raft.state.DurableFiles.syncParent(dir);
        }
        SpareBlockFile.deleteLeftover(dir);
        readSources();
        ChosenManifest chosen = readManifest();
        TreeMap<Long, ManifestEntry> manifest = chosen == null ? null : chosen.entries();
        // With a torn newer slot, blocks created after the chosen generation exist without an entry: they are
        // above every base it lists (removals are durable before a later generation is written).
        long afterManifest = chosen != null && chosen.newerLost() && !manifest.isEmpty() ? manifest.lastKey()
                : Long.MAX_VALUE;
        TreeMap<Long, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.blk")) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                try {
                    files.put(Long.parseLong(n.substring(0, n.length() - 4)), p);
                } catch (NumberFormatException e) {
                    LOG.warn("ignoring unexpected file {}", p);
                }
            }
        }
        java.util.TreeSet<Long> bases = new java.util.TreeSet<>();
        if (manifest != null) {
            bases.addAll(manifest.keySet());
            for (Long b : files.keySet()) {
                if (b > afterManifest) {
                    LOG.warn("{}: block {} is newer than the manifest recovered; recovering it from its records",
                            dir, files.get(b));
                    bases.add(b);
                } else if (!manifest.containsKey(b)) {
                    // Not in the manifest: a block whose removal was recorded before its files went away.
                    LOG.info("deleting orphan block {}", files.get(b));
                    Block orphan = new Block(b, dir);
                    Files.deleteIfExists(orphan.file);
                    Files.deleteIfExists(orphan.delFile);
                }
            }
        } else {
            if (!files.isEmpty()) {
                LOG.warn("{}: no valid manifest; recovering from block files alone (missing blocks undetectable)",
                        dir);
            }
            bases.addAll(files.keySet());
        }
        List<Long> ordered = new ArrayList<>(bases);
        for (int i = 0; i < ordered.size(); i++) {
            long base = ordered.get(i);
            boolean isLast = i == ordered.size() - 1;
            long nextBase = isLast ? 0 : ordered.get(i + 1);
            ManifestEntry me = manifest == null ? null : manifest.get(base);
            Block b = new Block(base, dir);
            if (me != null) {
                b.sealedLength = me.length();
                b.manifestLast = me.last();
            }
            long upper = isLast ? (me != null && me.length() >= 0 ? me.last() : Long.MAX_VALUE) : nextBase - 1;
            boolean tornTailAllowed = isLast && (me == null || me.length() < 0);
            // A block the manifest did not seal ends where the next one begins: a shortfall is a block lost after
            // the manifest (its sequences unknown), not deletes.
            long mustReach = !isLast && manifest != null && (me == null || me.length() < 0) ? nextBase - 1 : 0;
            scanBlock(b, upper, tornTailAllowed, true, mustReach);
            addBlock(b);
        }
        // Reclaim blocks left empty (e.g. a crash between their last delete and their removal); the manifest
        // is rewritten before their files go.
        List<Block> emptied = new ArrayList<>();
        for (Iterator<Block> it = blocks.iterator(); it.hasNext(); ) {
            Block b = it.next();
            if (b != blocks.get(blocks.size() - 1) && b.msgs == 0 && !b.hasDamage()) {
                it.remove();
                b.detach();
                indexCache.remove(b);
                emptied.add(b);
            }
        }
        Block last = blocks.isEmpty() ? null : blocks.get(blocks.size() - 1);
        lastSeq = 0;
        lastTs = 0;
        for (Block b : blocks) {
            lastSeq = Math.max(lastSeq, b.last);
            if (b.lastTs != 0) {
                lastTs = b.lastTs;
            }
        }
        if (last == null || last.hasDamage() || last.sealedLength >= 0 && last.fileLength < last.sealedLength) {
            // Never append behind damage: continue in a fresh block after everything known.
            Block nb = new Block(lastSeq + 1, dir);
            nb.fileLength = 0;
            addBlock(nb);
        } else {
            last.sealedLength = -1;
        }
        for (int i = 0; i < blocks.size() - 1; i++) {
            sealRecovered(blocks.get(i));
        }
        Block active = blocks.get(blocks.size() - 1);
        RecordIndex ai = indexCache.remove(active);
        activeIndex = ai != null ? ai : buildIndex(active);
        openActive(active);
        msgs = 0;
        bytes = 0;
        for (Block b : blocks) {
            msgs += b.msgs;
            bytes += b.bytes;
        }
        firstSeq = lastSeq == 0 ? 0 : lastSeq + 1;
        firstTs = 0;
        for (Block b : blocks) {
            if (b.msgs > 0 || b.hasDamage()) {
                firstSeq = b.first;
                StoredMessage m = b.isLive(b.first) ? readLive(b, b.first) : null;
                firstTs = m == null ? 0 : m.tsNanos();
                break;
            }
        }
        writeManifest();
        Files.deleteIfExists(dir.resolve(LEGACY_MANIFEST));
        for (Block b : emptied) {
            Files.deleteIfExists(b.file);
            Files.deleteIfExists(b.delFile);
        }
        fsyncDir();
        for (Damage d : damage()) {
            LOG.error("{}: damaged sequences {}..{} in {}: {}", dir, Long.toUnsignedString(d.firstSeq()),
                    Long.toUnsignedString(d.lastSeq()), d.file(), d.reason());
        }
    }

    /**
     * Rebuilds {@code b}'s metadata from its files. With {@code countSubjects}, live messages are added to the
     * store's subject counts. Returns the valid records (for truncation and repair).
     */
    private Scan scanBlock(Block b, long upper, boolean tornTailAllowed, boolean countSubjects) throws IOException {
        return scanBlock(b, upper, tornTailAllowed, countSubjects, 0);
    }

    /** As above; with {@code mustReach > 0}, sequences up to it that no record covers are damage. */
    private Scan scanBlock(Block b, long upper, boolean tornTailAllowed, boolean countSubjects, long mustReach)
            throws IOException {
        List<long[]> dels = new ArrayList<>();
        boolean delDamaged = readDeleteLog(b, dels);
        byte[] data = readWholeFile(b.file);
        boolean missing = data == null;
        if (missing) {
            data = new byte[0];
        }
        Scan scan = new Scan();
        RecordIndex idx = new RecordIndex();
        List<long[]> live = new ArrayList<>(); // {seq, offset}
        List<long[]> damage = new ArrayList<>();
        String reason = null;
        long lastGood = b.base - 1;
        long lastTsSeen = 0;
        int pos = 0;
        int limit = data.length;
        while (pos < limit) {
            int len = BlockFormat.validRecord(data, pos, limit, crc);
            long seq = len > 0 ? BlockFormat.getLong(data, pos + 6) : 0;
            if (len > 0 && (seq <= lastGood || seq > upper)) {
                len = -1;
            }
            if (len < 0) {
                int q = resync(data, pos + 1, limit, lastGood, upper);
                if (q < 0) {
                    if (tornTailAllowed) {
                        LOG.warn("{}: truncating torn tail at offset {} ({} bytes)", b.file, pos, limit - pos);
                        truncateFile(b.file, pos);
                        limit = pos;
                    } else {
                        reason = "unreadable records from offset " + pos;
                        damage.add(new long[] {lastGood + 1, upper == Long.MAX_VALUE ? lastGood + 1 : upper});
                    }
                    break;
                }
                long nextSeq = BlockFormat.getLong(data, q + 6);
                if (nextSeq > lastGood + 1) {
                    damage.add(new long[] {lastGood + 1, nextSeq - 1});
                    reason = "checksum or framing error at offset " + pos;
                }
                pos = q;
                continue;
            }
            byte type = data[pos + 1];
            long covered = seq;
            if (type == BlockFormat.TYPE_SKIP) {
                covered = BlockFormat.getLong(data, pos + BlockFormat.HEADER);
                if (covered < seq || covered > upper) {
                    covered = -1;
                }
            }
            if (covered < 0) {
                reason = "bad skip record at offset " + pos;
                int q = resync(data, pos + 1, limit, lastGood, upper);
                if (q < 0) {
                    damage.add(new long[] {lastGood + 1, upper == Long.MAX_VALUE ? lastGood + 1 : upper});
                    break;
                }
                pos = q;
                continue;
            }
            scan.records.add(new long[] {pos, seq, covered, type, BlockFormat.getLong(data, pos + 14)});
            lastTsSeen = BlockFormat.getLong(data, pos + 14);
            if (type != BlockFormat.TYPE_SKIP) {
                idx.add(seq, pos);
                if (type == BlockFormat.TYPE_MSG) {
                    live.add(new long[] {seq, pos});
                }
            }
            lastGood = covered;
            pos += len;
        }
        scan.validEnd = limit;
        b.fileLength = limit;
        if (reason == null && b.sealedLength >= 0 && limit < b.sealedLength && b.manifestLast > lastGood) {
            reason = missing ? "block file missing" : "block shorter than recorded (" + limit + " < "
                    + b.sealedLength + ")";
            damage.add(new long[] {lastGood + 1, b.manifestLast});
        }
        long reached = lastGood;
        for (long[] d : damage) {
            reached = Math.max(reached, d[1]);
        }
        if (mustReach > reached) {
            String gap = "no records for " + Long.toUnsignedString(reached + 1) + ".."
                    + Long.toUnsignedString(mustReach) + " before the next block (a block written after the last "
                    + "valid manifest is missing, or this block lost its tail)";
            reason = reason == null ? gap : reason + "; " + gap;
            damage.add(new long[] {reached + 1, mustReach});
        }
        // Apply the block's state.
        b.clearAllDamage();
        b.dmap.clear();
        b.msgs = 0;
        b.bytes = 0;
        b.lastTs = lastTsSeen;
        long last = lastGood;
        for (long[] d : damage) {
            last = Math.max(last, d[1]);
        }
        b.last = last;
        if (delDamaged) {
            b.addDamage(b.base, Math.max(b.base, last), "delete log damaged");
            b.last = Math.max(b.base, last);
        } else {
            for (long[] d : damage) {
                b.addDamage(d[0], d[1], reason);
            }
            for (long[] r : dels) {
                b.clearDamage(r[0], r[1]);
            }
        }
        long firstLive = 0;
        long prev = 0;
        List<long[]> liveKept = new ArrayList<>();
        for (long[] l : live) {
            long seq = l[0];
            if (delDamaged || inRanges(dels, seq)) {
                continue;
            }
            liveKept.add(l);
        }
        for (long[] l : liveKept) {
            long seq = l[0];
            int off = (int) l[1];
            int sl = BlockFormat.getShort(data, off + BlockFormat.HEADER) & 0xFFFF;
            int hl = BlockFormat.getInt(data, off + BlockFormat.HEADER + 2);
            int total = BlockFormat.getInt(data, off + 2);
            int dl = total - BlockFormat.MSG_FIXED - sl - hl;
            b.msgs++;
            b.bytes += MessageSize.fileStore(sl, hl, dl);
            if (countSubjects) {
                String subject = new String(data, off + BlockFormat.HEADER + 6, sl,
                        java.nio.charset.StandardCharsets.UTF_8);
                countSubject(subject, seq);
            }
            if (firstLive == 0) {
                firstLive = seq;
            }
        }
        long firstDamaged = b.damaged().isEmpty() ? 0 : b.damaged().get(0).firstSeq();
        if (firstLive == 0 && firstDamaged == 0) {
            b.first = b.last + 1;
        } else if (firstLive == 0 || (firstDamaged != 0 && firstDamaged < firstLive)) {
            b.first = firstDamaged;
        } else {
            b.first = firstLive;
        }
        // Interior deletes: every sequence of [first, last] that is neither live nor damaged.
        int li = 0;
        while (li < liveKept.size() && liveKept.get(li)[0] < b.first) {
            li++;
        }
        prev = b.first - 1;
        for (; li <= liveKept.size(); li++) {
            long next = li < liveKept.size() ? liveKept.get(li)[0] : b.last + 1;
            for (long s = prev + 1; s < next; s++) {
                if (!b.isDamaged(s)) {
                    b.dmap.insert(s);
                }
            }
            prev = next;
        }
        if (b == activeBlockOrNull()) {
            activeIndex = idx;
        } else {
            indexCache.put(b, idx);
        }
        return scan;
    }

    /**
     * A block recovery leaves behind the active one is sealed at the extent its scan found: without a manifest
     * entry (or with the entry of a block that was active when the manifest was written) it would keep the
     * defaults, and a later rewrite (repair, compaction) would bound its records by a stale last sequence and turn
     * the intact records after it into a gap, i.e. into deletes. A recorded length is never shortened: a block
     * found shorter than recorded must stay detectable as damaged on the next open.
     */
    private static void sealRecovered(Block b) {
        if (b.sealedLength < 0) {
            b.sealedLength = b.fileLength;
        }
        b.manifestLast = Math.max(b.manifestLast, b.last);
    }

    private Block activeBlockOrNull() {
        return blocks.isEmpty() ? null : blocks.get(blocks.size() - 1);
    }

    private static boolean inRanges(List<long[]> ranges, long seq) {
        for (long[] r : ranges) {
            if (seq >= r[0] && seq <= r[1]) {
                return true;
            }
        }
        return false;
    }

    /** Next offset after {@code from} where a plausible valid record starts, or -1. */
    private int resync(byte[] data, int from, int limit, long lastGood, long upper) {
        for (int q = from; q <= limit - BlockFormat.MIN_RECORD; q++) {
            if (data[q] != BlockFormat.REC_MAGIC) {
                continue;
            }
            int len = BlockFormat.validRecord(data, q, limit, crc);
            if (len < 0) {
                continue;
            }
            long seq = BlockFormat.getLong(data, q + 6);
            if (seq > lastGood && seq <= upper) {
                return q;
            }
        }
        return -1;
    }

    /** Reads the delete log into {@code out}; returns true when it is damaged (not merely torn at the tail). */
    private boolean readDeleteLog(Block b, List<long[]> out) throws IOException {
        byte[] d = readWholeFile(b.delFile);
        if (d == null) {
            return false;
        }
        int pos = 0;
        while (pos + BlockFormat.DEL_ENTRY <= d.length) {
            crc.reset();
            crc.update(d, pos, BlockFormat.DEL_ENTRY - 4);
            if (d[pos] != BlockFormat.DEL_MAGIC
                    || (int) crc.getValue() != BlockFormat.getInt(d, pos + BlockFormat.DEL_ENTRY - 4)) {
                LOG.error("{}: delete log entry at offset {} is damaged", b.delFile, pos);
                return true;
            }
            out.add(new long[] {BlockFormat.getLong(d, pos + 1), BlockFormat.getLong(d, pos + 9)});
            pos += BlockFormat.DEL_ENTRY;
        }
        if (pos < d.length) {
            LOG.warn("{}: truncating torn delete-log tail ({} bytes)", b.delFile, d.length - pos);
            truncateFile(b.delFile, pos);
        }
        return false;
    }

    private static byte[] readWholeFile(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > (long) Integer.MAX_VALUE - 16) {
                throw new IOException("file too large: " + p);
            }
            byte[] out = new byte[(int) size];
            ByteBuffer bb = ByteBuffer.wrap(out);
            while (bb.hasRemaining()) {
                if (ch.read(bb, bb.position()) < 0) {
                    break;
                }
            }
            return bb.position() == out.length ? out : java.util.Arrays.copyOf(out, bb.position());
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static void truncateFile(Path p, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(size);
            ch.force(true);
        }
    }

    /** The manifest recovery chose, and whether a slot failed validation (so a newer generation may be lost). */
    private record ChosenManifest(TreeMap<Long, ManifestEntry> entries, boolean newerLost) {
    }

    /**
     * The newest valid manifest slot. A slot failing its checksum is a write torn by a crash (or damage): the
     * other slot still holds the generation before it, which was never overwritten while it was the newest
     * durable one. Null when no slot (nor a legacy manifest) is valid.
     */
    private ChosenManifest readManifest() throws IOException {
        TreeMap<Long, ManifestEntry> best = null;
        long bestGen = -1;
        int bestSlot = -1;
        boolean invalidSlot = false;
        for (int slot = 0; slot < MANIFEST_SLOTS.length; slot++) {
            byte[] d = readWholeFile(dir.resolve(MANIFEST_SLOTS[slot]));
            if (d == null) {
                continue;
            }
            TreeMap<Long, ManifestEntry> entries = parseManifest(d, true);
            if (entries == null) {
                LOG.error("{}: manifest slot {} is damaged or torn; using the other slot", dir, MANIFEST_SLOTS[slot]);
                invalidSlot = true;
                continue;
            }
            long gen = BlockFormat.getLong(d, 4);
            if (gen > bestGen) {
                best = entries;
                bestGen = gen;
                bestSlot = slot;
            }
        }
        if (best != null) {
            manifestGen = bestGen;
            durableSlot = bestSlot;
            return new ChosenManifest(best, invalidSlot);
        }
        byte[] legacy = readWholeFile(dir.resolve(LEGACY_MANIFEST));
        TreeMap<Long, ManifestEntry> entries = legacy == null ? null : parseManifest(legacy, false);
        if (legacy != null && entries == null) {
            LOG.error("{}: legacy manifest is damaged; ignoring it", dir);
        }
        return entries == null ? null : new ChosenManifest(entries, false);
    }

    /**
     * Parses a manifest: slot format {@code magic "JSM2" | generation u64 | count u32 | entries | crc32c}, legacy
     * {@code magic "JSM1" | count u32 | entries | crc32c}; an entry is {@code base u64 | last u64 | length i64}.
     * Null when anything does not check out.
     */
    private TreeMap<Long, ManifestEntry> parseManifest(byte[] d, boolean slot) {
        int head = slot ? 16 : 8;
        if (d.length < head + 4 || BlockFormat.getInt(d, 0) != (slot ? MANIFEST_SLOT_MAGIC : MANIFEST_MAGIC)) {
            return null;
        }
        int count = BlockFormat.getInt(d, head - 4);
        if (count < 0 || (long) count * 24 + head + 4 != d.length) {
            return null;
        }
        crc.reset();
        crc.update(d, 0, d.length - 4);
        if ((int) crc.getValue() != BlockFormat.getInt(d, d.length - 4)) {
            return null;
        }
        TreeMap<Long, ManifestEntry> out = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            int o = head + i * 24;
            long base = BlockFormat.getLong(d, o);
            out.put(base, new ManifestEntry(base, BlockFormat.getLong(d, o + 8), BlockFormat.getLong(d, o + 16)));
        }
        return out;
    }

    /** Writes the manifest and makes it (and the removals it records) durable before returning. */
    private void writeManifest() throws IOException {
        writeManifest(true);
    }

    /** The slot the next manifest goes to: never the one holding the newest durable generation. */
    private int writeSlot() {
        return durableSlot == 0 ? 1 : 0;
    }

    /**
     * Writes the next manifest generation in place into the slot that does not hold the newest durable one, so a
     * write torn by a crash always leaves a valid earlier generation in the other slot (recovery takes the newest
     * valid slot; the blocks the earlier generation does not list are found by their names). Writes between two
     * syncs all go to the same slot. {@code durable}: the slot is fsynced now and becomes the durable one, and
     * blocks dropped from it are deleted durably before this returns (a later generation must never be written
     * while removals an earlier one recorded can still reappear). Not durable (interval policy): the next sync
     * fsyncs the slot after the blocks it describes.
     */
    private void writeManifest(boolean durable) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(20 + 24 * blocks.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MANIFEST_SLOT_MAGIC).putLong(++manifestGen).putInt(blocks.size());
        for (Block blk : blocks) {
            b.putLong(blk.base).putLong(blk.sealedLength >= 0 ? blk.manifestLast : blk.last)
                    .putLong(blk.sealedLength);
        }
        crc.reset();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        b.flip();
        int slot = writeSlot();
        Path file = dir.resolve(MANIFEST_SLOTS[slot]);
        boolean created = !Files.exists(file);
        int len = b.remaining();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long p = 0;
            while (b.hasRemaining()) {
                p += ch.write(b, p);
            }
            if (ch.size() > len) {
                ch.truncate(len);
            }
            if (durable) {
                ch.force(false);
            }
        }
        manifestWrites++;
        if (created) {
            markDirDirty();
        }
        if (!durable) {
            manifestDirty = true;
            return;
        }
        if (dirDirty) {
            fsyncDir();
        }
        durableSlot = slot;
        manifestDirty = false;
        if (!pendingDeletes.isEmpty()) {
            deletePending(new ArrayList<>(pendingDeletes));
            fsyncDir();
        }
    }

    private void markDirDirty() {
        dirDirty = true;
        dirWrites++;
    }

    private void fsyncDir() throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory for fsync; the rename is then as durable as they allow.
            LOG.debug("directory fsync unsupported for {}: {}", dir, e.toString());
        }
        dirDirty = false;
    }

    private void openActive(Block b) throws IOException {
        if (pendingDeletes.contains(b.file)) {
            // A reclaimed block's name comes back (truncation below it): make its removal durable first.
            writeManifest();
        }
        boolean existed = Files.exists(b.file);
        b.channel = FileChannel.open(b.file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        b.fileLength = b.channel.size();
        initActive(b, existed);
    }

    /** {@code b}, whose channel and length are set, becomes the active block; {@code existed}: its file did before. */
    private void initActive(Block b, boolean existed) {
        b.sealedLength = -1;
        if (!existed) {
            markDirDirty();
        }
        if (b.fileLength == 0 && b.msgs == 0 && !b.hasDamage() && b.last < b.base) {
            b.first = b.base;
            b.last = b.base - 1;
        }
    }

    // ---------------------------------------------------------------- write path

    private Block active() {
        return blocks.get(blocks.size() - 1);
    }

    private void checkWritable() {
        if (failure != null) {
            throw failure;
        }
    }

    private StoreIOException fail(String what, IOException e) {
        StoreIOException ex = new StoreIOException(what, e);
        FAILURE.compareAndSet(this, null, ex);
        return ex;
    }

    /** A write-behind write failed (on a writer thread): the next operation or sync throws it. */
    private void writeBehindFailed(Path file, IOException e) {
        fail("background write of " + file, e);
        LOG.error("{}: background write of {} failed; store refuses further writes", dir, file, e);
    }

    /** The active block, after starting a new one if a record of {@code len} bytes would overflow it. */
    private Block activeFor(int len) throws IOException {
        Block b = active();
        long used = b.fileLength + buffered();
        if (used > 0 && used + len > cfg.blockSize()) {
            b = roll();
        }
        return b;
    }

    /** Seals the active block (flushed and fsynced, length in the manifest) and starts a new one. */
    private Block roll() throws IOException {
        Block old = active();
        if (old.base == lastSeq + 1) {
            // Nothing written since this block started: it already is the fresh block a roll would create.
            return old;
        }
        flushWrites();
        // Under the interval policy nothing is fsynced here: the background sync forces the sealed block, then
        // the manifest naming its length, then the directory. A crash before that loses at most the interval
        // (a sealed block found shorter than its manifest length is reported as damage, never hidden).
        boolean durable = cfg.syncPolicy() == SyncPolicy.ALWAYS;
        if (durable) {
            old.channel.force(false);
            old.dirty = false;
        }
        old.sealedLength = old.fileLength;
        old.manifestLast = old.last;
        Block nb = new Block(lastSeq + 1, dir);
        addBlock(nb);
        rolling = true;
        try {
            indexCache.put(old, activeIndex);
        } finally {
            rolling = false;
        }
        RecordIndex reusable = evictedIndex;
        evictedIndex = null;
        // The next block most likely holds as many records as this one: size its index for that at once.
        int capacity = activeIndex.size() + 16;
        activeIndex = reusable != null ? reusable.recycle(capacity) : new RecordIndex(capacity);
        writeManifest(durable);
        FileChannel ready = spare == null || pendingDeletes.contains(nb.file) ? null : spare.claim(nb.file);
        if (ready != null) {
            nb.channel = ready;
            nb.fileLength = 0;
            initActive(nb, false);
        } else {
            openActive(nb);
        }
        if (spare != null) {
            spare.prepare();
        }
        if (durable) {
            fsyncDir();
        }
        if (old.msgs == 0 && !old.hasDamage()) {
            reclaim(old);
        } else {
            closeChannel(old);
        }
        return nb;
    }

    /**
     * Makes room for {@code len} bytes in the write buffer (flushing or allocating it as needed) and returns the
     * offset in {@link #wa} to write them at; the caller advances {@link #wpos}.
     */
    private int ensureRoom(int len) throws IOException {
        if (wa == null) {
            wa = writeBehind != null ? writeBehind.take() : new byte[writeBufferBytes];
            wbuf = ByteBuffer.wrap(wa);
        } else if (wa.length - wpos < len) {
            if (writeBehind != null) {
                handOff();
            } else {
                flushWrites();
            }
        }
        wroteSinceTrim = true;
        return wpos;
    }

    /**
     * Write-behind: queues the full write buffer's write at the end of the active block and continues in a free
     * buffer. The block's length counts the queued bytes at once (record offsets stay file offsets); every read of
     * the active block's file first waits for the queue ({@link #awaitWrites()}).
     */
    private void handOff() throws IOException {
        Block b = active();
        wa = writeBehind.submit(b.channel, b.file, wa, wpos, b.fileLength);
        wbuf = ByteBuffer.wrap(wa);
        b.fileLength += wpos;
        wpos = 0;
        markDirty(b);
    }

    /** Waits until every write handed to the write-behind queue is in the file (no-op without write-behind). */
    private void awaitWrites() throws IOException {
        if (writeBehind != null) {
            writeBehind.await();
        }
    }

    private int buffered() {
        return wpos;
    }

    /** Writes everything buffered (queued or not) to the active block's file before returning. */
    private void flushWrites() throws IOException {
        awaitWrites();
        if (wpos == 0) {
            return;
        }
        Block b = active();
        ByteBuffer w = wbuf;
        w.limit(wpos).position(0);
        while (w.hasRemaining()) {
            b.fileLength += b.channel.write(w, b.fileLength);
        }
        wpos = 0;
        markDirty(b);
    }

    /** Drops what the write buffer holds without writing it (after the queued writes completed). */
    private void discardWrites() throws IOException {
        wpos = 0;
        awaitWrites();
    }

    private void markDirty(Block b) {
        b.writes++;
        if (!b.dirty) {
            b.dirty = true;
            dirtyBlocks.add(b);
        }
    }

    private void markDelDirty(Block b) {
        b.delWrites++;
        if (!b.delDirty) {
            b.delDirty = true;
            if (!b.dirty) {
                dirtyBlocks.add(b);
            }
        }
    }

    /** Makes everything written so far durable, under the store's lock. */
    private void syncNow() {
        try {
            flushWrites();
            for (Block b : dirtyBlocks) {
                if (b.dirty) {
                    force(b.channel, b.file);
                }
                if (b.delDirty) {
                    force(b.delChannel, b.delFile);
                }
                b.dirty = false;
                b.delDirty = false;
            }
            dirtyBlocks.clear();
            if (manifestDirty) {
                int slot = writeSlot();
                force(null, dir.resolve(MANIFEST_SLOTS[slot]));
                durableSlot = slot;
                manifestDirty = false;
            }
            if (!pendingDeletes.isEmpty()) {
                deletePending(new ArrayList<>(pendingDeletes));
            }
            if (dirDirty) {
                fsyncDir();
            }
        } catch (IOException e) {
            throw fail("sync", e);
        }
    }

    /** fsyncs a file through {@code ch} when open, else through a handle of its own (closed blocks). */
    private static void force(FileChannel ch, Path file) throws IOException {
        if (ch != null && ch.isOpen()) {
            ch.force(false);
            return;
        }
        try (FileChannel own = FileChannel.open(file, StandardOpenOption.READ)) {
            own.force(false);
        } catch (NoSuchFileException e) {
            // Removed since it was written (reclaimed or truncated away): nothing left to make durable.
        }
    }

    /** A file the background sync must force, and the write count it covers. */
    private record PendingForce(Block block, boolean delLog, long writes, Path file) {
    }

    /**
     * The shared scheduler's task for this store: releases idle buffers and, under the interval policy, makes
     * writes durable. The lock is held only to flush the write buffer and note what is dirty; the fsyncs run
     * without it (through handles of their own), so appends continue meanwhile. A flag is cleared afterwards
     * only if nothing was written to that file since it was noted.
     */
    private void background() {
        try {
            List<PendingForce> pending = new ArrayList<>();
            boolean manifest;
            long manifestMark;
            int manifestSlot;
            List<Path> deletes;
            boolean directory;
            long dirMark;
            synchronized (this) {
                if (closed || failure != null) {
                    return;
                }
                boolean interval = cfg.syncPolicy() == SyncPolicy.INTERVAL;
                if (interval) {
                    try {
                        flushWrites();
                    } catch (IOException e) {
                        throw fail("background flush", e);
                    }
                }
                trimIdle();
                if (!interval) {
                    return;
                }
                for (Block b : dirtyBlocks) {
                    if (b.dirty) {
                        pending.add(new PendingForce(b, false, b.writes, b.file));
                    }
                    if (b.delDirty) {
                        pending.add(new PendingForce(b, true, b.delWrites, b.delFile));
                    }
                }
                manifest = manifestDirty;
                manifestMark = manifestWrites;
                manifestSlot = writeSlot();
                deletes = new ArrayList<>(pendingDeletes);
                directory = dirDirty;
                dirMark = dirWrites;
            }
            if (pending.isEmpty() && !manifest && !directory) {
                return;
            }
            for (PendingForce p : pending) {
                force(null, p.file());
            }
            if (manifest) {
                force(null, dir.resolve(MANIFEST_SLOTS[manifestSlot]));
            }
            if (directory || manifest) {
                try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
                    ch.force(true);
                } catch (IOException e) {
                    LOG.debug("directory fsync unsupported for {}: {}", dir, e.toString());
                }
            }
            synchronized (this) {
                for (PendingForce p : pending) {
                    Block b = p.block();
                    if (p.delLog() && b.delWrites == p.writes()) {
                        b.delDirty = false;
                    } else if (!p.delLog() && b.writes == p.writes()) {
                        b.dirty = false;
                    }
                }
                dirtyBlocks.removeIf(b -> !b.dirty && !b.delDirty);
                if (manifest && manifestWrites == manifestMark) {
                    // Nothing written since: the slot just forced holds the newest generation, durably.
                    durableSlot = manifestSlot;
                    manifestDirty = false;
                }
                if (manifest && !closed) {
                    // The manifest forced above was written after these blocks were dropped from it.
                    deletePending(deletes);
                }
                if ((directory || manifest) && dirWrites == dirMark) {
                    dirDirty = false;
                }
            }
        } catch (IOException e) {
            synchronized (this) {
                fail("background sync", e);
            }
            LOG.error("{}: background sync failed; store refuses further writes", dir, e);
        } catch (RuntimeException e) {
            // The task must survive to keep syncing other stores' schedules; the store itself refuses writes.
            LOG.error("{}: background sync failed", dir, e);
        }
    }

    /** Releases the write buffer and read buffers of a store that has been idle since the last call. */
    private void trimIdle() {
        if (!wroteSinceTrim && wa != null && wpos == 0) {
            if (writeBehind != null) {
                writeBehind.giveBack(wa);
            }
            wa = null;
            wbuf = null;
        }
        if (writeBehind != null && wa == null) {
            writeBehind.trim();
        }
        if (!readSinceTrim) {
            invalidateWindow();
            win = null;
            image = null;
            if (rbuf.length > RBUF_INITIAL) {
                rbuf = new byte[RBUF_INITIAL];
            }
        }
        wroteSinceTrim = false;
        readSinceTrim = false;
    }

    /** Bytes of buffers this store holds now (write buffer, read window, record buffer), for tests. */
    synchronized int bufferBytes() {
        int write = writeBehind != null ? writeBehind.allocated() * writeBufferBytes : wa == null ? 0 : wa.length;
        return write + (win == null ? 0 : win.length) + (image == null ? 0 : image.length) + rbuf.length;
    }

    /** Write-behind buffers in existence, read without the store's lock (for tests); 0 without write-behind. */
    int writeBuffersAllocated() {
        return writeBehind == null ? 0 : writeBehind.allocated();
    }

    /** How often the read-ahead window was refilled from a block file (for tests). */
    synchronized long windowFills() {
        return windowFills;
    }

    /** Whether write-behind writes are queued or running (for tests). */
    boolean writeBehindInFlight() {
        return writeBehind != null && writeBehind.busy();
    }

    /** Runs the background task once now, as the shared scheduler would (for tests). */
    void runBackgroundOnce() {
        background();
    }

    /**
     * Under {@link SyncPolicy#INTERVAL}: makes every write made before the call durable, like {@link #sync()}, but
     * holds the store's lock only to hand the write buffer to the file and note what is dirty; the fsyncs run
     * without it, so another thread keeps appending meanwhile. For a caller's own I/O thread. Under
     * {@link SyncPolicy#ALWAYS} every write is durable already and this only checks the store.
     *
     * @throws StoreException if forcing failed now or earlier (the store then refuses writes)
     */
    public void syncConcurrently() {
        background();
        synchronized (this) {
            checkOpen();
            checkWritable();
        }
    }

    @Override
    long recordSize(int subjectLen, int headerLen, int dataLen) {
        return MessageSize.fileStore(subjectLen, headerLen, dataLen);
    }

    @Override
    void appendMessage(long seq, long ts, SubjectInfo si, int slen, byte[] header, int headerOff, int headerLen,
                       byte[] data, int dataOff, int dataLen, long size) {
        int hl = headerLen;
        int dl = dataLen;
        byte[] a = wa;
        int p = wpos;
        Block b = active();
        long len = (long) BlockFormat.MSG_FIXED + slen + hl + dl;
        // The common case, kept small enough to inline: the record fits the write buffer and the active block,
        // which holds messages already (so its first sequence and delete map stay as they are).
        if (a != null && len <= a.length - p && b.fileLength + p + len <= blockSize && b.msgs != 0
                && failure == null && slen <= 0xFFFF) {
            byte[] subject = si.utf8();
            BlockFormat.putMsg(a, p, crc, seq, ts, subject, si.utf8Word0, si.utf8Word1, header, headerOff, hl, data,
                    dataOff, dl, (int) len);
            wpos = p + (int) len;
            wroteSinceTrim = true;
            activeIndex.add(seq, (int) (b.fileLength + p));
            b.msgs++;
            b.bytes += size;
            b.last = seq;
            b.lastTs = ts;
            return;
        }
        appendGeneral(seq, ts, si, slen, header, headerOff, hl, data, dataOff, dl, size);
    }

    private void appendGeneral(long seq, long ts, SubjectInfo si, int slen, byte[] header, int headerOff, int hl,
                               byte[] data, int dataOff, int dl, long size) {
        String subject = si.subject;
        checkWritable();
        if (slen > 0xFFFF || (long) BlockFormat.MSG_FIXED + slen + hl + dl > BlockFormat.MAX_RECORD) {
            throw new StoreException("message too large: subject " + slen + " header " + hl + " data " + dl);
        }
        int len = BlockFormat.msgRecordLength(slen, hl, dl);
        try {
            Block b = activeFor(len);
            int off;
            if (len > writeBufferBytes) {
                flushWrites();
                off = (int) b.fileLength;
                ByteBuffer big = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
                BlockFormat.putMsg(big, crc, seq, ts, subject, slen, header, headerOff, hl, data, dataOff, dl);
                big.flip();
                while (big.hasRemaining()) {
                    b.fileLength += b.channel.write(big, b.fileLength);
                }
                markDirty(b);
            } else {
                int pos = ensureRoom(len);
                off = (int) (b.fileLength + pos);
                BlockFormat.putMsg(wa, pos, crc, seq, ts, subject, si.utf8(), slen, header, headerOff, hl, data,
                        dataOff, dl);
                wpos = pos + len;
            }
            activeIndex.add(seq, off);
            if (b.msgs == 0 && !b.hasDamage()) {
                b.first = seq;
                b.dmap.clear();
            }
            b.msgs++;
            b.bytes += size;
            b.last = seq;
            b.lastTs = ts;
        } catch (IOException e) {
            throw fail("append", e);
        }
    }

    @Override
    void appendSkip(long first, long last, long ts) {
        checkWritable();
        try {
            Block b = activeFor(BlockFormat.SKIP_LEN);
            if (b.msgs > 0 && b.dmap.size() + (last - first + 1) > MAX_SKIP_DELETES) {
                b = roll();
            }
            int at = ensureRoom(BlockFormat.SKIP_LEN);
            BlockFormat.putSkip(wa, at, crc, first, last, ts);
            wpos = at + BlockFormat.SKIP_LEN;
            if (b.msgs == 0 && !b.hasDamage()) {
                b.first = last + 1;
                b.dmap.clear();
            } else {
                b.dmap.insertRange(first, last);
            }
            b.last = last;
            b.lastTs = ts;
        } catch (IOException e) {
            throw fail("skip", e);
        }
    }

    @Override
    void afterMutation() {
        if (syncAlways && batchDepth == 0) {
            syncNow();
        }
    }

    @Override
    void beginBatch() {
        batchDepth++;
    }

    @Override
    void endBatch() {
        if (--batchDepth == 0 && cfg.syncPolicy() == SyncPolicy.ALWAYS && failure == null) {
            syncNow();
        }
    }

    private void appendDel(Block b, long first, long last) throws IOException {
        if (b.delChannel == null || !b.delChannel.isOpen()) {
            boolean existed = Files.exists(b.delFile);
            b.delChannel = FileChannel.open(b.delFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            if (!existed) {
                markDirDirty();
            }
        }
        ByteBuffer e = BlockFormat.delEntry(crc, first, last);
        while (e.hasRemaining()) {
            b.delChannel.write(e);
        }
        markDelDirty(b);
    }

    // ---------------------------------------------------------------- read path

    /** Index of the last block with {@code base <= seq}, or -1. */
    private int blockIndex(long seq) {
        int lo = 0;
        int hi = blocks.size() - 1;
        int ans = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (blocks.get(mid).base <= seq) {
                ans = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return ans;
    }

    private Block blockFor(long seq) {
        int i = blockIndex(seq);
        if (i < 0) {
            return null;
        }
        Block b = blocks.get(i);
        return seq <= b.last ? b : null;
    }

    private RecordIndex indexFor(Block b) throws IOException {
        if (b == active()) {
            return activeIndex;
        }
        RecordIndex idx = indexCache.get(b);
        if (idx == null) {
            idx = buildIndex(b);
            indexCache.put(b, idx);
        }
        return idx;
    }

    /**
     * Builds a sealed block's record index by reading its file (records only; metadata is untouched). The bytes
     * read stay as the store's block image, so the loads that follow (a catch-up walking the block) are served
     * from them instead of reading the file a second time; the image's array is reused for the next block.
     */
    private RecordIndex buildIndex(Block b) throws IOException {
        RecordIndex idx = new RecordIndex();
        if (b == activeBlockOrNull()) {
            byte[] data = readWholeFile(b.file);
            if (data != null) {
                walkRecords(data, data.length, b.base, (pos, seq, covered, type) -> {
                    if (type != BlockFormat.TYPE_SKIP) {
                        idx.add(seq, pos);
                    }
                });
            }
            return idx;
        }
        imageBlock = null;
        int len = readImage(b.file);
        if (len < 0) {
            return idx;
        }
        walkRecords(image, len, b.base, (pos, seq, covered, type) -> {
            if (type != BlockFormat.TYPE_SKIP) {
                idx.add(seq, pos);
            }
        });
        imageBlock = b;
        imageLen = len;
        return idx;
    }

    /** Reads {@code file} into {@link #image} (grown as needed); returns its length, or -1 when it is missing. */
    private int readImage(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > (long) Integer.MAX_VALUE - 16) {
                throw new IOException("file too large: " + file);
            }
            if (image == null || image.length < size) {
                image = null;
                image = new byte[(int) size];
            }
            ByteBuffer bb = ByteBuffer.wrap(image, 0, (int) size);
            while (bb.hasRemaining()) {
                if (ch.read(bb, bb.position()) < 0) {
                    break;
                }
            }
            return bb.position();
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    /**
     * The offset of the verified live record {@code seq} at {@code off} in the block image, or -1 when the image
     * does not hold {@code b} or the whole record. A record failing its checksum there is damage, as from the file.
     */
    private int fromImage(Block b, int off, long seq) {
        if (imageBlock != b || off < 0 || off > imageLen - 6) {
            return -1;
        }
        byte[] a = image;
        int len = BlockFormat.getInt(a, off + 2);
        if (len < BlockFormat.MIN_RECORD || len > imageLen - off) {
            return -1;
        }
        readSinceTrim = true;
        if (BlockFormat.validRecord(a, off, off + len, crc) != len || a[off + 1] != BlockFormat.TYPE_MSG
                || BlockFormat.getLong(a, off + 6) != seq) {
            b.addDamage(seq, seq, "record checksum mismatch after open");
            throw corruption(b, seq);
        }
        return off;
    }

    /** Receives each valid record of a block file, in file order. */
    @FunctionalInterface
    private interface RecordVisitor {
        void record(int pos, long seq, long lastCovered, byte type);
    }

    /**
     * Walks the valid records of a block file's bytes, resynchronising past damaged or
     * out-of-order records so one bad record never hides the good ones after it. The one place
     * that decides what a readable record is: recovery and the lazy index both go through it.
     *
     * @return the offset just past the last valid record
     */
    private int walkRecords(byte[] data, long base, RecordVisitor visitor) {
        return walkRecords(data, data.length, base, visitor);
    }

    /** As above over {@code data[0, limit)}. */
    private int walkRecords(byte[] data, int limit, long base, RecordVisitor visitor) {
        int pos = 0;
        long lastGood = base - 1;
        while (pos < limit) {
            int len = BlockFormat.validRecord(data, pos, limit, crc);
            long seq = len > 0 ? BlockFormat.getLong(data, pos + 6) : 0;
            if (len < 0 || seq <= lastGood) {
                int q = resync(data, pos + 1, limit, lastGood, Long.MAX_VALUE);
                if (q < 0) {
                    break;
                }
                pos = q;
                continue;
            }
            byte type = data[pos + 1];
            long covered = type == BlockFormat.TYPE_SKIP
                    ? BlockFormat.getLong(data, pos + BlockFormat.HEADER) : seq;
            visitor.record(pos, seq, covered, type);
            lastGood = covered;
            pos += len;
        }
        return pos;
    }

    private StoreCorruptionException corruption(Block b, long seq) {
        List<Damage> ds = new ArrayList<>();
        for (Damage d : b.damaged()) {
            if (d.contains(seq)) {
                ds.add(d);
            }
        }
        if (ds.isEmpty()) {
            ds.add(new Damage(seq, seq, b.file.getFileName().toString(), "unreadable"));
        }
        return new StoreCorruptionException("sequence " + Long.toUnsignedString(seq) + " is damaged", ds);
    }

    /** Reads the live message {@code seq} of {@code b}; a record failing its checksum now becomes damage. */
    private StoredMessage readLive(Block b, long seq) {
        int at = locateLive(b, seq);
        StoredMessage m = BlockFormat.decodeMsg(located, at);
        if (rbuf.length > (1 << 20)) {
            rbuf = new byte[RBUF_INITIAL];
        }
        return m;
    }

    /**
     * Finds the verified record of the live message {@code seq} of {@code b} in memory: returns its offset in
     * {@link #located} (the read-ahead window or the record buffer). A record failing its checksum now becomes
     * damage.
     */
    private int locateLive(Block b, long seq) {
        try {
            RecordIndex idx = indexFor(b);
            int off = idx.find(seq);
            if (off < 0) {
                b.addDamage(seq, seq, "record missing from block");
                throw corruption(b, seq);
            }
            if (b == active()) {
                if (off >= b.fileLength) {
                    flushWrites();
                } else {
                    awaitWrites();
                }
            }
            int inImage = fromImage(b, off, seq);
            if (inImage >= 0) {
                located = image;
                return inImage;
            }
            FileChannel ch = b.channel;
            boolean temp = false;
            if (ch == null || !ch.isOpen()) {
                ch = FileChannel.open(b.file, StandardOpenOption.READ);
                if (indexCache.containsKey(b)) {
                    b.channel = ch;
                } else {
                    temp = true;
                }
            }
            try {
                int inWindow = readFromWindow(b, ch, off, seq);
                if (inWindow >= 0) {
                    located = win;
                    return inWindow;
                }
                ByteBuffer head = ByteBuffer.wrap(rbuf, 0, 6);
                readFully(ch, head, off);
                int len = BlockFormat.getInt(rbuf, 2);
                if (rbuf[0] != BlockFormat.REC_MAGIC || len < BlockFormat.MIN_RECORD || len > BlockFormat.MAX_RECORD
                        || off + (long) len > ch.size()) {
                    b.addDamage(seq, seq, "record framing damaged after open");
                    throw corruption(b, seq);
                }
                if (rbuf.length < len) {
                    rbuf = new byte[Math.max(len, rbuf.length * 2)];
                }
                readFully(ch, ByteBuffer.wrap(rbuf, 0, len), off);
                if (BlockFormat.validRecord(rbuf, 0, len, crc) != len || rbuf[1] != BlockFormat.TYPE_MSG
                        || BlockFormat.getLong(rbuf, 6) != seq) {
                    b.addDamage(seq, seq, "record checksum mismatch after open");
                    throw corruption(b, seq);
                }
                located = rbuf;
                return 0;
            } finally {
                if (temp) {
                    ch.close();
                }
            }
        } catch (IOException e) {
            throw new StoreIOException("reading sequence " + Long.toUnsignedString(seq), e);
        }
    }

    /**
     * Finds a verified record in the read-ahead window, refilling it at {@code off} when needed, and returns its
     * offset in the window; -1 when the record does not fit the window (the caller reads it directly). Damage is
     * reported like the direct path.
     */
    private int readFromWindow(Block b, FileChannel ch, int off, long seq) throws IOException {
        readSinceTrim = true;
        if (win == null) {
            win = new byte[READ_WINDOW];
        }
        if (winBlock != b || off < winStart || off + 6L > winStart + winLen
                || off + (long) BlockFormat.getInt(win, (int) (off - winStart) + 2) > winStart + winLen) {
            ByteBuffer bb = ByteBuffer.wrap(win);
            long p = off;
            while (bb.hasRemaining()) {
                int n = ch.read(bb, p);
                if (n <= 0) {
                    break;
                }
                p += n;
            }
            winBlock = b;
            winStart = off;
            winLen = bb.position();
            windowFills++;
        }
        int rel = (int) (off - winStart);
        if (winLen - rel < 6) {
            return -1;
        }
        int len = BlockFormat.getInt(win, rel + 2);
        if (len < BlockFormat.MIN_RECORD || len > winLen - rel) {
            return -1;
        }
        if (BlockFormat.validRecord(win, rel, rel + len, crc) != len || win[rel + 1] != BlockFormat.TYPE_MSG
                || BlockFormat.getLong(win, rel + 6) != seq) {
            b.addDamage(seq, seq, "record checksum mismatch after open");
            throw corruption(b, seq);
        }
        return rel;
    }

    private void invalidateWindow() {
        winBlock = null;
        winLen = 0;
        // The block image is a copy of a file the caller is about to rewrite, cut or remove, too.
        imageBlock = null;
        imageLen = 0;
    }

    private static void readFully(FileChannel ch, ByteBuffer bb, long pos) throws IOException {
        long p = pos;
        while (bb.hasRemaining()) {
            int n = ch.read(bb, p);
            if (n < 0) {
                throw new IOException("unexpected end of file at " + p);
            }
            p += n;
        }
    }

    @Override
    StoredMessage read(long seq) {
        Block b = blockFor(seq);
        if (b == null) {
            return null;
        }
        if (b.isDamaged(seq)) {
            throw corruption(b, seq);
        }
        if (!b.isLive(seq)) {
            return null;
        }
        return readLive(b, seq);
    }

    @Override
    boolean readInto(long seq, MessageView into) {
        Block b = blockFor(seq);
        if (b == null) {
            return false;
        }
        if (b.isDamaged(seq)) {
            throw corruption(b, seq);
        }
        if (!b.isLive(seq)) {
            return false;
        }
        int at = locateLive(b, seq);
        byte[] a = located;
        int sl = BlockFormat.getShort(a, at + BlockFormat.HEADER) & 0xFFFF;
        int hl = BlockFormat.getInt(a, at + BlockFormat.HEADER + 2);
        int len = BlockFormat.getInt(a, at + 2);
        int p = at + BlockFormat.HEADER + 6;
        into.set(seq, BlockFormat.getLong(a, at + 14), subjectAt(a, p, sl), a, p + sl, hl, p + sl + hl,
                len - BlockFormat.MSG_FIXED - sl - hl);
        return true;
    }

    /**
     * The subject whose UTF-8 bytes are {@code a[p, p + len)}; the same string as the previous view read when the
     * bytes are the same (catch-up reads runs of one subject without allocating).
     */
    private String subjectAt(byte[] a, int p, int len) {
        byte[] last = lastReadSubjectUtf8;
        if (last != null && Arrays.equals(last, 0, last.length, a, p, p + len)) {
            return lastReadSubject;
        }
        String s = new String(a, p, len, StandardCharsets.UTF_8);
        lastReadSubjectUtf8 = Arrays.copyOfRange(a, p, p + len);
        lastReadSubject = s;
        return s;
    }

    @Override
    SubjectInfo removeRecord(long seq, boolean erase) {
        checkWritable();
        Block b = blockFor(seq);
        if (b == null) {
            return null;
        }
        if (b.isDamaged(seq)) {
            throw corruption(b, seq);
        }
        if (!b.isLive(seq)) {
            return null;
        }
        StoredMessage m = readLive(b, seq);
        try {
            appendDel(b, seq, seq);
            if (erase) {
                eraseInPlace(b, seq);
            }
        } catch (IOException e) {
            throw fail("remove", e);
        }
        b.msgs--;
        b.bytes = Math.max(0, b.bytes - sizeOf(m));
        if (seq == b.first) {
            advanceBlockFirst(b, seq + 1);
        } else {
            b.dmap.insert(seq);
        }
        maybeReclaim(b);
        removedSize = sizeOf(m);
        SubjectInfo si = subjects.get(m.subject());
        if (si == null) {
            // Not counted (cannot happen for a message recovery or a store counted); account it transiently.
            si = registerSubject(m.subject(), seq);
            si.msgs = 1;
        }
        return si;
    }

    private void eraseInPlace(Block b, long seq) throws IOException {
        invalidateWindow();
        RecordIndex idx = indexFor(b);
        int off = idx.find(seq);
        if (b == active()) {
            // Also when the record was handed off already: its queued write would overwrite the erasure.
            flushWrites();
        }
        FileChannel ch = b.channel;
        boolean temp = false;
        if (b != active()) {
            // Sealed blocks keep read-only handles; an erase writes through its own.
            ch = FileChannel.open(b.file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            temp = true;
        }
        try {
            ByteBuffer head = ByteBuffer.wrap(rbuf, 0, 6);
            readFully(ch, head, off);
            int len = BlockFormat.getInt(rbuf, 2);
            ByteBuffer rec = BlockFormat.erased(crc, seq, len);
            long p = off;
            while (rec.hasRemaining()) {
                p += ch.write(rec, p);
            }
            if (temp) {
                ch.force(false);
            } else {
                markDirty(b);
            }
        } finally {
            if (temp) {
                ch.close();
            }
            // indexFor above may have read the block's image before the erasure.
            invalidateWindow();
        }
    }

    /** Moves the block's first past deleted sequences starting at {@code from}; stops at live or damaged ones. */
    private void advanceBlockFirst(Block b, long from) {
        long s = from;
        while (s <= b.last) {
            if (b.isDamaged(s)) {
                break;
            }
            if (!b.dmap.delete(s)) {
                break;
            }
            s++;
        }
        b.first = s;
    }

    /** Reclaims a sealed block left without messages, or compacts one that has become mostly deleted. */
    private void maybeReclaim(Block b) {
        if (b.hasDamage() || b == active() || !blocks.contains(b)) {
            return;
        }
        try {
            if (b.msgs == 0) {
                reclaim(b);
            } else if (b.sealedLength >= 0 && b.fileLength >= Math.min(COMPACT_MIN_BYTES, cfg.blockSize() / 2)
                    && b.bytes * 2 < b.fileLength) {
                compactBlock(b);
            }
        } catch (IOException e) {
            throw fail("reclaiming block " + b.file, e);
        }
    }

    /**
     * Rewrites a sealed block with only its live messages (plus a skip record keeping its last sequence), in
     * place of the old file, and empties its delete log. Crash-safe in this order: the manifest takes the new,
     * shorter length first (a longer old file still passes that check), then the new file replaces the old one,
     * then the delete log goes (its entries name sequences that no longer have records). Leaves the block alone
     * if any live record fails its checksum: that is damage for a read to report, not a reason to drop it.
     */
    private void compactBlock(Block b) throws IOException {
        byte[] data = readWholeFile(b.file);
        if (data == null) {
            return;
        }
        ByteBuffer out = ByteBuffer.allocate(data.length).order(ByteOrder.LITTLE_ENDIAN);
        long[] kept = {0, b.base - 1};
        walkRecords(data, b.base, (pos, seq, covered, type) -> {
            if (type == BlockFormat.TYPE_MSG && b.isLive(seq)) {
                out.put(data, pos, BlockFormat.getInt(data, pos + 2));
                kept[0]++;
                kept[1] = seq;
            }
        });
        if (kept[0] != b.msgs) {
            return;
        }
        if (b.last > kept[1]) {
            BlockFormat.putSkip(out, crc, kept[1] + 1, b.last, b.lastTs);
        }
        out.flip();
        long newLen = out.remaining();
        invalidateWindow();
        indexCache.remove(b);
        closeChannel(b);
        dirtyBlocks.remove(b);
        b.dirty = false;
        b.delDirty = false;
        b.sealedLength = newLen;
        writeManifest();
        replaceFile(b.file, out);
        b.fileLength = newLen;
        replaceFile(b.delFile, ByteBuffer.allocate(0));
    }

    /** Removes an emptied block: the manifest first, so a crash leaves only orphans. */
    private void reclaim(Block b) throws IOException {
        invalidateWindow();
        blocks.remove(b);
        b.detach();
        indexCache.remove(b);
        dirtyBlocks.remove(b);
        closeChannel(b);
        if (cfg.syncPolicy() == SyncPolicy.INTERVAL) {
            // No fsync on the write path: the files go after the next sync made the new manifest durable.
            writeManifest(false);
            pendingDeletes.add(b.file);
            pendingDeletes.add(b.delFile);
            return;
        }
        writeManifest();
        Files.deleteIfExists(b.file);
        Files.deleteIfExists(b.delFile);
        markDirDirty();
    }

    /** Deletes {@code paths} that are still pending (a durable manifest no longer lists their blocks). */
    private void deletePending(List<Path> paths) throws IOException {
        boolean any = false;
        for (Path p : paths) {
            if (pendingDeletes.remove(p)) {
                Files.deleteIfExists(p);
                any = true;
            }
        }
        if (any) {
            markDirDirty();
        }
    }

    private static void closeChannel(Block b) {
        try {
            if (b.channel != null) {
                b.channel.close();
            }
            if (b.delChannel != null) {
                b.delChannel.close();
            }
        } catch (IOException e) {
            LOG.warn("closing {}: {}", b.file, e.toString());
        }
        b.channel = null;
        b.delChannel = null;
    }

    @Override
    long nextPresent(long from) {
        int i = Math.max(0, blockIndex(from));
        for (; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            long s = Math.max(from, b.first);
            while (s <= b.last && s <= lastSeq) {
                if (!b.dmap.exists(s)) {
                    return s;
                }
                s++;
            }
        }
        return 0;
    }

    @Override
    void firstAdvanced(long oldFirst) {
        // Per-block first sequences are maintained as messages are removed.
    }

    @Override
    void clearAll(long nextSeq) {
        checkWritable();
        invalidateWindow();
        try {
            discardWrites();
            List<Block> old = new ArrayList<>(blocks);
            blocks.clear();
            old.forEach(Block::detach);
            indexCache.clear();
            dirtyBlocks.clear();
            Block nb = new Block(nextSeq, dir);
            addBlock(nb);
            activeIndex = new RecordIndex();
            writeManifest();
            for (Block b : old) {
                closeChannel(b);
                Files.deleteIfExists(b.file);
                Files.deleteIfExists(b.delFile);
            }
            openActive(nb);
            fsyncDir();
        } catch (IOException e) {
            throw fail("purge", e);
        }
    }

    @Override
    void dropRange(long from, long to, RemovedSink sink) {
        checkWritable();
        try {
            for (Block b : new ArrayList<>(blocks)) {
                if (b.last < from || b.first > to || b.first > b.last) {
                    continue;
                }
                long lo = Math.max(from, b.first);
                long hi = Math.min(to, b.last);
                boolean whole = lo <= b.first && hi >= b.last;
                byte[] data = null;
                if (whole && b != active()) {
                    data = readWholeFile(b.file);
                }
                RecordIndex idx = indexFor(b);
                List<Long> removed = new ArrayList<>();
                for (int k = 0; k < idx.size(); k++) {
                    long s = idx.seqAt(k);
                    if (s < lo || s > hi || !b.isLive(s)) {
                        continue;
                    }
                    String subject;
                    long size;
                    int off = idx.offsetAt(k);
                    if (data != null && BlockFormat.validRecord(data, off, data.length, crc) > 0) {
                        int sl = BlockFormat.getShort(data, off + BlockFormat.HEADER) & 0xFFFF;
                        int hl = BlockFormat.getInt(data, off + BlockFormat.HEADER + 2);
                        int dl = BlockFormat.getInt(data, off + 2) - BlockFormat.MSG_FIXED - sl - hl;
                        subject = new String(data, off + BlockFormat.HEADER + 6, sl,
                                java.nio.charset.StandardCharsets.UTF_8);
                        size = MessageSize.fileStore(sl, hl, dl);
                    } else {
                        StoredMessage m = readLive(b, s);
                        subject = m.subject();
                        size = sizeOf(m);
                    }
                    sink.removed(subject, s, size);
                    b.msgs--;
                    b.bytes = Math.max(0, b.bytes - size);
                    removed.add(s);
                }
                List<Damage> hit = new ArrayList<>();
                for (Damage d : b.damaged()) {
                    if (d.lastSeq() >= lo && d.firstSeq() <= hi) {
                        hit.add(d);
                    }
                }
                if (removed.isEmpty() && hit.isEmpty()) {
                    continue;
                }
                b.clearDamage(lo, hi);
                appendDel(b, lo, hi);
                if (lo <= b.first) {
                    b.dmap.deleteBelow(hi + 1);
                    advanceBlockFirst(b, hi + 1);
                } else {
                    for (long s : removed) {
                        b.dmap.insert(s);
                    }
                    // Dropped damage becomes ordinary interior deletes.
                    for (Damage d : hit) {
                        for (long s = Math.max(lo, d.firstSeq()); s <= Math.min(hi, d.lastSeq()); s++) {
                            b.dmap.insert(s);
                        }
                    }
                }
                maybeReclaim(b);
            }
        } catch (IOException e) {
            throw fail("removing " + from + ".." + to, e);
        }
    }

    @Override
    void truncateAbove(long seq, RemovedSink sink) {
        checkWritable();
        invalidateWindow();
        try {
            flushWrites();
            int ci = blockIndex(seq);
            Block cut = ci >= 0 ? blocks.get(ci) : null;
            if (cut != null) {
                for (Damage d : cut.damaged()) {
                    if (d.firstSeq() <= seq && d.lastSeq() >= seq) {
                        throw new StoreCorruptionException("cannot truncate inside a damaged range", List.of(d));
                    }
                }
            }
            List<Block> drop = new ArrayList<>(blocks.subList(ci + 1, blocks.size()));
            for (Block b : drop) {
                reportLive(b, b.first, b.last, sink);
            }
            if (cut != null && cut.last > seq) {
                reportLive(cut, seq + 1, cut.last, sink);
            }
            blocks.removeAll(drop);
            drop.forEach(Block::detach);
            for (Block b : drop) {
                indexCache.remove(b);
                dirtyBlocks.remove(b);
            }
            if (cut == null) {
                Block nb = new Block(seq + 1, dir);
                addBlock(nb);
                activeIndex = new RecordIndex();
                writeManifest();
                deleteBlocks(drop);
                openActive(nb);
                return;
            }
            indexCache.remove(cut);
            cut.sealedLength = -1;
            writeManifest();
            deleteBlocks(drop);
            closeChannel(cut);
            // Cut the block file after the last record at or below seq, splitting a straddling skip.
            Scan scan = scanRecords(cut);
            long cutOffset = scan.validEnd;
            long[] straddle = null;
            for (long[] r : scan.records) {
                if (r[1] > seq) {
                    cutOffset = r[0];
                    break;
                }
                if (r[2] > seq) {
                    cutOffset = r[0];
                    straddle = r;
                    break;
                }
            }
            truncateFile(cut.file, cutOffset);
            rewriteDeleteLog(cut, seq);
            if (straddle != null) {
                ByteBuffer sb = ByteBuffer.allocate(BlockFormat.SKIP_LEN).order(ByteOrder.LITTLE_ENDIAN);
                long ts = straddle[4];
                BlockFormat.putSkip(sb, crc, straddle[1], seq, ts);
                sb.flip();
                try (FileChannel ch = FileChannel.open(cut.file, StandardOpenOption.WRITE)) {
                    long p = cutOffset;
                    while (sb.hasRemaining()) {
                        p += ch.write(sb, p);
                    }
                    ch.force(false);
                }
            }
            long msgsBefore = cut.msgs;
            activeIndex = new RecordIndex();
            scanBlock(cut, seq, true, false);
            if (cut.msgs > msgsBefore) {
                throw new StoreCorruptionException("block grew while truncating",
                        List.of(new Damage(cut.base, Math.max(cut.base, seq), cut.file.toString(), "truncate")));
            }
            openActive(cut);
            if (cut.last < seq) {
                // The sequences up to seq lived in blocks that are gone (reclaimed); record them as skipped so
                // the last sequence survives a restart and the interior deletes stay exact.
                long from = cut.last + 1;
                long ts = lastTs;
                int at = ensureRoom(BlockFormat.SKIP_LEN);
                BlockFormat.putSkip(wa, at, crc, from, seq, ts);
                wpos = at + BlockFormat.SKIP_LEN;
                if (cut.msgs == 0 && !cut.hasDamage()) {
                    cut.first = seq + 1;
                    cut.dmap.clear();
                } else {
                    for (long s = from; s <= seq; s++) {
                        cut.dmap.insert(s);
                    }
                }
                cut.last = seq;
                cut.lastTs = ts;
            }
        } catch (IOException e) {
            throw fail("truncating to " + seq, e);
        } finally {
            // Reads above filled the window with bytes that were just cut or rewritten.
            invalidateWindow();
        }
    }

    private void deleteBlocks(List<Block> drop) throws IOException {
        for (Block b : drop) {
            closeChannel(b);
            Files.deleteIfExists(b.file);
            Files.deleteIfExists(b.delFile);
        }
        fsyncDir();
    }

    /** Reports the live messages of {@code b} in {@code [lo, hi]} to {@code sink} (accounting only). */
    private void reportLive(Block b, long lo, long hi, RemovedSink sink) throws IOException {
        if (b.msgs == 0) {
            return;
        }
        RecordIndex idx = indexFor(b);
        for (int k = 0; k < idx.size(); k++) {
            long s = idx.seqAt(k);
            if (s >= lo && s <= hi && b.isLive(s)) {
                StoredMessage m = readLive(b, s);
                sink.removed(m.subject(), s, sizeOf(m));
            }
        }
    }

    /** All valid records of a block's file with their offsets (resynchronising past damage). */
    private Scan scanRecords(Block b) throws IOException {
        Scan scan = new Scan();
        byte[] data = readWholeFile(b.file);
        if (data == null) {
            return scan;
        }
        scan.validEnd = walkRecords(data, b.base, (pos, seq, covered, type) ->
                scan.records.add(new long[] {pos, seq, covered, type, BlockFormat.getLong(data, pos + 14)}));
        return scan;
    }

    /** Rewrites the delete log keeping only entries at or below {@code maxSeq} (clipped). */
    private void rewriteDeleteLog(Block b, long maxSeq) throws IOException {
        List<long[]> dels = new ArrayList<>();
        if (readDeleteLog(b, dels)) {
            throw new StoreCorruptionException("delete log damaged",
                    List.of(new Damage(b.base, Math.max(b.base, b.last), b.delFile.toString(), "delete log")));
        }
        ByteBuffer out = ByteBuffer.allocate(dels.size() * BlockFormat.DEL_ENTRY);
        for (long[] r : dels) {
            if (r[0] > maxSeq) {
                continue;
            }
            out.put(BlockFormat.delEntry(crc, r[0], Math.min(r[1], maxSeq)));
        }
        out.flip();
        replaceFile(b.delFile, out);
    }

    private void replaceFile(Path target, ByteBuffer content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (content.hasRemaining()) {
                ch.write(content);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        fsyncDir();
    }

    @Override
    void forEachDeleted(LongConsumer visitor) {
        if (msgs == 0) {
            return;
        }
        long prevLast = firstSeq - 1;
        for (Block b : blocks) {
            if (b.last < firstSeq) {
                prevLast = Math.max(prevLast, b.last);
                continue;
            }
            long gapEnd = Math.min(b.first - 1, lastSeq);
            for (long s = Math.max(prevLast + 1, firstSeq); s <= gapEnd; s++) {
                visitor.accept(s);
            }
            b.dmap.forEach(s -> {
                if (s >= firstSeq && s <= lastSeq) {
                    visitor.accept(s);
                }
                return true;
            });
            prevLast = Math.max(prevLast, b.last);
        }
    }

    // ---------------------------------------------------------------- public API specific to files

    @Override
    public synchronized byte[] encodedState(long failed, boolean withSources) {
        checkOpen();
        List<Damage> dmg = damage();
        if (!dmg.isEmpty()) {
            throw new StoreCorruptionException("no stream state while sequences are damaged", dmg);
        }
        long numDeleted = StreamStateCodec.fileStoreNumDeleted(firstSeq, lastSeq, msgs);
        return encode(failed, withSources, numDeleted, numDeleted > 0 ? deleteBlocks() : List.of());
    }

    /**
     * nats-server's file-store delete blocks: a run-length range for each gap between blocks (extended while no
     * block with messages lies between gaps) and each block's own interior-delete set.
     */
    private List<DeleteBlock> deleteBlocks() {
        List<DeleteBlock> out = new ArrayList<>();
        long prevLast = 0;
        int prevRange = -1;
        boolean msgsSinceGap = false;
        for (Block b : blocks) {
            long fseq = b.first;
            if (prevLast > 0 && prevLast + 1 != fseq) {
                long gap = fseq - prevLast - 1;
                if (prevRange >= 0 && !msgsSinceGap) {
                    DeleteRange r = (DeleteRange) out.get(prevRange);
                    out.set(prevRange, new DeleteRange(r.first(), r.num() + gap));
                } else {
                    out.add(new DeleteRange(prevLast + 1, gap));
                    prevRange = out.size() - 1;
                    msgsSinceGap = false;
                }
            }
            if (!b.dmap.isEmpty()) {
                out.add(b.dmap.view());
                prevRange = -1;
            }
            prevLast = b.last;
            msgsSinceGap = msgsSinceGap || b.msgs > 0;
        }
        return out;
    }

    @Override
    public synchronized boolean hasDamage() {
        return damageTally.damagedBlocks > 0;
    }

    /** Appends {@code b} to {@link #blocks}, counting its damage. */
    private void addBlock(Block b) {
        blocks.add(b);
        b.attach(damageTally);
    }

    @Override
    public synchronized List<Damage> damage() {
        List<Damage> out = new ArrayList<>();
        for (Block b : blocks) {
            // Most blocks have none: addAll would still copy an empty array per block (isCurrent polls this).
            if (!b.damaged().isEmpty()) {
                out.addAll(b.damaged());
            }
        }
        return out;
    }

    @Override
    public synchronized void repair(long first, long last, List<StoredMessage> messages) {
        checkOpen();
        checkWritable();
        Block target = null;
        for (Block b : blocks) {
            for (Damage d : b.damaged()) {
                if (d.firstSeq() == first && d.lastSeq() == last) {
                    target = b;
                }
            }
        }
        if (target == null) {
            throw new StoreException("no damaged range " + first + ".." + last + " to repair");
        }
        long prev = first - 1;
        for (StoredMessage m : messages) {
            if (m.seq() <= prev || m.seq() > last) {
                throw new StoreException("repair message " + m.seq() + " outside " + first + ".." + last
                        + " or out of order");
            }
            prev = m.seq();
        }
        Block b = target;
        invalidateWindow();
        try {
            flushWrites();
            byte[] data = readWholeFile(b.file);
            Scan scan = scanRecords(b);
            ByteBuffer out = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            boolean inserted = false;
            for (long[] r : scan.records) {
                if (r[1] >= first && r[1] <= last) {
                    continue;
                }
                if (!inserted && r[1] > last) {
                    out = putRepaired(out, first, last, messages);
                    inserted = true;
                }
                int len = BlockFormat.getInt(data, (int) r[0] + 2);
                out = grow(out, len);
                out.put(data, (int) r[0], len);
            }
            if (!inserted) {
                out = putRepaired(out, first, last, messages);
            }
            out.flip();
            long newLen = out.remaining();
            boolean isActive = b == active();
            closeChannel(b);
            replaceFile(b.file, out);
            List<long[]> dels = new ArrayList<>();
            readDeleteLog(b, dels);
            ByteBuffer dout = ByteBuffer.allocate(dels.size() * BlockFormat.DEL_ENTRY);
            for (long[] r : dels) {
                // The peer's copy is the truth inside the repaired range.
                if (r[0] < first) {
                    dout.put(BlockFormat.delEntry(crc, r[0], Math.min(r[1], first - 1)));
                }
                if (r[1] > last) {
                    dout.put(BlockFormat.delEntry(crc, Math.max(r[0], last + 1), r[1]));
                }
            }
            dout.flip();
            replaceFile(b.delFile, dout);
            long msgsBefore = b.msgs;
            long bytesBefore = b.bytes;
            long spanLast = b.last;
            if (!isActive) {
                b.sealedLength = newLen;
                // The rescan below is bounded by this: it must cover every record the block held, or they
                // would read as a gap before the next block.
                b.manifestLast = Math.max(b.manifestLast, spanLast);
            }
            indexCache.remove(b);
            long upper = b.sealedLength >= 0 ? Math.max(b.manifestLast, last) : Long.MAX_VALUE;
            List<Damage> keep = new ArrayList<>();
            for (Damage d : b.damaged()) {
                if (d.firstSeq() != first || d.lastSeq() != last) {
                    keep.add(d);
                }
            }
            scanBlock(b, upper, false, false);
            for (Damage d : keep) {
                b.addDamage(d.firstSeq(), d.lastSeq(), d.reason());
            }
            msgs += b.msgs - msgsBefore;
            bytes += b.bytes - bytesBefore;
            for (StoredMessage m : messages) {
                if (b.isLive(m.seq())) {
                    countSubject(m.subject(), m.seq());
                }
            }
            if (isActive) {
                openActive(b);
            }
            writeManifest();
            // A repaired range at or below the current first sequence may bring back its lowest live
            // message (the first sequence had moved past the damaged, unreadable records), so the
            // first sequence is recomputed from the repaired range, not only when it lay inside it.
            if (firstSeq >= first || firstSeq > lastSeq) {
                advanceFirst(Math.min(firstSeq, first));
            }
            maybeReclaim(b);
        } catch (IOException e) {
            throw fail("repairing " + first + ".." + last, e);
        } finally {
            invalidateWindow();
        }
    }

    /** The repaired range as records: the peer's messages, and skips for every sequence the peer does not hold. */
    private ByteBuffer putRepaired(ByteBuffer out, long first, long last, List<StoredMessage> messages) {
        long next = first;
        for (StoredMessage m : messages) {
            if (m.seq() > next) {
                out = grow(out, BlockFormat.SKIP_LEN);
                BlockFormat.putSkip(out, crc, next, m.seq() - 1, m.tsNanos());
            }
            int sl = m.subjectLength();
            int len = BlockFormat.msgRecordLength(sl, m.header().length, m.data().length);
            out = grow(out, len);
            BlockFormat.putMsg(out, crc, m.seq(), m.tsNanos(), m.subject(), sl, m.header(), m.data());
            next = m.seq() + 1;
        }
        if (next <= last) {
            out = grow(out, BlockFormat.SKIP_LEN);
            BlockFormat.putSkip(out, crc, next, last, lastTs);
        }
        return out;
    }

    private static ByteBuffer grow(ByteBuffer b, int need) {
        if (b.remaining() >= need) {
            return b;
        }
        ByteBuffer n = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + need))
                .order(ByteOrder.LITTLE_ENDIAN);
        b.flip();
        n.put(b);
        return n;
    }

    @Override
    void sourcesChanged() {
        checkWritable();
        int size = 12;
        List<byte[][]> enc = new ArrayList<>();
        for (Map.Entry<String, SourceState> e : sourceStates.entrySet()) {
            byte[] name = e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] ident = e.getValue().ident().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            enc.add(new byte[][] {name, ident});
            size += 16 + name.length + ident.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(SOURCES_MAGIC).putInt(enc.size());
        int i = 0;
        for (SourceState st : sourceStates.values()) {
            byte[][] ni = enc.get(i++);
            b.putInt(ni[0].length).put(ni[0]).putLong(st.seq()).putInt(ni[1].length).put(ni[1]);
        }
        crc.reset();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        b.flip();
        try {
            replaceFile(dir.resolve(SOURCES), b);
        } catch (IOException e) {
            throw fail("writing sources state", e);
        }
    }

    /** Loads the persisted sources state; a damaged file is logged and ignored (a snapshot re-seeds it). */
    private void readSources() throws IOException {
        byte[] d = readWholeFile(dir.resolve(SOURCES));
        if (d == null) {
            return;
        }
        LinkedHashMap<String, SourceState> out = new LinkedHashMap<>();
        try {
            if (d.length < 12 || BlockFormat.getInt(d, 0) != SOURCES_MAGIC) {
                throw new IllegalStateException("bad header");
            }
            crc.reset();
            crc.update(d, 0, d.length - 4);
            if ((int) crc.getValue() != BlockFormat.getInt(d, d.length - 4)) {
                throw new IllegalStateException("checksum mismatch");
            }
            int n = BlockFormat.getInt(d, 4);
            int p = 8;
            for (int i = 0; i < n; i++) {
                int nl = BlockFormat.getInt(d, p);
                if (nl < 0 || nl > d.length - 4 - p - 16) {
                    throw new IllegalStateException("bad name length at " + p);
                }
                String name = new String(d, p + 4, nl, java.nio.charset.StandardCharsets.UTF_8);
                p += 4 + nl;
                long seq = BlockFormat.getLong(d, p);
                int il = BlockFormat.getInt(d, p + 8);
                if (il < 0 || il > d.length - 4 - p - 12) {
                    throw new IllegalStateException("bad ident length at " + p);
                }
                String ident = new String(d, p + 12, il, java.nio.charset.StandardCharsets.UTF_8);
                p += 12 + il;
                out.put(name, new SourceState(seq, ident));
            }
        } catch (IllegalStateException e) {
            LOG.error("{}: sources state file damaged ({}); ignoring it", dir, e.getMessage());
            return;
        }
        sourceStates.putAll(out);
    }

    @Override
    public synchronized void sync() {
        checkOpen();
        checkWritable();
        syncNow();
    }

    @Override
    public synchronized String toString() {
        return "FileStreamStore[" + dir + " first=" + firstSeq + " last=" + lastSeq + " msgs=" + msgs + " blocks="
                + blocks + "]";
    }

    /** Number of block files currently in use (for tests and operators). */
    public synchronized int blockCount() {
        return blocks.size();
    }

    /** Seals the active block and starts a new one at the next sequence; package-private for tests. */
    synchronized void rollBlock() {
        checkOpen();
        try {
            roll();
        } catch (IOException e) {
            throw fail("roll", e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        if (backgroundTask != null) {
            backgroundTask.cancel(false);
            backgroundTask = null;
        }
        try {
            if (failure == null) {
                syncNow();
                // Clean-close checkpoint: record the active block's length so a later truncation is detected.
                Block a = active();
                a.sealedLength = a.fileLength;
                a.manifestLast = a.last;
                writeManifest();
            }
        } catch (IOException | StoreIOException e) {
            LOG.error("{}: error while closing", dir, e);
        } finally {
            markClosed();
            if (writeBehind != null) {
                // A failed store skipped the sync above: no queued write may meet a closed channel.
                writeBehind.awaitQuietly();
                if (wa != null) {
                    writeBehind.giveBack(wa);
                }
                writeBehind.trim();
            }
            wa = null;
            wbuf = null;
            wpos = 0;
            if (spare != null) {
                spare.discard();
            }
            closeChannelsQuietly();
        }
    }

    private void closeChannelsQuietly() {
        for (Block b : blocks) {
            closeChannel(b);
        }
    }
}
