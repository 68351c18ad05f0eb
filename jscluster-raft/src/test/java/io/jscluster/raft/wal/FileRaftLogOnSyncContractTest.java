package io.jscluster.raft.wal;

import io.jscluster.raft.log.FsyncPolicy;

/** The log contract on the file WAL with {@link FsyncPolicy} ON_SYNC and small segments. */
class FileRaftLogOnSyncContractTest extends FileRaftLogContractBase {

  @Override
  WalOptions options() {
    return WalOptions.defaults().withFsyncPolicy(FsyncPolicy.ON_SYNC).withSegmentBytes(4096)
        .withWriteBufferBytes(2048);
  }
}
