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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Store throughput, one message per operation, in two forms (both normalised per message):
 * <ul>
 *   <li>{@link #storeMessage}: the leader path, {@code store(subject, null, payload)}, one call (and one lock) per
 *       message.</li>
 *   <li>{@link #storeAtBatch}: the replica's apply path as {@code StreamReplica#applyBatch} drives it — a burst
 *       of {@value #APPLY_BURST} committed messages applied inside one {@code batch(...)}, each with
 *       {@code storeAt(seq, ts, subject, buf, hdrOff, 0, msgOff, len)} from the entry's bytes (the store's lock is
 *       taken once per burst and re-entered per message).</li>
 * </ul>
 *
 * <ul>
 *   <li>{@code memory}: a memory store capped at 1,000,000 messages (discard old), so the steady state includes
 *       removing the oldest message — the heap stays bounded across iterations.</li>
 *   <li>{@code file}: a file store with {@code SyncPolicy.INTERVAL} (background fsync every {@link #syncIntervalMs}, default 100 ms), 8 MiB blocks,
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

    /**
     * File store only: milliseconds between the store's background fsyncs ({@code SyncPolicy.INTERVAL}). The
     * default, 100, is what every earlier figure used; nats-server's default {@code SyncInterval} is 2 minutes
     * ({@code -p syncIntervalMs=120000}), under which no fsync falls inside a 2 s measurement iteration (the store
     * still forces everything at {@code close()}, in the iteration's tear-down, outside the timing).
     */
    @Param({"100"})
    public long syncIntervalMs;

    /** Memory store only: messages kept (discard old beyond it). Run with -p retain=10000 to keep it young-gen. */
    @Param({"1000000"})
    public int retain;

    /** Messages per {@link #storeAtBatch} invocation: one burst of committed entries. */
    static final int APPLY_BURST = 64;

    private StreamStore s;
    private Path dir;
    private byte[] payload;
    /** An entry's bytes: 16 bytes of framing before the payload, as a decoded Raft entry would hold. */
    private byte[] entry;
    private long nextSeq;
    private long nextTs;
    private final Runnable burst = this::applyBurst;

    /** Fresh store per iteration. */
    @Setup(Level.Iteration)
    public void setUp() {
        payload = new byte[size];
        new SplittableRandom(size).nextBytes(payload);
        entry = new byte[16 + size];
        System.arraycopy(payload, 0, entry, 16, size);
        nextSeq = 1;
        nextTs = 1;
        if (store.equals("memory")) {
            s = StoreFixtures.memory(new StreamLimits(retain, 0, 0, 0, DiscardPolicy.OLD, false));
        } else {
            dir = StoreFixtures.tempDir("jscluster-store-bench");
            s = StoreFixtures.file(dir, writeBehind, syncIntervalMs * 1_000_000L);
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

    /** One apply burst of {@value #APPLY_BURST} follower-path stores in one batch (scores are per message). */
    @Benchmark
    @OperationsPerInvocation(APPLY_BURST)
    public long storeAtBatch() {
        s.batch(burst);
        return nextSeq;
    }

    private void applyBurst() {
        StreamStore st = s;
        byte[] e = entry;
        int len = size;
        long seq = nextSeq;
        long ts = nextTs;
        for (int i = 0; i < APPLY_BURST; i++) {
            st.storeAt(seq++, ts++, StoreFixtures.SUBJECT, e, 16, 0, 16, len);
        }
        nextSeq = seq;
        nextTs = ts;
    }
}
