package io.jscluster.bench.codec;

import io.jscluster.codec.state.DeleteBlock;
import io.jscluster.codec.state.DeleteRange;
import io.jscluster.codec.state.SequenceSet;
import io.jscluster.codec.state.StreamReplicatedState;
import io.jscluster.codec.state.StreamStateCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Encode and decode of a binary stream snapshot with 10,000 delete blocks, shaped like a file
 * store's: 5,000 run-length gaps between message blocks and 5,000 per-block AVL sets with a few
 * interior deletes each. Throughput in ops/s; the {@code bytes} counter row gives snapshot
 * bytes/s. The encoded size is printed at setup.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StreamStateCodecBenchmark {

  private StreamReplicatedState state;
  private long numDeleted;
  private byte[] encoded;

  /** Builds the state and its encoding. */
  @Setup(Level.Trial)
  public void setUp() {
    List<DeleteBlock> blocks = new ArrayList<>();
    long seq = 1;
    long deleted = 0;
    for (int i = 0; i < 5_000; i++) {
      // A message block of 1,000 sequences with 4 interior deletes, then a gap of 10.
      SequenceSet interior = new SequenceSet();
      for (int d = 0; d < 4; d++) {
        interior.insert(seq + 100 + d * 200L);
      }
      blocks.add(interior);
      seq += 1_000;
      blocks.add(new DeleteRange(seq, 10));
      seq += 10;
      deleted += 14;
    }
    long last = seq - 1;
    long msgs = last - deleted;
    state = new StreamReplicatedState(msgs, msgs * 100, 1, last, 0, blocks, Map.of());
    numDeleted = StreamStateCodec.fileStoreNumDeleted(1, last, msgs);
    encoded = StreamStateCodec.encode(state, numDeleted, false);
    System.out.println(
        "stream state: " + blocks.size() + " delete blocks, " + encoded.length + " bytes encoded");
  }

  /** Encodes the snapshot into a fresh exact-size array. */
  @Benchmark
  public byte[] encode(ByteCounter counter) {
    counter.bytes += encoded.length;
    return StreamStateCodec.encode(state, numDeleted, false);
  }

  /** Decodes the snapshot, rebuilding every AVL set. */
  @Benchmark
  public StreamReplicatedState decode(ByteCounter counter) {
    counter.bytes += encoded.length;
    return StreamStateCodec.decode(encoded);
  }
}
