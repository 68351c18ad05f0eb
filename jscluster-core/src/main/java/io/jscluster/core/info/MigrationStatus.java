package io.jscluster.core.info;

import io.jscluster.core.store.StoreClosedException;
import java.util.Objects;
import java.util.Set;

/**
 * What a group leader is doing to move its group toward the desired state (Go
 * {@code DesiredClusterInfoStatus}). JSON: {@code description}, {@code type}, {@code err}
 * (omitempty).
 *
 * @param description short, stable status line
 * @param type its classification
 * @param err the persistent fault behind it, or ""
 */
public record MigrationStatus(String description, MigrationStatusType type, String err) {

  /**
   * Texts of nats-server errors that resolve themselves on the next cycle (store closed, not
   * leader, node closed, membership change in progress, no snapshot available). Reporting them
   * would only make the status flap.
   */
  public static final Set<String> TRANSIENT_ERRORS =
      Set.of(
          "store is closed",
          "raft: not leader",
          "raft: node is closed",
          "raft: membership change in progress",
          "raft: no snapshot available");

  /** Normalises a null error to "". */
  public MigrationStatus {
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(type, "type");
    err = Objects.requireNonNullElse(err, "");
  }

  /** A status without an error (Go {@code mstat}). */
  public static MigrationStatus of(MigrationStatusType type, String description) {
    return new MigrationStatus(description, type, "");
  }

  /**
   * This status with {@code error} attached, unless it is null or transient: a
   * {@link StoreClosedException} or an error whose message is one of {@link #TRANSIENT_ERRORS}
   * (Go {@code withErr}).
   */
  public MigrationStatus withErr(Throwable error) {
    if (error == null
        || error instanceof StoreClosedException
        || TRANSIENT_ERRORS.contains(error.getMessage())) {
      return this;
    }
    return new MigrationStatus(description, type, String.valueOf(error.getMessage()));
  }
}
