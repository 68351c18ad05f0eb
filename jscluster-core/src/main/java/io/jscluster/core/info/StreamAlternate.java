package io.jscluster.core.info;

import java.util.Objects;

/**
 * A stream or one of its mirrors that a client could read from instead (Go
 * {@code StreamAlternate}). JSON: {@code name}, {@code domain} (omitempty), {@code cluster}.
 *
 * @param name stream name
 * @param domain JetStream domain, or ""
 * @param cluster cluster that hosts it
 */
public record StreamAlternate(String name, String domain, String cluster) {

  /** Normalises null strings to "". */
  public StreamAlternate {
    name = Objects.requireNonNullElse(name, "");
    domain = Objects.requireNonNullElse(domain, "");
    cluster = Objects.requireNonNullElse(cluster, "");
  }
}
