package io.jscluster.core.info;

/** What must change for a migration to advance (Go {@code MigrationStatusType}). */
public enum MigrationStatusType {
  /** The meta leader must record or advance desired state. */
  META("meta"),
  /** A proposed membership change must commit. */
  MEMBERSHIP("membership"),
  /** A snapshot must be installed. */
  SNAPSHOT("snapshot"),
  /** Peers must become store-current. */
  CATCHUP("catchup"),
  /** More peers must come online before acting without losing quorum. */
  QUORUM("quorum"),
  /** Another asset must move first. */
  BLOCKED("blocked"),
  /** Nothing to do: shutting down, or the assignment is gone. */
  UNAVAILABLE("unavailable");

  private final String json;

  MigrationStatusType(String json) {
    this.json = json;
  }

  /** The JSON string value. */
  public String json() {
    return json;
  }
}
