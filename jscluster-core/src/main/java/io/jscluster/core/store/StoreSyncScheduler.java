package io.jscluster.core.store;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The one background thread every {@link FileStreamStore} in the JVM shares for interval fsyncs and for releasing
 * idle buffers, so a server with many streams does not run a thread per stream. Tasks must be short apart from
 * the fsyncs they issue, and must not hold a store's lock while they fsync.
 */
final class StoreSyncScheduler {
    private static final ScheduledThreadPoolExecutor EXECUTOR = create();

    private StoreSyncScheduler() {
    }

    private static ScheduledThreadPoolExecutor create() {
        ThreadFactory tf = r -> {
            Thread t = new Thread(r, "jscluster-store-sync");
            t.setDaemon(true);
            return t;
        };
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, tf);
        ex.setRemoveOnCancelPolicy(true);
        ex.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return ex;
    }

    /** Runs {@code task} every {@code periodNanos} (fixed delay) until the returned handle is cancelled. */
    static ScheduledFuture<?> every(long periodNanos, Runnable task) {
        return EXECUTOR.scheduleWithFixedDelay(task, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    /** Number of tasks scheduled (for tests: a closed store leaves none behind). */
    static int scheduledTasks() {
        return EXECUTOR.getQueue().size();
    }
}
