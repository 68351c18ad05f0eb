package io.jscluster.core.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The next block's file, created and opened ahead of the roll that needs it on another thread, so a roll renames
 * an open, empty file instead of creating one on the appending thread (creating a file in a directory that sees
 * many deletions costs ext4 a few hundred microseconds of inode search, once per block).
 *
 * <p>The file is empty and its name ({@value #NAME}) never matches a block's, so a crash that leaves it behind
 * loses nothing: recovery deletes it ({@link #deleteLeftover}). A roll that finds no spare ready, or a name already
 * taken, creates the block file as before: this class only ever saves work, it never waits for its thread.
 * Guarded by the owning store's lock.
 */
final class SpareBlockFile {
    private static final Logger LOG = LoggerFactory.getLogger(SpareBlockFile.class);

    /** File name of the spare inside the store's directory. */
    static final String NAME = "next-block.spare";

    private final Path path;
    private final Executor executor;
    /** The creation requested and not yet claimed or discarded; null when none is. */
    private Creation pending;

    SpareBlockFile(Path dir, Executor executor) {
        this.path = dir.resolve(NAME);
        this.executor = executor;
    }

    /** One creation of the spare, run by the executor; its fields are guarded by its own monitor. */
    private final class Creation implements Runnable {
        private boolean started;
        private boolean done;
        /** Discarded before it started: it must not create anything when it runs. */
        private boolean abandoned;
        private FileChannel channel;

        @Override
        public void run() {
            synchronized (this) {
                if (abandoned) {
                    return;
                }
                started = true;
            }
            FileChannel ch = null;
            try {
                ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (IOException | RuntimeException e) {
                LOG.debug("creating spare block file {} failed: {}", path, e.toString());
            }
            synchronized (this) {
                channel = ch;
                done = true;
                notifyAll();
            }
        }

        /** Whether the creation ran to its end (successfully or not). */
        synchronized boolean finished() {
            return done;
        }

        /** The channel a finished creation opened, or null when it failed. */
        synchronized FileChannel channel() {
            return channel;
        }

        /**
         * Stops a creation that has not started (it will do nothing) or waits for one that has; returns the channel
         * it opened, or null.
         */
        synchronized FileChannel abandon() {
            if (!started) {
                abandoned = true;
                return null;
            }
            boolean interrupted = false;
            while (!done) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return channel;
        }
    }

    /** Starts creating the spare on the executor, unless one is already requested and not yet claimed. */
    void prepare() {
        if (pending != null) {
            return;
        }
        Creation c = new Creation();
        pending = c;
        try {
            executor.execute(c);
        } catch (RuntimeException e) {
            // A rejected task only means no spare: rolls create their files themselves.
            pending = null;
            LOG.debug("spare block file not requested: {}", e.toString());
        }
    }

    /**
     * The spare, renamed to {@code target} and open for reading and writing at length 0; or null, without waiting,
     * when none is ready (still being created, or its creation failed) or {@code target} exists already. The caller
     * owns the returned channel and must make the directory change durable as it would a created file's.
     */
    FileChannel claim(Path target) {
        Creation c = pending;
        if (c == null || !c.finished()) {
            return null;
        }
        pending = null;
        FileChannel ch = c.channel();
        if (ch == null) {
            return null;
        }
        try {
            if (Files.exists(target) || ch.size() != 0) {
                closeAndDelete(ch);
                return null;
            }
            Files.move(path, target, StandardCopyOption.ATOMIC_MOVE);
            return ch;
        } catch (IOException e) {
            LOG.debug("spare block file not used for {}: {}", target, e.toString());
            closeAndDelete(ch);
            return null;
        }
    }

    /**
     * Removes the spare, for the store's close: a creation not yet started never runs, one running is waited
     * for (one file creation) so nothing of the store touches its directory afterwards.
     */
    void discard() {
        Creation c = pending;
        pending = null;
        if (c == null) {
            return;
        }
        FileChannel ch = c.abandon();
        if (ch != null) {
            closeAndDelete(ch);
        }
    }

    /** Deletes a spare left in {@code dir} by a process that stopped before using or discarding it. */
    static void deleteLeftover(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve(NAME));
    }

    private void closeAndDelete(FileChannel ch) {
        try {
            ch.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("removing spare block file {}: {}", path, e.toString());
        }
    }
}
