package io.jscluster.core.info;

/** Read access to the server's table of known nodes (nats-server's {@code nodeToInfo}). */
public interface NodeDirectory {

  /** What is known of node {@code id}, or null when the node is unknown. Thread-safe. */
  NodeInfo lookup(String id);

  /**
   * One known node.
   *
   * @param name server name
   * @param cluster cluster name
   * @param domain JetStream domain, or ""
   * @param offline not seen recently (shut down, or its route lost)
   * @param jetStream JetStream enabled
   * @param binarySnapshots understands binary stream snapshots
   * @param statsKnown current statistics have been received from it
   */
  record NodeInfo(
      String name,
      String cluster,
      String domain,
      boolean offline,
      boolean jetStream,
      boolean binarySnapshots,
      boolean statsKnown) {

    /** This node marked offline or online. */
    public NodeInfo withOffline(boolean off) {
      return new NodeInfo(name, cluster, domain, off, jetStream, binarySnapshots, statsKnown);
    }
  }
}
