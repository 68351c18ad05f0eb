package io.jscluster.bench.wal;

import io.jscluster.raft.log.FsyncPolicy;
import io.jscluster.raft.wal.FileRaftLog;
import io.jscluster.raft.wal.WalOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Sequential read-back: one invocation reads all {@value #RECORDS} records of 1 KiB (64 MiB of
 * payload in 16 MiB segments), reported per record. {@code walSequentialRead} goes through
 * {@link FileRaftLog#read(long)} (two positional reads and a CRC-32C check per record, one new
 * payload array each); {@code rawSequentialRead} reads the same file bytes through a bare
 * FileChannel into one reused buffer, as the floor. Both run from the page cache once warm.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class WalReadBenchmark {

  static final int RECORDS = 65_536;
  private static final int RECORD_BYTES = 1024;

  private Path dir;
  private FileRaftLog log;
  private FileChannel raw;
  private ByteBuffer rawBuffer;

  /** Writes the records once, to the WAL and to the plain file, and reopens both for reading. */
  @Setup(Level.Trial)
  public void write() throws IOException {
    dir = Files.createTempDirectory("jscluster-wal-read");
    byte[] payload = new byte[RECORD_BYTES];
    new Random(2).nextBytes(payload);
    WalOptions opts = WalOptions.defaults().withSegmentBytes(16 << 20)
        .withFsyncPolicy(FsyncPolicy.ON_SYNC);
    try (FileRaftLog w = FileRaftLog.open(dir.resolve("wal"), opts)) {
      for (int i = 1; i <= RECORDS; i++) {
        w.append(i, 1, payload);
      }
      w.sync();
    }
    log = FileRaftLog.open(dir.resolve("wal"), opts);
    ByteBuffer rec = ByteBuffer.allocate(24 + RECORD_BYTES);
    try (FileChannel out = FileChannel.open(dir.resolve("raw.dat"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE)) {
      long pos = 0;
      for (int i = 0; i < RECORDS; i++) {
        rec.clear();
        rec.position(24).put(payload).flip();
        while (rec.hasRemaining()) {
          pos += out.write(rec, pos);
        }
      }
      out.force(false);
    }
    raw = FileChannel.open(dir.resolve("raw.dat"), StandardOpenOption.READ);
    rawBuffer = ByteBuffer.allocateDirect(24 + RECORD_BYTES);
  }

  /** Closes both and deletes the directory. */
  @TearDown(Level.Trial)
  public void delete() throws IOException {
    log.close();
    raw.close();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Every record through the WAL's read path, checksum verified. */
  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public long walSequentialRead() {
    long sum = 0;
    for (long i = 1; i <= RECORDS; i++) {
      sum += log.read(i).data().length;
    }
    return sum;
  }

  /** The same number of bytes read record by record from a bare FileChannel. */
  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public long rawSequentialRead() throws IOException {
    long pos = 0;
    for (int i = 0; i < RECORDS; i++) {
      rawBuffer.clear();
      while (rawBuffer.hasRemaining()) {
        int n = raw.read(rawBuffer, pos);
        if (n < 0) {
          throw new IOException("short file");
        }
        pos += n;
      }
    }
    return pos;
  }
}
