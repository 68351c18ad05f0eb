package io.jscluster.core.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.msg.StreamMsg;
import io.jscluster.codec.msg.StreamMsgCodec;
import io.jscluster.core.store.FileStoreConfig;
import io.jscluster.core.store.FileStreamStore;
import io.jscluster.core.store.MemoryStreamStore;
import io.jscluster.core.store.MessageView;
import io.jscluster.core.store.StoredMessage;
import io.jscluster.core.store.StreamLimits;
import io.jscluster.core.store.StreamStore;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CatchupEncoder} writes exactly what the codec writes for the same catch-up message. */
class CatchupEncoderTest {

  private static byte[] viaCodec(StoredMessage sm) {
    return StreamMsgCodec.encode(
        new StreamMsg(sm.subject(), "", sm.header(), sm.data(), sm.seq(), sm.tsNanos(), false));
  }

  private static StoredMessage msg(long seq, String subject, int hdr, int data, SplittableRandom r) {
    byte[] h = new byte[hdr];
    byte[] d = new byte[data];
    r.nextBytes(h);
    r.nextBytes(d);
    return new StoredMessage(seq, r.nextLong(), subject, h, d);
  }

  @Test
  void matchesTheCodecAcrossSizesSubjectsAndTheCompressionThreshold() {
    long seed = 20261128L;
    System.out.println("CatchupEncoderTest seed " + seed);
    SplittableRandom r = new SplittableRandom(seed);
    CatchupEncoder enc = new CatchupEncoder();
    String[] subjects = {"a", "orders.eu.1", "größe.ü", "x".repeat(300), "orders.eu.1"};
    int[] sizes = {0, 1, 127, 128, 1024, 8000, 8192, 8193, 20000, 70000};
    long seq = 1;
    for (String s : subjects) {
      for (int hdr : new int[] {0, 30, 500}) {
        for (int size : sizes) {
          StoredMessage sm = msg(seq++, s, hdr, size, r);
          assertThat(enc.encode(sm)).as("%s hdr %d data %d", s, hdr, size).isEqualTo(viaCodec(sm));
        }
      }
    }
    // Long header above the u16 range: the codec clips it; the encoder defers to the codec.
    StoredMessage big = msg(seq, "h", 70000, 10, r);
    assertThat(enc.encode(big)).isEqualTo(viaCodec(big));
    // Compressible payload above the threshold comes out as op 14, like the codec's.
    StoredMessage zeros = new StoredMessage(seq + 1, 5, "z", new byte[0], new byte[50000]);
    byte[] z = enc.encode(zeros);
    assertThat(z).isEqualTo(viaCodec(zeros));
    assertThat(z[0]).isEqualTo((byte) 14);
  }

  @Test
  void encodesFromAStoreViewExactlyAsFromTheCopiedMessage(@TempDir Path dir) throws Exception {
    long seed = 20261129L;
    System.out.println("CatchupEncoderTest view seed " + seed);
    try (StreamStore mem = new MemoryStreamStore(StreamLimits.NONE, () -> 7);
        StreamStore file = FileStreamStore.open(FileStoreConfig.of(dir.resolve("f")))) {
      for (StreamStore store : new StreamStore[] {mem, file}) {
        SplittableRandom r = new SplittableRandom(seed);
        String[] subjects = {"a", "orders.eu.1", "größe.ü", "orders.eu.1", "x".repeat(300)};
        int[] sizes = {0, 1, 128, 1024, 8192, 8193, 20000};
        long seq = 0;
        for (String s : subjects) {
          for (int hdr : new int[] {0, 30}) {
            for (int size : sizes) {
              StoredMessage sm = msg(++seq, s, hdr, size, r);
              store.storeAt(sm.seq(), sm.tsNanos(), s, sm.header(), sm.data());
            }
          }
        }
        // Compressible and above the threshold: op 14 through the codec.
        store.storeAt(++seq, 9, "z", new byte[0], new byte[50000]);
        CatchupEncoder enc = new CatchupEncoder();
        MessageView v = new MessageView();
        for (long q = 1; q <= seq; q++) {
          StoredMessage copy = store.load(q);
          assertThat(store.loadInto(q, v)).isTrue();
          assertThat(enc.encode(v)).as("%s seq %d", store.getClass().getSimpleName(), q)
              .isEqualTo(viaCodec(copy));
        }
        assertThat(store.loadNextInto(">", seq, v)).isTrue();
        assertThat(enc.encode(v)[0]).isEqualTo((byte) 14);
      }
    }
  }
}
