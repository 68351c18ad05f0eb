package io.jscluster.bench.wal;

import io.jscluster.raft.log.FsyncPolicy;
import io.jscluster.raft.log.LogRecord;
import io.jscluster.raft.wal.FileRaftLog;
import io.jscluster.raft.wal.WalOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * Durable append throughput: one operation is one batch of {@code batch} records of {@code
 * recordBytes} each, made durable with exactly one fsync. The three methods do the same bytes
 * and fsync count:
 *
 * <ul>
 *   <li>{@code walAppendThenSync}: the file WAL under ON_SYNC, {@code batch} appends then {@code
 *       sync()} (group commit driven by the caller);
 *   <li>{@code walAppendAllAlways}: the file WAL under ALWAYS, one {@code appendAll} per batch;
 *   <li>{@code rawWriteForce}: a plain FileChannel, one write of the same 24 + recordBytes bytes
 *       per record, then {@code force(false)} — the floor the WAL is measured against.
 * </ul>
 *
 * <p>Records/s = ops/s x batch. Each iteration starts on a fresh directory so files do not grow
 * without bound.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class WalAppendBenchmark {

  /** Records appended per operation (one sync per batch). */
  @Param({"1", "64", "512"})
  public int batch;

  /** Payload bytes per record. */
  @Param({"1024"})
  public int recordBytes;

  private Path dir;
  private FileRaftLog onSync;
  private FileRaftLog always;
  private FileChannel raw;
  private long rawPosition;
  private byte[] payload;
  private ByteBuffer rawRecord;
  private final List<LogRecord> records = new ArrayList<>();

  /** Opens the logs and the plain file in a fresh temporary directory. */
  @Setup(Level.Iteration)
  public void open() throws IOException {
    dir = Files.createTempDirectory("jscluster-wal-bench");
    payload = new byte[recordBytes];
    new Random(1).nextBytes(payload);
    // Large segments: the figure is about appends, not about rolling.
    WalOptions base = WalOptions.defaults().withSegmentBytes(256 << 20);
    onSync = FileRaftLog.open(dir.resolve("onsync"), base.withFsyncPolicy(FsyncPolicy.ON_SYNC));
    always = FileRaftLog.open(dir.resolve("always"), base);
    raw = FileChannel.open(dir.resolve("raw.dat"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    rawPosition = 0;
    rawRecord = ByteBuffer.allocateDirect(24 + recordBytes);
    rawRecord.position(24).put(payload).flip();
  }

  /** Closes the logs and the file and deletes the directory. */
  @TearDown(Level.Iteration)
  public void close() throws IOException {
    onSync.close();
    always.close();
    raw.close();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** ON_SYNC: {@code batch} appends, one sync. */
  @Benchmark
  public long walAppendThenSync() {
    long next = onSync.lastIndex() + 1;
    for (int i = 0; i < batch; i++) {
      onSync.append(next + i, 1, payload);
    }
    onSync.sync();
    return onSync.lastIndex();
  }

  /** ALWAYS: one appendAll of {@code batch} records, durable on return with one fsync. */
  @Benchmark
  public long walAppendAllAlways() {
    long next = always.lastIndex() + 1;
    records.clear();
    for (int i = 0; i < batch; i++) {
      records.add(new LogRecord(next + i, 1, payload));
    }
    always.appendAll(records);
    return always.lastIndex();
  }

  /** The same bytes and fsyncs through a bare FileChannel: write per record, force per batch. */
  @Benchmark
  public long rawWriteForce() throws IOException {
    for (int i = 0; i < batch; i++) {
      rawRecord.rewind();
      while (rawRecord.hasRemaining()) {
        rawPosition += raw.write(rawRecord, rawPosition);
      }
    }
    raw.force(false);
    return rawPosition;
  }
}
