package io.jscluster.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.core.store.StreamLimits;
import io.jscluster.core.store.StreamStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileNodeStorage#withStoreWriteBehind(int)}: off unless chosen, kept by the background-force
 * forms, range-checked; and a store it opens writes behind yet holds every message after a sync, a
 * close and a reopen.
 */
class FileNodeStorageWriteBehindTest {

  @TempDir
  Path dir;

  private static byte[] payload(int i) {
    byte[] p = new byte[128];
    byte[] id = Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(id, 0, p, 0, id.length);
    return p;
  }

  @Test
  void writeBehindIsOffUntilChosenAndKeptByTheBackgroundForms() {
    assertThat(new FileNodeStorage(dir).storeWriteBehind()).isZero();
    assertThat(new FileNodeStorage(dir).withBackgroundWalSync().storeWriteBehind()).isZero();
    assertThat(new FileNodeStorage(dir).withStoreWriteBehind(4).withBackgroundWalSync().storeWriteBehind())
        .isEqualTo(4);
    Executor inline = Runnable::run;
    assertThat(new FileNodeStorage(dir).withStoreWriteBehind(3).withBackgroundWalSync(inline).storeWriteBehind())
        .isEqualTo(3);
    assertThat(new FileNodeStorage(dir).withStoreWriteBehind(4).withStoreWriteBehind(0).storeWriteBehind()).isZero();
    assertThatThrownBy(() -> new FileNodeStorage(dir).withStoreWriteBehind(1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("write-behind");
    assertThatThrownBy(() -> new FileNodeStorage(dir).withStoreWriteBehind(17))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void storesWrittenBehindKeepEveryMessageAcrossReopen() {
    FileNodeStorage st = new FileNodeStorage(dir).withBackgroundWalSync().withStoreWriteBehind(4);
    for (boolean replicated : new boolean[] {false, true}) {
      String name = replicated ? "REPL" : "LOCAL";
      // Replicated: INTERVAL, ~3.5 MB through many 256 KiB buffers handed to the writers. Local:
      // ALWAYS, a force per store, so fewer.
      int n = replicated ? 20_000 : 2_000;
      StreamStore s = st.streamStore(name, StorageType.FILE, StreamLimits.NONE, () -> 1L, replicated);
      for (int i = 1; i <= n; i++) {
        assertThat(s.store("orders." + (i % 7), null, payload(i))).isEqualTo(i);
        if (i % 1_000 == 0) {
          // A read right behind the writer sees what is still in flight.
          assertThat(s.load(i).data()).isEqualTo(payload(i));
        }
      }
      s.sync();
      s.close();
      StreamStore again = new FileNodeStorage(dir).streamStore(name, StorageType.FILE, StreamLimits.NONE, () -> 1L,
          replicated);
      assertThat(again.state().msgs()).isEqualTo(n);
      assertThat(again.state().lastSeq()).isEqualTo(n);
      assertThat(again.damage()).isEmpty();
      for (int i = 1; i <= n; i += 997) {
        assertThat(again.load(i).subject()).isEqualTo("orders." + (i % 7));
        assertThat(again.load(i).data()).isEqualTo(payload(i));
      }
      again.close();
    }
  }
}
