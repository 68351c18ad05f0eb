package io.jscluster.core.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One file store's write-behind queue: full write buffers handed over by the store are written to their block
 * file, in the order given, by a task on a shared writer pool, while the store fills the next buffer. At most
 * {@code maxBuffers} buffers exist (the one being filled, the queued ones and the free ones), so memory is
 * bounded: a store that runs out of buffers waits for the oldest write to finish (back-pressure).
 *
 * <p>Writes are positional and strictly in submission order, one at a time per store, so a block file always
 * holds a prefix of what was submitted (plus, after a crash, possibly part of the next buffer: a torn tail that
 * recovery truncates). After a write fails nothing later is written (it would leave a hole behind valid records):
 * the queue is dropped, the failure is reported once to the store's callback and every later
 * {@link #submit}/{@link #await} throws it.
 *
 * <p>The pool's threads never take the store's monitor, so a store may wait here while holding it.
 */
final class WriteBehind {
    /** Writes {@code src} fully at {@code pos} of {@code ch} (a seam for tests that inject I/O errors). */
    @FunctionalInterface
    interface BlockWriter {
        /** Writes every remaining byte of {@code src} at {@code pos}. */
        void write(FileChannel ch, ByteBuffer src, long pos) throws IOException;
    }

    /** The writer used in production: positional {@link FileChannel#write(ByteBuffer, long)} calls. */
    static final BlockWriter FILE_WRITER = (ch, src, pos) -> {
        long p = pos;
        while (src.hasRemaining()) {
            p += ch.write(src, p);
        }
    };

    /** Receives the first write failure (called on a writer thread, without any lock held). */
    @FunctionalInterface
    interface FailureSink {
        /** The write of {@code file} failed with {@code cause}. */
        void failed(Path file, IOException cause);
    }

    /** A buffer waiting for (or in) its write. */
    private record Pending(FileChannel channel, Path file, byte[] buffer, int length, long position) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Submitted writes in order; the head stays until its write completed. */
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final ArrayDeque<byte[]> free = new ArrayDeque<>();
    private final int maxBuffers;
    private final int bufferBytes;
    private final Executor executor;
    private final BlockWriter writer;
    private final FailureSink sink;
    /** Buffers in existence: free, queued, and the one the store fills. */
    private int allocated;
    /** A drain task is scheduled or running. */
    private boolean draining;
    private IOException error;
    /** {@code queue.size()}, readable without the lock (the store's cheap "anything in flight?" check). */
    private volatile int inFlight;

    WriteBehind(int maxBuffers, int bufferBytes, Executor executor, BlockWriter writer, FailureSink sink) {
        if (maxBuffers < 2) {
            throw new IllegalArgumentException("write-behind needs at least two buffers: " + maxBuffers);
        }
        this.maxBuffers = maxBuffers;
        this.bufferBytes = bufferBytes;
        this.executor = executor;
        this.writer = writer;
        this.sink = sink;
    }

    /** Size of every buffer. */
    int bufferBytes() {
        return bufferBytes;
    }

    /** A buffer to fill: a free one, a new one while under the bound, else the next one a write releases. */
    byte[] take() throws IOException {
        lock.lock();
        try {
            return nextFree();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues the write of {@code buffer[0, length)} at {@code position} of {@code channel} and returns a buffer to
     * fill next; {@code buffer} belongs to the queue from now on. Waits while every buffer is in flight.
     *
     * @throws IOException an earlier write failed (nothing is queued then)
     */
    byte[] submit(FileChannel channel, Path file, byte[] buffer, int length, long position) throws IOException {
        lock.lock();
        try {
            throwIfFailed();
            queue.addLast(new Pending(channel, file, buffer, length, position));
            inFlight = queue.size();
            if (!draining) {
                draining = true;
                executor.execute(this::drain);
            }
            return nextFree();
        } finally {
            lock.unlock();
        }
    }

    private byte[] nextFree() throws IOException {
        for (;;) {
            throwIfFailed();
            byte[] b = free.pollFirst();
            if (b != null) {
                return b;
            }
            if (allocated < maxBuffers) {
                allocated++;
                return new byte[bufferBytes];
            }
            changed.awaitUninterruptibly();
        }
    }

    private void throwIfFailed() throws IOException {
        if (error != null) {
            throw new IOException("an earlier background write failed", error);
        }
    }

    /** Whether writes are queued or running (a hint: exact only under the store's lock, which submits). */
    boolean busy() {
        return inFlight != 0;
    }

    /**
     * Waits until every submitted write has completed.
     *
     * @throws IOException a write failed (now or earlier)
     */
    void await() throws IOException {
        if (inFlight == 0 && error == null) {
            return;
        }
        lock.lock();
        try {
            while (!queue.isEmpty()) {
                changed.awaitUninterruptibly();
            }
            throwIfFailed();
        } finally {
            lock.unlock();
        }
    }

    /** As {@link #await()} without reporting a failure (closing a store that failed already). */
    void awaitQuietly() {
        lock.lock();
        try {
            while (!queue.isEmpty()) {
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Takes back a buffer the store no longer fills (idle or closing). */
    void giveBack(byte[] buffer) {
        lock.lock();
        try {
            free.addFirst(buffer);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Drops the free buffers while nothing is in flight (an idle store keeps no memory). */
    void trim() {
        lock.lock();
        try {
            if (queue.isEmpty()) {
                allocated -= free.size();
                free.clear();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Buffers currently in existence (for tests). */
    int allocated() {
        lock.lock();
        try {
            return allocated;
        } finally {
            lock.unlock();
        }
    }

    /** The pool task: writes the queue's head until the queue is empty or a write failed. */
    private void drain() {
        for (;;) {
            Pending p;
            lock.lock();
            try {
                p = queue.peekFirst();
                if (p == null) {
                    draining = false;
                    return;
                }
            } finally {
                lock.unlock();
            }
            IOException failure = null;
            try {
                writer.write(p.channel(), ByteBuffer.wrap(p.buffer(), 0, p.length()), p.position());
            } catch (IOException e) {
                failure = e;
            } catch (RuntimeException e) {
                failure = new IOException("write of " + p.file() + " failed", e);
            }
            lock.lock();
            try {
                queue.pollFirst();
                free.addFirst(p.buffer());
                if (failure != null) {
                    error = failure;
                    // Nothing after a failed write may reach the file: it would leave a hole behind valid records.
                    for (Pending q; (q = queue.pollFirst()) != null; ) {
                        free.addFirst(q.buffer());
                    }
                    draining = false;
                }
                inFlight = queue.size();
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            if (failure != null) {
                sink.failed(p.file(), failure);
                return;
            }
        }
    }
}
