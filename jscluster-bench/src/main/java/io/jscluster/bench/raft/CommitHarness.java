package io.jscluster.bench.raft;

/** A 3-node group that can commit a window of proposals and wait for all of them. */
interface CommitHarness extends AutoCloseable {

  /**
   * Proposes {@code count} copies of {@code payload} through the leader and returns once the
   * leader saw every one committed.
   */
  void commitWindow(byte[] payload, int count) throws Exception;

  @Override
  void close() throws Exception;
}
