package io.jscluster.bench.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * The machine's ceiling for durable sequential appends, with no jscluster code in the loop: each
 * benchmark thread owns one file and repeatedly writes one batch of {@code batch} records of
 * {@code recordBytes} (one positional write of the whole batch, the most favourable pattern) and
 * then forces it with {@code force(false)}.
 *
 * <p>Run with {@code -t 1} for one replica's ceiling and {@code -t 3} for three replicas sharing
 * one disk, which is what an in-process R3 cluster (every replica fsyncing its own log before an
 * acknowledgement) can at most write. The counters {@code records} (records/s) and {@code
 * megabytes} (10^6 bytes/s) are summed over the threads. A publish or catch-up target above these
 * figures cannot be met on the machine, whatever the code does.
 *
 * <p>{@code mode=append} (the default) extends the file with every write, as a WAL writing a fresh
 * segment does; the file is truncated back to zero after 256 MiB so an iteration never fills the
 * disk. {@code mode=overwrite} first writes and forces the whole 64 MiB file once (untimed, per
 * iteration), then writes over it from the start again and again, as a WAL writing into a recycled
 * segment does: on ext4 such a write allocates nothing and changes no size, so its {@code
 * fdatasync} needs no journal commit. {@code mode=mixed}: every other thread overwrites, the
 * others append (an R3 cluster whose WALs recycle segments while its stores append). Comparing
 * them shows what preallocated or recycled log segments can gain on the machine.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DiskCeilingBenchmark {

  private static final long WRAP_BYTES = 256L << 20;
  private static final long OVERWRITE_BYTES = 64L << 20;

  /** Records written (and then forced) per operation. */
  @Param({"64", "512", "4096", "16384"})
  public int batch;

  /** Bytes per record. */
  @Param({"1024"})
  public int recordBytes;

  /**
   * {@code append}: every write extends the file; {@code overwrite}: writes over a written file;
   * {@code mixed}: half the threads each.
   */
  @Param({"append"})
  public String mode;

  private static final AtomicInteger THREADS = new AtomicInteger();
  private boolean overwrite;

  private Path dir;
  private FileChannel channel;
  private ByteBuffer buffer;
  private long position;

  /** Throughput counters, summed over threads by JMH. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Written {
    /** Records made durable. */
    public long records;
    /** Megabytes (10^6 bytes) made durable. */
    public double megabytes;

    /** Zeroes the counters before each iteration. */
    @Setup(Level.Iteration)
    public void reset() {
      records = 0;
      megabytes = 0;
    }
  }

  /** Opens this thread's file in a fresh temporary directory. */
  @Setup(Level.Iteration)
  public void open() throws IOException {
    dir = Files.createTempDirectory("jscluster-disk-ceiling");
    channel = FileChannel.open(dir.resolve("append.dat"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    byte[] bytes = new byte[batch * recordBytes];
    new Random(1).nextBytes(bytes);
    buffer = ByteBuffer.allocateDirect(bytes.length);
    buffer.put(bytes).flip();
    position = 0;
    overwrite = switch (mode) {
      case "append" -> false;
      case "overwrite" -> true;
      case "mixed" -> (THREADS.getAndIncrement() & 1) == 1;
      default -> throw new IllegalArgumentException("mode must be append, overwrite or mixed: "
          + mode);
    };
    if (overwrite) {
      long filled = 0;
      while (filled < OVERWRITE_BYTES) {
        buffer.rewind();
        while (buffer.hasRemaining()) {
          filled += channel.write(buffer, filled);
        }
      }
      channel.force(true);
    }
  }

  /** Closes and deletes this thread's file. */
  @TearDown(Level.Iteration)
  public void close() throws IOException {
    channel.close();
    Files.deleteIfExists(dir.resolve("append.dat"));
    Files.deleteIfExists(dir);
  }

  /** One batch written with one positional write, then forced. */
  @Benchmark
  public long writeBatchThenForce(Written written) throws IOException {
    if (overwrite) {
      if (position + buffer.capacity() > OVERWRITE_BYTES) {
        position = 0;
      }
    } else if (position >= WRAP_BYTES) {
      channel.truncate(0);
      position = 0;
    }
    buffer.rewind();
    while (buffer.hasRemaining()) {
      position += channel.write(buffer, position);
    }
    channel.force(false);
    written.records += batch;
    written.megabytes += (double) batch * recordBytes / 1e6;
    return position;
  }
}
