package io.jscluster.bench.store;

import io.jscluster.core.store.FileStoreConfig;
import io.jscluster.core.store.FileStreamStore;
import io.jscluster.core.store.MemoryStreamStore;
import io.jscluster.core.store.StreamLimits;
import io.jscluster.core.store.StreamStore;
import io.jscluster.core.store.SyncPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/** Store construction and cleanup shared by the store benchmarks. */
final class StoreFixtures {
    /** Subject used by every benchmark message. */
    static final String SUBJECT = "bench.a";
    /** Default interval of the file store's background fsync in the benchmarks (their {@code syncIntervalMs}). */
    static final long SYNC_INTERVAL_NANOS = 100_000_000L;

    private StoreFixtures() {
    }

    /**
     * Strictly increasing timestamps, 1 ns apart. A plain counter: a store calls its clock under its own lock, so
     * an atomic (what the fixtures used before) only added a locked instruction per message that no real clock
     * has. A wall clock ({@code clock_gettime}) costs about 20 ns per call on top, for every store alike.
     */
    static final class Ticker implements LongSupplier {
        private long now = 1;

        @Override
        public long getAsLong() {
            return ++now;
        }
    }

    static StreamStore memory(StreamLimits limits) {
        return new MemoryStreamStore(limits, new Ticker());
    }

    static StreamStore file(Path dir) {
        return file(dir, 0);
    }

    /** The file store of the benchmarks with {@code writeBehind} write-behind buffers (0: writes inline). */
    static StreamStore file(Path dir, int writeBehind) {
        return file(dir, writeBehind, SYNC_INTERVAL_NANOS);
    }

    /** As {@link #file(Path, int)} with a background fsync every {@code syncIntervalNanos}. */
    static StreamStore file(Path dir, int writeBehind, long syncIntervalNanos) {
        return FileStreamStore.open(FileStoreConfig.of(dir).withClock(new Ticker())
                .withSync(SyncPolicy.INTERVAL, syncIntervalNanos).withWriteBehind(writeBehind));
    }

    static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
