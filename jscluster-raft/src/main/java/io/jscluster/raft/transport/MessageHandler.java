package io.jscluster.raft.transport;

/** Receives messages of a subscription. */
@FunctionalInterface
public interface MessageHandler {

  /**
   * Called once per delivered message, on the transport's delivery thread; must not block.
   *
   * @param subject the subject it was published on
   * @param reply the reply subject, or null
   * @param payload the payload; the handler owns it and must not assume others do not read it
   */
  void onMessage(String subject, String reply, byte[] payload);
}
