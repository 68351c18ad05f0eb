package io.jscluster.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.jscluster.codec.meta.StorageType;
import io.jscluster.core.FileNodeStorage;
import io.jscluster.core.NodeStorage;
import io.jscluster.core.store.StreamLimits;
import io.jscluster.core.store.StreamStore;
import io.jscluster.raft.log.FsyncPolicy;
import io.jscluster.raft.sim.SimDisk;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link SimDiskStorage} is its {@link FileNodeStorage} on a simulated disk, in every respect. */
class SimDiskStorageTest {

  static final byte[] DATA = {1, 2, 3};

  @Test
  @DisplayName("every NodeStorage method, default ones included, is forwarded to the file storage")
  void forwardsEveryMethod() throws NoSuchMethodException {
    List<String> missing = new ArrayList<>();
    for (Method m : NodeStorage.class.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      Method impl = SimDiskStorage.class.getMethod(m.getName(), m.getParameterTypes());
      if (impl.getDeclaringClass() != SimDiskStorage.class) {
        missing.add(m.toString());
      }
    }
    assertThat(missing).as("NodeStorage methods SimDiskStorage inherits instead of forwarding").isEmpty();
  }

  @Test
  @DisplayName("with background forces, a replicated file stream's store is forced by the storage's forcer, not per write")
  void backgroundStoreForcesReachTheStreams() {
    SimDisk disk = new SimDisk("n1");
    List<Runnable> io = new ArrayList<>();
    Executor forcer = io::add;
    FileNodeStorage files = new FileNodeStorage(disk.root(), FsyncPolicy.ON_SYNC,
        FileNodeStorage.DEFAULT_STORE_POLICY, Long.MAX_VALUE).withBackgroundWalSync(forcer);
    SimDiskStorage st = new SimDiskStorage(disk, files);
    assertThat(files.storeForcer()).isNotNull();
    assertThat(st.storeForcer()).isSameAs(files.storeForcer());

    StreamStore plain = st.streamStore("P", StorageType.FILE, StreamLimits.NONE, () -> 1L, false);
    StreamStore replicated = st.streamStore("R", StorageType.FILE, StreamLimits.NONE, () -> 1L, true);
    try {
      long f0 = disk.forces();
      plain.store("foo", null, DATA);
      long f1 = disk.forces();
      assertThat(f1).as("an unreplicated store forces each write itself").isGreaterThan(f0);
      replicated.store("foo", null, DATA);
      assertThat(disk.forces()).as("a replicated store leaves the force to the forcer").isEqualTo(f1);
    } finally {
      st.release(plain);
      st.release(replicated);
    }
  }
}
