package io.jscluster.raft.wal;

import io.jscluster.raft.log.FsyncPolicy;

/** The log contract on the file WAL with {@link FsyncPolicy} ALWAYS and small segments. */
class FileRaftLogAlwaysContractTest extends FileRaftLogContractBase {

  @Override
  WalOptions options() {
    return WalOptions.defaults().withSegmentBytes(4096).withWriteBufferBytes(1024);
  }
}
