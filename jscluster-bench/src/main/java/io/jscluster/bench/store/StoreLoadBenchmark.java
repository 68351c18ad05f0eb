package io.jscluster.bench.store;

import io.jscluster.core.store.MessageView;
import io.jscluster.core.store.StoredMessage;
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
 * {@code load(seq)} throughput over a stream of 200,000 messages, walking the sequences in order (the catch-up
 * access pattern). The file store serves records from its read-ahead window and verifies each checksum.
 * {@code load} copies every message into a fresh {@code StoredMessage}; {@code loadView} fills one reused
 * {@link MessageView} without copying (returning its payload length, which the reader would consume).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StoreLoadBenchmark {
    private static final int MESSAGES = 200_000;

    /** Payload bytes per message. */
    @Param({"128", "1024"})
    public int size;

    /** Which store. */
    @Param({"memory", "file"})
    public String store;

    private StreamStore s;
    private Path dir;
    private long next;
    private final MessageView view = new MessageView();

    /** Fills the store once. */
    @Setup(Level.Trial)
    public void setUp() {
        if (store.equals("memory")) {
            s = StoreFixtures.memory(StreamLimits.NONE);
        } else {
            dir = StoreFixtures.tempDir("jscluster-load-bench");
            s = StoreFixtures.file(dir);
        }
        byte[] payload = new byte[size];
        for (int i = 0; i < MESSAGES; i++) {
            s.store(StoreFixtures.SUBJECT, null, payload);
        }
        s.sync();
        next = 1;
    }

    /** Closes and deletes the store. */
    @TearDown(Level.Trial)
    public void tearDown() {
        s.close();
        StoreFixtures.delete(dir);
    }

    /** Loads the next sequence, wrapping at the end. */
    @Benchmark
    public StoredMessage load() {
        StoredMessage m = s.load(next);
        next = next == MESSAGES ? 1 : next + 1;
        return m;
    }

    /** Loads the next sequence into the reused view, wrapping at the end. */
    @Benchmark
    public int loadView() {
        s.loadInto(next, view);
        next = next == MESSAGES ? 1 : next + 1;
        return view.dataLength();
    }
}
