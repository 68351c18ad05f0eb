package io.jscluster.core.store;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The small pool of daemon threads every write-behind {@link FileStreamStore} in the JVM shares for its block
 * writes (see {@link FileStoreConfig#writeBehindBuffers()}). Each store runs at most one task at a time (its
 * writes stay in order), so the pool only bounds how many stores write at once; idle threads end after a few
 * seconds and the pool creates no thread until the first write-behind store fills a buffer.
 */
final class StoreWriters {
    /** Two writers, or one per core up to four. */
    private static final int THREADS = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
    private static final Executor EXECUTOR = create();

    private StoreWriters() {
    }

    private static Executor create() {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory tf = r -> {
            Thread t = new Thread(r, "jscluster-store-writer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ThreadPoolExecutor ex = new ThreadPoolExecutor(THREADS, THREADS, 5, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), tf);
        ex.allowCoreThreadTimeOut(true);
        return ex;
    }

    /** The shared pool. */
    static Executor executor() {
        return EXECUTOR;
    }
}
