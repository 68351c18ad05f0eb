package io.jscluster.core.store;

/** What a stream does when a message would exceed its message or byte limit. */
public enum DiscardPolicy {
    /** Store the new message, then remove the oldest messages until within limits. */
    OLD,
    /** Refuse the new message with {@link LimitExceededException} (leader path only). */
    NEW
}
