package io.jscluster.bench.store;

import io.jscluster.core.store.StreamLimits;
import io.jscluster.core.store.StreamStore;
import java.nio.file.Path;
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
 * Cost of {@code encodedState} (the stream snapshot) for a stream with 1,000,000 interior deletes: 1,000,000
 * messages alternating with 1,000,000 skipped sequences, so every other sequence is deleted. Average time per
 * snapshot.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class EncodedStateBenchmark {
    private static final int PAIRS = 1_000_000;

    /** Which store. */
    @Param({"memory", "file"})
    public String store;

    private StreamStore s;
    private Path dir;

    /** Builds the stream once. */
    @Setup(Level.Trial)
    public void setUp() {
        if (store.equals("memory")) {
            s = StoreFixtures.memory(StreamLimits.NONE);
        } else {
            dir = StoreFixtures.tempDir("jscluster-state-bench");
            s = StoreFixtures.file(dir);
        }
        byte[] none = new byte[0];
        s.batch(() -> {
            for (long i = 0; i < PAIRS; i++) {
                s.storeAt(2 * i + 1, 2 * i + 1, StoreFixtures.SUBJECT, null, none);
                s.skip(2 * i + 2);
            }
            s.storeAt(2L * PAIRS + 1, 1, StoreFixtures.SUBJECT, null, none);
        });
        if (s.state().numDeleted() != PAIRS) {
            throw new IllegalStateException("expected " + PAIRS + " interior deletes, got " + s.state());
        }
    }

    /** Closes and deletes the store. */
    @TearDown(Level.Trial)
    public void tearDown() {
        s.close();
        StoreFixtures.delete(dir);
    }

    /** One snapshot encoding. */
    @Benchmark
    public byte[] encode() {
        return s.encodedState(0, false);
    }
}
