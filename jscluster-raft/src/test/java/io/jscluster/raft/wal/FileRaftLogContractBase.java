package io.jscluster.raft.wal;

import io.jscluster.raft.log.RaftLog;
import io.jscluster.raft.log.RaftLogContractTest;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file WAL against the log SPI's contract. Each subclass picks a fsync policy, with segments
 * and write buffers small enough that the contract's workloads roll segments and flush often.
 */
abstract class FileRaftLogContractBase extends RaftLogContractTest {

  @TempDir Path root;
  private int next;
  private final Map<RaftLog, Path> dirs = new HashMap<>();

  abstract WalOptions options();

  @Override
  protected RaftLog openNew() {
    Path dir = root.resolve("wal-" + next++);
    FileRaftLog log = FileRaftLog.open(dir, options());
    dirs.put(log, dir);
    return log;
  }

  @Override
  protected RaftLog reopen(RaftLog synced) {
    Path dir = dirs.get(synced);
    FileRaftLog log = FileRaftLog.open(dir, options());
    dirs.put(log, dir);
    return log;
  }
}
