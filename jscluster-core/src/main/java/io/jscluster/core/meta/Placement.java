package io.jscluster.core.meta;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Chooses the peers of a new Raft group, as a simplified nats-server {@code selectPeerGroup}: the
 * online candidates are shuffled (so equal peers share load), then ordered by how many groups
 * each already hosts (fewest first, stable), and the first {@code replicas} taken. Storage
 * capacity and tags are not considered.
 */
public final class Placement {

  private Placement() {}

  /**
   * Picks {@code replicas} distinct peers from {@code online}.
   *
   * @param online node ids that can take a replica now
   * @param load node id to number of groups it hosts (absent: 0)
   * @param random the meta leader's random source
   * @return the chosen peers, or null when there are fewer candidates than replicas
   */
  public static List<String> select(List<String> online, int replicas, Map<String, Integer> load,
      RandomGenerator random) {
    if (replicas < 1 || online.size() < replicas) {
      return null;
    }
    List<String> c = new ArrayList<>(online);
    Collections.sort(c);
    for (int i = c.size() - 1; i > 0; i--) {
      Collections.swap(c, i, random.nextInt(i + 1));
    }
    c.sort(Comparator.comparingInt(p -> load.getOrDefault(p, 0)));
    return List.copyOf(c.subList(0, replicas));
  }
}
