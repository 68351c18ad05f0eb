package io.jscluster.core.store;

/** When a file store makes writes durable. */
public enum SyncPolicy {
    /**
     * Default. Every mutating call (or every {@link StreamStore#batch(Runnable)}) is written and fsynced before it
     * returns: what a caller acknowledges is on disk.
     */
    ALWAYS,
    /**
     * Opt-in. Writes are buffered and fsynced by a background timer every
     * {@link FileStoreConfig#syncIntervalNanos()}, and on {@link StreamStore#sync()} / close. A crash loses at most
     * one interval of acknowledged writes.
     */
    INTERVAL
}
