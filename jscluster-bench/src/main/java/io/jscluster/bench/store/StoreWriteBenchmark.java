package io.jscluster.bench.store;

import io.jscluster.core.store.DiscardPolicy;
import io.jscluster.core.store.StreamLimits;
import io.jscluster.core.store.StreamStore;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Leader-path {@code store(subject, null, payload)} throughput, one message per operation.
 *
 * <ul>
 *   <li>{@code memory}: a memory store capped at 1,000,000 messages (discard old), so the steady state includes
 *       removing the oldest message — the heap stays bounded across iterations.</li>
 *   <li>{@code file}: a file store with {@code SyncPolicy.INTERVAL} (100 ms background fsync), 8 MiB blocks,
 *       write-behind with {@link #writeBehind} buffers (0: none), fresh directory per iteration. Compare with {@link PlainFileChannelBenchmark} in the same run.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StoreWriteBenchmark {
    /** Payload bytes per message. */
    @Param({"128", "1024"})
    public int size;

    /** Which store. */
    @Param({"memory", "file"})
    public String store;

    /**
     * File store only: write-behind buffers ({@code FileStoreConfig#withWriteBehind}); 0 writes each full 256 KiB
     * buffer on the benchmark thread, as before write-behind existed.
     */
    @Param({"4"})
    public int writeBehind;

    /** Memory store only: messages kept (discard old beyond it). Run with -p retain=10000 to keep it young-gen. */
    @Param({"1000000"})
    public int retain;

    private StreamStore s;
    private Path dir;
    private byte[] payload;

    /** Fresh store per iteration. */
    @Setup(Level.Iteration)
    public void setUp() {
        payload = new byte[size];
        new SplittableRandom(size).nextBytes(payload);
        if (store.equals("memory")) {
            s = StoreFixtures.memory(new StreamLimits(retain, 0, 0, 0, DiscardPolicy.OLD, false));
        } else {
            dir = StoreFixtures.tempDir("jscluster-store-bench");
            s = StoreFixtures.file(dir, writeBehind);
        }
    }

    /** Closes and deletes the store. */
    @TearDown(Level.Iteration)
    public void tearDown() {
        s.close();
        StoreFixtures.delete(dir);
        dir = null;
    }

    /** One leader-path store. */
    @Benchmark
    public long storeMessage() {
        return s.store(StoreFixtures.SUBJECT, null, payload);
    }
}
