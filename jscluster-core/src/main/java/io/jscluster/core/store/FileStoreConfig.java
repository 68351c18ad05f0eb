package io.jscluster.core.store;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Configuration of a {@link FileStreamStore}.
 *
 * @param dir               directory owned by the store (created if missing)
 * @param blockSize         target bytes per block file before a new block is started (1 KiB .. 256 MiB)
 * @param syncPolicy        durability policy
 * @param syncIntervalNanos interval for {@link SyncPolicy#INTERVAL}
 * @param indexCacheBlocks  how many sealed blocks keep their record index in memory (bounded cache, >= 1)
 * @param limits            stream limits
 * @param clock             Unix time in nanoseconds for leader-path timestamps
 * @param writeBehindBuffers 0 (the default): the store writes its 256 KiB write buffer to the block file on the
 *                          caller's thread when it fills. {@code 2..}{@value #MAX_WRITE_BEHIND_BUFFERS}: write-behind
 *                          with at most that many buffers; see {@link #withWriteBehind(int)}
 */
public record FileStoreConfig(Path dir, long blockSize, SyncPolicy syncPolicy, long syncIntervalNanos,
                              int indexCacheBlocks, StreamLimits limits, LongSupplier clock,
                              int writeBehindBuffers) {
    /** Default block size: 8 MiB, as nats-server uses for stream blocks. */
    public static final long DEFAULT_BLOCK_SIZE = 8L << 20;
    /** Most write buffers a write-behind store may hold (each {@link FileStreamStore#WRITE_BUFFER_BYTES}). */
    public static final int MAX_WRITE_BEHIND_BUFFERS = 16;

    /** Validates the values. */
    public FileStoreConfig {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(syncPolicy, "syncPolicy");
        Objects.requireNonNull(clock, "clock");
        if (blockSize < 1024 || blockSize > (256L << 20)) {
            throw new IllegalArgumentException("blockSize out of range: " + blockSize);
        }
        if (syncPolicy == SyncPolicy.INTERVAL && syncIntervalNanos <= 0) {
            throw new IllegalArgumentException("syncIntervalNanos must be positive for INTERVAL");
        }
        if (indexCacheBlocks < 1) {
            throw new IllegalArgumentException("indexCacheBlocks must be >= 1");
        }
        if (writeBehindBuffers != 0 && (writeBehindBuffers < 2 || writeBehindBuffers > MAX_WRITE_BEHIND_BUFFERS)) {
            throw new IllegalArgumentException("writeBehindBuffers must be 0 or 2.." + MAX_WRITE_BEHIND_BUFFERS + ": "
                    + writeBehindBuffers);
        }
        limits = limits == null ? StreamLimits.NONE : limits;
    }

    /** The configuration before write-behind existed: synchronous buffer writes ({@code writeBehindBuffers = 0}). */
    public FileStoreConfig(Path dir, long blockSize, SyncPolicy syncPolicy, long syncIntervalNanos,
                           int indexCacheBlocks, StreamLimits limits, LongSupplier clock) {
        this(dir, blockSize, syncPolicy, syncIntervalNanos, indexCacheBlocks, limits, clock, 0);
    }

    /**
     * Defaults for {@code dir}: 8 MiB blocks, {@link SyncPolicy#ALWAYS}, 16 cached indexes, no limits, no
     * write-behind.
     */
    public static FileStoreConfig of(Path dir) {
        return new FileStoreConfig(dir, DEFAULT_BLOCK_SIZE, SyncPolicy.ALWAYS, 1_000_000_000L, 16,
                StreamLimits.NONE, MemoryStreamStore::systemNanos, 0);
    }

    /** A copy with another block size. */
    public FileStoreConfig withBlockSize(long size) {
        return new FileStoreConfig(dir, size, syncPolicy, syncIntervalNanos, indexCacheBlocks, limits, clock,
                writeBehindBuffers);
    }

    /** A copy with another sync policy and interval. */
    public FileStoreConfig withSync(SyncPolicy policy, long intervalNanos) {
        return new FileStoreConfig(dir, blockSize, policy, intervalNanos, indexCacheBlocks, limits, clock,
                writeBehindBuffers);
    }

    /** A copy with other limits. */
    public FileStoreConfig withLimits(StreamLimits l) {
        return new FileStoreConfig(dir, blockSize, syncPolicy, syncIntervalNanos, indexCacheBlocks, l, clock,
                writeBehindBuffers);
    }

    /** A copy with another clock. */
    public FileStoreConfig withClock(LongSupplier c) {
        return new FileStoreConfig(dir, blockSize, syncPolicy, syncIntervalNanos, indexCacheBlocks, limits, c,
                writeBehindBuffers);
    }

    /** A copy with another index cache size. */
    public FileStoreConfig withIndexCacheBlocks(int n) {
        return new FileStoreConfig(dir, blockSize, syncPolicy, syncIntervalNanos, n, limits, clock, writeBehindBuffers);
    }

    /**
     * A copy with write-behind: with {@code buffers >= 2}, a full write buffer is handed to a writer thread of a
     * small pool shared by all stores (at most one write per store at a time, in order) and the caller goes on
     * filling a free buffer, so the copy into the kernel overlaps the caller's work; with all {@code buffers} in
     * flight the caller waits (memory stays bounded at {@code buffers} &times;
     * {@link FileStreamStore#WRITE_BUFFER_BYTES} per store, released when idle). Everything else is unchanged:
     * reads, truncation, compaction, purge, snapshots, block rolls, {@link StreamStore#sync()}, the
     * {@link SyncPolicy#ALWAYS} commit and the {@link SyncPolicy#INTERVAL} timer first wait for the writes in
     * flight; a failed background write makes the next operation (or sync) throw {@link StoreIOException} and the
     * store refuse writes; {@link StreamStore#close()} waits for them. A crash loses at most what was not yet
     * written, as without write-behind (a block file is always a prefix of what was stored). A write-behind store
     * also creates its next block's file ahead on a writer thread (an empty {@code next-block.spare} in the
     * directory, renamed at the roll, deleted by close and by recovery), so a roll does not create a file on the
     * caller's thread.
     *
     * <p>Opt-in and off by default: it only pays with a spare core, and its writes happen on another thread at
     * times the caller does not choose, which a deterministic simulation (simulated disks, virtual time) must not
     * have. {@code 0} turns it off.
     */
    public FileStoreConfig withWriteBehind(int buffers) {
        return new FileStoreConfig(dir, blockSize, syncPolicy, syncIntervalNanos, indexCacheBlocks, limits, clock,
                buffers);
    }
}
