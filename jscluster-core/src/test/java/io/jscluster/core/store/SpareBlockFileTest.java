package io.jscluster.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Write-behind stores create the next block's file ahead of the roll ({@link SpareBlockFile}): a roll renames the
 * prepared file, never waits for it, falls back to creating the file itself, and no spare outlives the store or a
 * crash. The spare's creator is an executor the test runs by hand, so every step is deterministic.
 */
class SpareBlockFileTest {
    private static final long HOUR = 3_600_000_000_000L;

    @TempDir
    Path tmp;

    /** Runs nothing until told to. */
    private static final class ManualExecutor implements Executor {
        final Queue<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable r) {
            tasks.add(r);
        }

        void runAll() {
            while (!tasks.isEmpty()) {
                tasks.poll().run();
            }
        }
    }

    private FileStoreConfig config(Path dir) {
        long[] now = {0};
        return FileStoreConfig.of(dir).withBlockSize(4096).withClock(() -> ++now[0])
                .withSync(SyncPolicy.INTERVAL, HOUR).withWriteBehind(2);
    }

    /** A write-behind store in {@code dir} whose spare files are created by {@code creator}. */
    private FileStreamStore openWith(Path dir, Executor creator) {
        return FileStreamStore.open(config(dir), FileStreamStore.WRITE_BUFFER_BYTES, WriteBehind.FILE_WRITER, creator);
    }

    private static Object inode(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
    }

    private static void storeSome(FileStreamStore s, int n) {
        for (int i = 0; i < n; i++) {
            s.store("orders.new", null, ("payload-" + i).getBytes());
        }
    }

    @Test
    void aRollRenamesThePreparedFileAndPreparesTheNext() throws IOException {
        Path dir = tmp.resolve("s");
        ManualExecutor creator = new ManualExecutor();
        FileStreamStore s = openWith(dir, creator);
        Path spare = dir.resolve(SpareBlockFile.NAME);
        assertThat(creator.tasks).hasSize(1);
        creator.runAll();
        assertThat(spare).exists().isEmptyFile();
        Object prepared = inode(spare);

        storeSome(s, 10);
        s.rollBlock();
        Path second = dir.resolve(Block.fileName(11) + ".blk");
        assertThat(second).exists();
        assertThat(inode(second)).as("the new block is the prepared file, renamed").isEqualTo(prepared);
        assertThat(creator.tasks).as("the next spare is requested at once").hasSize(1);
        assertThat(spare).doesNotExist();

        storeSome(s, 5);
        creator.runAll();
        assertThat(spare).exists();
        Object next = inode(spare);
        s.rollBlock();
        assertThat(inode(dir.resolve(Block.fileName(16) + ".blk"))).isEqualTo(next);
        storeSome(s, 3);
        s.close();
        assertThat(creator.tasks).hasSize(1);
        creator.runAll();
        assertThat(spare).as("a creation abandoned by close creates nothing when it runs late").doesNotExist();

        try (FileStreamStore r = openWith(dir, creator)) {
            creator.runAll();
            assertThat(r.state().msgs()).isEqualTo(18);
            assertThat(r.state().lastSeq()).isEqualTo(18);
            assertThat(r.hasDamage()).isFalse();
            for (long seq = 1; seq <= 18; seq++) {
                assertThat(r.load(seq).subject()).isEqualTo("orders.new");
            }
            assertThat(new String(r.load(11).data())).isEqualTo("payload-0");
            assertThat(new String(r.load(18).data())).isEqualTo("payload-2");
        }
    }

    @Test
    void aRollDoesNotWaitForASpareStillBeingCreated() throws IOException {
        Path dir = tmp.resolve("s");
        ManualExecutor creator = new ManualExecutor();
        FileStreamStore s = openWith(dir, creator);
        storeSome(s, 4);
        s.rollBlock();
        Path second = dir.resolve(Block.fileName(5) + ".blk");
        assertThat(second).exists();
        assertThat(dir.resolve(SpareBlockFile.NAME)).as("nothing ran the creation").doesNotExist();
        assertThat(creator.tasks).as("still one creation pending, not a second").hasSize(1);
        creator.runAll();
        Object prepared = inode(dir.resolve(SpareBlockFile.NAME));
        storeSome(s, 4);
        s.rollBlock();
        assertThat(inode(dir.resolve(Block.fileName(9) + ".blk"))).isEqualTo(prepared);
        creator.runAll();
        assertThat(dir.resolve(SpareBlockFile.NAME)).exists();
        s.close();
        assertThat(dir.resolve(SpareBlockFile.NAME)).as("close deletes a ready spare").doesNotExist();
        try (FileStreamStore r = FileStreamStore.open(config(dir))) {
            assertThat(r.state().msgs()).isEqualTo(8);
            assertThat(r.hasDamage()).isFalse();
        }
        assertThat(dir.resolve(SpareBlockFile.NAME)).doesNotExist();
    }

    @Test
    void aFailedCreationFallsBackToCreatingTheBlock() throws IOException {
        Path dir = tmp.resolve("s");
        ManualExecutor creator = new ManualExecutor();
        FileStreamStore s = openWith(dir, creator);
        // A directory where the spare should go: opening it as a file fails on the creator's thread.
        Files.createDirectory(dir.resolve(SpareBlockFile.NAME));
        creator.runAll();
        storeSome(s, 3);
        s.rollBlock();
        storeSome(s, 3);
        assertThat(dir.resolve(Block.fileName(4) + ".blk")).exists();
        Files.delete(dir.resolve(SpareBlockFile.NAME));
        s.close();
        try (FileStreamStore r = FileStreamStore.open(config(dir))) {
            assertThat(r.state().msgs()).isEqualTo(6);
            assertThat(r.load(6).data()).isEqualTo("payload-2".getBytes());
        }
    }

    @Test
    void aSpareLeftByACrashIsRemovedAndNeverReadAsABlock() throws IOException {
        Path dir = tmp.resolve("s");
        try (FileStreamStore s = FileStreamStore.open(config(dir).withWriteBehind(0))) {
            storeSome(s, 7);
        }
        // As a kill -9 leaves it; here even with bytes that look like records, which must not be read.
        Path stray = dir.resolve(SpareBlockFile.NAME);
        Files.copy(dir.resolve(Block.fileName(1) + ".blk"), stray);
        try (FileStreamStore r = FileStreamStore.open(config(dir).withWriteBehind(0))) {
            assertThat(stray).doesNotExist();
            assertThat(r.state().msgs()).isEqualTo(7);
            assertThat(r.hasDamage()).isFalse();
        }
    }

    @Test
    void aTakenNameIsNeverOverwritten() throws IOException {
        Path dir = tmp.resolve("d");
        Files.createDirectories(dir);
        SpareBlockFile spare = new SpareBlockFile(dir, Runnable::run);
        spare.prepare();
        Path target = dir.resolve("taken.blk");
        Files.write(target, new byte[] {1, 2, 3});
        assertThat(spare.claim(target)).isNull();
        assertThat(Files.readAllBytes(target)).containsExactly(1, 2, 3);
        assertThat(dir.resolve(SpareBlockFile.NAME)).doesNotExist();
        assertThat(spare.claim(dir.resolve("other.blk"))).as("claimed spares are not reused").isNull();
        spare.prepare();
        try (var ch = spare.claim(dir.resolve("other.blk"))) {
            assertThat(ch).isNotNull();
            assertThat(ch.size()).isZero();
        }
        assertThat(dir.resolve("other.blk")).exists();
        spare.discard();
    }
}
