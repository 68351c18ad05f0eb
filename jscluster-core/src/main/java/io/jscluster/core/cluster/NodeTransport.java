package io.jscluster.core.cluster;

import io.jscluster.raft.transport.MessageHandler;
import io.jscluster.raft.transport.Subscription;
import io.jscluster.raft.transport.Transport;

/**
 * One node incarnation's view of the simulated network: nothing is sent or delivered once the
 * incarnation is halted, and deliveries pass through the node's (possibly slowed) scheduler.
 */
final class NodeTransport implements Transport {

  private final Transport endpoint;
  private final SimulationScheduler scheduler;

  NodeTransport(Transport endpoint, SimulationScheduler scheduler) {
    this.endpoint = endpoint;
    this.scheduler = scheduler;
  }

  @Override
  public void send(String subject, String reply, byte[] payload) {
    if (!scheduler.halted()) {
      endpoint.send(subject, reply, payload);
    }
  }

  @Override
  public Subscription subscribe(String subject, MessageHandler handler) {
    return endpoint.subscribe(subject, (s, r, p) -> {
      if (!scheduler.halted()) {
        scheduler.deliver(() -> handler.onMessage(s, r, p));
      }
    });
  }
}
