package io.jscluster.raft.sim;

import io.jscluster.raft.transport.InMemoryNetwork;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The simulated network: an {@link InMemoryNetwork} whose deliveries are scheduled on a {@link
 * Simulation}, with faults drawn from the simulation's random generator: loss, delay (uniform in
 * [minDelay, maxDelay]), duplication, reordering, partitions (nodes in different partition groups
 * cannot talk) and one-way cuts.
 *
 * <p>Like NATS routes, each directed link is FIFO by default: a later message is never delivered
 * before an earlier one on the same link. Reordering is a fault of its own ({@link
 * #setReorderRate(double)}): an affected copy ignores the link order.
 */
public final class SimNetwork implements InMemoryNetwork.Dispatcher {

  private final Simulation sim;
  private final InMemoryNetwork network = new InMemoryNetwork();
  private final Map<String, Integer> partitionOf = new HashMap<>();
  private final Set<String> cuts = new HashSet<>();
  private int nextGroup = 1;
  private double dropRate;
  private double duplicateRate;
  private double reorderRate;
  private final Map<String, Long> linkClock = new HashMap<>();
  private long minDelay = 1;
  private long maxDelay = 5;
  private long sent;
  private long dropped;
  private long duplicated;
  private long reordered;

  /** A network on {@code sim} with 1-5 ms delays and no faults. */
  public SimNetwork(Simulation sim) {
    this.sim = sim;
    network.setDispatcher(this);
  }

  /** The routing layer (endpoints for nodes). */
  public InMemoryNetwork network() {
    return network;
  }

  /** Sets the probability that one copy of a message is lost. */
  public void setDropRate(double p) {
    dropRate = p;
  }

  /** Sets the probability that one copy of a message is delivered twice. */
  public void setDuplicateRate(double p) {
    duplicateRate = p;
  }

  /** Sets the probability that one copy of a message may overtake earlier ones on its link. */
  public void setReorderRate(double p) {
    reorderRate = p;
  }

  /** Sets the delay range in ms (inclusive). */
  public void setDelay(long min, long max) {
    if (min < 0 || max < min) {
      throw new IllegalArgumentException("bad delay range");
    }
    minDelay = min;
    maxDelay = max;
  }

  /** Splits the nodes into partitions: nodes in different groups cannot exchange messages. */
  public void partition(Set<String> group) {
    int g = nextGroup++;
    for (String n : group) {
      partitionOf.put(n, g);
    }
  }

  /** Isolates {@code node} from everyone. */
  public void isolate(String node) {
    partition(Set.of(node));
  }

  /** Stops messages from {@code from} reaching {@code to} (one direction only). */
  public void cut(String from, String to) {
    cuts.add(from + "->" + to);
  }

  /** Removes every partition and cut, and all loss, duplication and extra delay. */
  public void heal() {
    partitionOf.clear();
    cuts.clear();
    dropRate = 0;
    duplicateRate = 0;
    reorderRate = 0;
  }

  /** Whether a message from {@code from} can reach {@code to} right now. */
  public boolean connected(String from, String to) {
    if (cuts.contains(from + "->" + to)) {
      return false;
    }
    return partitionOf.getOrDefault(from, 0).equals(partitionOf.getOrDefault(to, 0));
  }

  /** Copies handed to the network, lost, duplicated and reordered so far. */
  public long[] counters() {
    return new long[] {sent, dropped, duplicated, reordered};
  }

  @Override
  public void dispatch(InMemoryNetwork.Envelope e) {
    sent++;
    if (!connected(e.from(), e.to()) || dropRate > 0 && sim.random().nextDouble() < dropRate) {
      dropped++;
      return;
    }
    scheduleDelivery(e);
    if (duplicateRate > 0 && sim.random().nextDouble() < duplicateRate) {
      duplicated++;
      scheduleDelivery(e);
    }
  }

  private void scheduleDelivery(InMemoryNetwork.Envelope e) {
    long delay = minDelay + (maxDelay > minDelay ? sim.random().nextInt((int) (maxDelay - minDelay + 1)) : 0);
    long at = sim.now() + delay;
    if (reorderRate > 0 && sim.random().nextDouble() < reorderRate) {
      reordered++;
    } else {
      String link = e.from() + "->" + e.to();
      at = Math.max(at, linkClock.getOrDefault(link, 0L));
      linkClock.put(link, at);
    }
    sim.schedule(at, () -> {
      // Partitions made while the message was in flight also stop it.
      if (connected(e.from(), e.to())) {
        sim.trace(e.to());
        sim.trace(e.subject());
        sim.trace(e.payload());
        network.deliver(e);
      }
    });
  }
}
