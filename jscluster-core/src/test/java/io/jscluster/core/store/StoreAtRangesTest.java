package io.jscluster.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StreamStore#storeAt(long, long, String, byte[], int, int, int, int)} stores exactly what the array form
 * stores for the same bytes, in both stores and through the interface's copying default, and rejects ranges
 * outside the array.
 */
class StoreAtRangesTest {

  /** Only the methods the test calls; everything else is the memory store's. */
  private static StreamStore viaDefault(StreamStore d) {
    return (StreamStore) java.lang.reflect.Proxy.newProxyInstance(StreamStore.class.getClassLoader(),
        new Class<?>[] {StreamStore.class}, (proxy, m, args) -> {
          if (m.getName().equals("storeAt") && m.getParameterCount() == 8) {
            return java.lang.invoke.MethodHandles.privateLookupIn(StreamStore.class,
                    java.lang.invoke.MethodHandles.lookup())
                .unreflectSpecial(m, StreamStore.class).bindTo(proxy).invokeWithArguments(args);
          }
          try {
            return m.invoke(d, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Test
  void rangesStoreWhatTheArrayFormStores(@TempDir Path dir) throws Exception {
    long seed = 20261128L;
    System.out.println("StoreAtRangesTest seed " + seed);
    try (StreamStore memA = new MemoryStreamStore(StreamLimits.NONE, () -> 1);
        StreamStore memR = new MemoryStreamStore(StreamLimits.NONE, () -> 1);
        StreamStore fileA = FileStreamStore.open(FileStoreConfig.of(dir.resolve("a")));
        StreamStore fileR = FileStreamStore.open(FileStoreConfig.of(dir.resolve("r")));
        StreamStore dflA = new MemoryStreamStore(StreamLimits.NONE, () -> 1);
        StreamStore dflR0 = new MemoryStreamStore(StreamLimits.NONE, () -> 1)) {
      StreamStore dflR = viaDefault(dflR0);
      StreamStore[][] pairs = {{memA, memR}, {fileA, fileR}, {dflA, dflR}};
      for (StreamStore[] pair : pairs) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] sizes = {0, 1, 128, 1024, 70_000, 300_000};
        long seq = 0;
        for (int hdr : new int[] {0, 12, 300}) {
          for (int size : sizes) {
            byte[] h = new byte[hdr];
            byte[] d = new byte[size];
            r.nextBytes(h);
            r.nextBytes(d);
            // The received message: junk around the header and the payload.
            int lead = r.nextInt(40);
            int gap = r.nextInt(40);
            byte[] buf = new byte[lead + hdr + gap + size + r.nextInt(40)];
            r.nextBytes(buf);
            System.arraycopy(h, 0, buf, lead, hdr);
            System.arraycopy(d, 0, buf, lead + hdr + gap, size);
            seq++;
            String subject = "s." + (seq % 3);
            pair[0].storeAt(seq, seq * 10, subject, hdr == 0 ? null : h, size == 0 ? null : d);
            pair[1].storeAt(seq, seq * 10, subject, buf, lead, hdr, lead + hdr + gap, size);
          }
        }
        assertThat(pair[1].state()).isEqualTo(pair[0].state());
        for (long q = 1; q <= seq; q++) {
          StoredMessage a = pair[0].load(q);
          StoredMessage b = pair[1].load(q);
          assertThat(b.subject()).isEqualTo(a.subject());
          assertThat(b.tsNanos()).isEqualTo(a.tsNanos());
          assertThat(Arrays.equals(b.header(), a.header())).as("header of %d", q).isTrue();
          assertThat(Arrays.equals(b.data(), a.data())).as("data of %d", q).isTrue();
        }
      }
      // A file store reopened reads the range-stored records back (checksums cover the copied bytes).
      fileR.close();
      try (StreamStore again = FileStreamStore.open(FileStoreConfig.of(dir.resolve("r")))) {
        assertThat(again.state()).isEqualTo(fileA.state());
        assertThat(again.damage()).isEmpty();
        assertThat(again.load(4).data()).isEqualTo(fileA.load(4).data());
      }
    }
  }

  @Test
  void rejectsRangesOutsideTheArrayWithAStoreExceptionAndStoresNothing(@TempDir Path dir) {
    try (StreamStore mem = new MemoryStreamStore(StreamLimits.NONE, () -> 1);
        StreamStore file = FileStreamStore.open(FileStoreConfig.of(dir.resolve("f")))) {
      byte[] buf = new byte[10];
      for (StreamStore s : new StreamStore[] {mem, file}) {
        for (StreamStore store : new StreamStore[] {s, viaDefault(s)}) {
          assertThatThrownBy(() -> store.storeAt(1, 1, "a", buf, 0, 0, 5, 6))
              .isExactlyInstanceOf(StoreException.class)
              .hasMessageContaining("data range at offset 5 of length 6 outside an array of 10 bytes");
          assertThatThrownBy(() -> store.storeAt(1, 1, "a", buf, -1, 2, 0, 1))
              .isExactlyInstanceOf(StoreException.class).hasMessageContaining("header range at offset -1");
          assertThatThrownBy(() -> store.storeAt(1, 1, "a", buf, 0, 0, 1, -1))
              .isExactlyInstanceOf(StoreException.class).hasMessageContaining("of length -1");
          assertThatThrownBy(() -> store.storeAt(1, 1, "a", buf, Integer.MAX_VALUE, 1, 0, 1))
              .isExactlyInstanceOf(StoreException.class).hasMessageContaining("header range");
          assertThatThrownBy(() -> store.storeAt(1, 1, "a", buf, 0, 0, 9, Integer.MAX_VALUE))
              .isExactlyInstanceOf(StoreException.class).hasMessageContaining("data range");
          assertThatThrownBy(() -> store.storeAt(1, 1, "a", null, 0, 0, 0, 1))
              .isExactlyInstanceOf(StoreException.class).hasMessageContaining("outside an array of 0 bytes");
          assertThat(s.state().msgs()).isZero();
          assertThat(s.state().lastSeq()).isZero();
        }
        // Both ranges empty: a null array is a message with neither header nor payload.
        s.storeAt(1, 1, "a", null, 0, 0, 0, 0);
        assertThat(s.load(1).data()).isNullOrEmpty();
        s.storeAt(2, 2, "a", buf, 0, 0, 0, 10);
        assertThatThrownBy(() -> s.storeAt(4, 1, "a", buf, 0, 0, 0, 10))
            .isInstanceOf(SequenceMismatchException.class);
        // The same checks with the subject's bookkeeping cached (the apply path's fast path falls back).
        assertThatThrownBy(() -> s.storeAt(3, 3, "a", buf, 0, 0, 5, 6))
            .isExactlyInstanceOf(StoreException.class).hasMessageContaining("data range at offset 5");
        assertThatThrownBy(() -> s.storeAt(3, 3, "a", buf, -1, 2, 0, 1))
            .isExactlyInstanceOf(StoreException.class).hasMessageContaining("header range at offset -1");
        assertThatThrownBy(() -> s.storeAt(3, 3, "a", buf, 0, 0, 9, Integer.MAX_VALUE))
            .isExactlyInstanceOf(StoreException.class).hasMessageContaining("data range");
        assertThatThrownBy(() -> s.storeAt(3, 3, "a", null, 0, 0, 0, 1))
            .isExactlyInstanceOf(StoreException.class).hasMessageContaining("outside an array of 0 bytes");
        assertThat(s.state().msgs()).isEqualTo(2);
      }
    }
  }
}
