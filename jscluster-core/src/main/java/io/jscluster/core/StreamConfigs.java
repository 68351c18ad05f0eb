package io.jscluster.core;

import io.jscluster.codec.meta.DiscardPolicy;
import io.jscluster.codec.meta.RetentionPolicy;
import io.jscluster.codec.meta.StorageType;
import io.jscluster.codec.meta.StreamConfig;
import java.util.List;

/**
 * Builds {@link StreamConfig} values with nats-server's defaults ({@code setStreamConfigDefaults}):
 * unlimited limits as -1, file storage, one replica, a two-minute duplicate window.
 */
public final class StreamConfigs {

  /** nats-server's default duplicate window (2 minutes) in nanoseconds. */
  public static final long DEFAULT_DUPLICATE_WINDOW = 120_000_000_000L;

  private String name;
  private List<String> subjects = List.of();
  private long maxMsgs = -1;
  private long maxBytes = -1;
  private long maxAge;
  private long maxMsgsPer = -1;
  private int maxMsgSize = -1;
  private DiscardPolicy discard = DiscardPolicy.OLD;
  private StorageType storage = StorageType.FILE;
  private long replicas = 1;
  private boolean noAck;
  private long duplicates = DEFAULT_DUPLICATE_WINDOW;
  private boolean discardNewPer;
  private boolean sealed;
  private boolean denyDelete;
  private boolean denyPurge;

  private StreamConfigs(String name) {
    this.name = name;
  }

  /** A builder for stream {@code name}. */
  public static StreamConfigs builder(String name) {
    return new StreamConfigs(name);
  }

  /** Sets the subjects. */
  public StreamConfigs subjects(String... s) {
    subjects = List.of(s);
    return this;
  }

  /** Sets the replica count. */
  public StreamConfigs replicas(int r) {
    replicas = r;
    return this;
  }

  /** Sets the storage type. */
  public StreamConfigs storage(StorageType t) {
    storage = t;
    return this;
  }

  /** Sets the message limit (-1: none). */
  public StreamConfigs maxMsgs(long n) {
    maxMsgs = n;
    return this;
  }

  /** Sets the byte limit (-1: none). */
  public StreamConfigs maxBytes(long n) {
    maxBytes = n;
    return this;
  }

  /** Sets the maximum age in nanoseconds (0: none). */
  public StreamConfigs maxAgeNanos(long n) {
    maxAge = n;
    return this;
  }

  /** Sets the per-subject message limit (-1: none). */
  public StreamConfigs maxMsgsPerSubject(long n) {
    maxMsgsPer = n;
    return this;
  }

  /** Sets the maximum message size (-1: none). */
  public StreamConfigs maxMsgSize(int n) {
    maxMsgSize = n;
    return this;
  }

  /** Sets the discard policy. */
  public StreamConfigs discard(DiscardPolicy d) {
    discard = d;
    return this;
  }

  /** Refuse per subject under discard-new. */
  public StreamConfigs discardNewPerSubject(boolean on) {
    discardNewPer = on;
    return this;
  }

  /** Sets the de-duplication window in nanoseconds. */
  public StreamConfigs duplicateWindowNanos(long n) {
    duplicates = n;
    return this;
  }

  /** Sets no-ack. */
  public StreamConfigs noAck(boolean on) {
    noAck = on;
    return this;
  }

  /** Seals the stream. */
  public StreamConfigs sealed(boolean on) {
    sealed = on;
    return this;
  }

  /** Denies message deletes. */
  public StreamConfigs denyDelete(boolean on) {
    denyDelete = on;
    return this;
  }

  /** Denies purges. */
  public StreamConfigs denyPurge(boolean on) {
    denyPurge = on;
    return this;
  }

  /** The configuration. */
  public StreamConfig build() {
    return new StreamConfig(name, "", subjects, RetentionPolicy.LIMITS, -1, maxMsgs, maxBytes, maxAge,
        maxMsgsPer, maxMsgSize, discard, storage, replicas, noAck, duplicates, null, null, null, null, 0,
        null, null, false, false, discardNewPer, sealed, denyDelete, denyPurge, false, null, false, 0, false,
        false, false, null, false, null, null);
  }
}
