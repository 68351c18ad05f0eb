package io.jscluster.raft.wal;

import io.jscluster.raft.log.FsyncPolicy;

/** The log contract on the file WAL with {@link FsyncPolicy} NEVER and small segments. */
class FileRaftLogNeverContractTest extends FileRaftLogContractBase {

  @Override
  WalOptions options() {
    return WalOptions.defaults().withFsyncPolicy(FsyncPolicy.NEVER).withSegmentBytes(8192);
  }
}
