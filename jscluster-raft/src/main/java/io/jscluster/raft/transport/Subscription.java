package io.jscluster.raft.transport;

/** An active interest in one subject. */
public interface Subscription {

  /** The subject subscribed to. */
  String subject();

  /** Stops delivery. Messages already handed to the handler are not recalled. Idempotent. */
  void unsubscribe();
}
