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
 */
public record FileStoreConfig(Path dir, long blockSize, SyncPolicy syncPolicy, long syncIntervalNanos,
                              int indexCacheBlocks, StreamLimits limits, LongSupplier clock) {
    /** Default block size: 8 MiB, as nats-server uses for stream blocks. */
    public static final long DEFAULT_BLOCK_SIZE = 8L << 20;

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
        limits = limits == null ? StreamLimits.NONE : limits;
    }

    /** Defaults for {@code dir}: 8 MiB blocks, {@link SyncPolicy#ALWAYS}, 16 cached indexes, no limits. */
    public static FileStoreConfig of(Path dir) {
        return new FileStoreConfig(dir, DEFAULT_BLOCK_SIZE, SyncPolicy.ALWAYS, 1_000_000_000L, 16,
                StreamLimits.NONE, MemoryStreamStore::systemNanos);
    }

    /** A copy with another block size. */
    public FileStoreConfig withBlockSize(long size) {
        return new FileStoreConfig(dir, size, syncPolicy, syncIntervalNanos, indexCacheBlocks, limits, clock);
    }

    /** A copy with another sync policy and interval. */
    public FileStoreConfig withSync(SyncPolicy policy, long intervalNanos) {
        return new FileStoreConfig(dir, blockSize, policy, intervalNanos, indexCacheBlocks, limits, clock);
    }

    /** A copy with other limits. */
    public FileStoreConfig withLimits(StreamLimits l) {
        return new FileStoreConfig(dir, blockSize, syncPolicy, syncIntervalNanos, indexCacheBlocks, l, clock);
    }

    /** A copy with another clock. */
    public FileStoreConfig withClock(LongSupplier c) {
        return new FileStoreConfig(dir, blockSize, syncPolicy, syncIntervalNanos, indexCacheBlocks, limits, c);
    }

    /** A copy with another index cache size. */
    public FileStoreConfig withIndexCacheBlocks(int n) {
        return new FileStoreConfig(dir, blockSize, syncPolicy, syncIntervalNanos, n, limits, clock);
    }
}
