package io.jscluster.raft.wal;

import io.jscluster.raft.log.FsyncPolicy;

/** The log contract on the file WAL with spare segments on (ON_SYNC, small segments). */
class FileRaftLogSparesContractTest extends FileRaftLogContractBase {

  @Override
  WalOptions options() {
    return WalOptions.defaults().withFsyncPolicy(FsyncPolicy.ON_SYNC).withSegmentBytes(4096)
        .withWriteBufferBytes(2048).withSpareSegments(2);
  }
}
