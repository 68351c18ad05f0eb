package io.jscluster.core.store;

import java.util.Objects;

/**
 * How far a sourced or mirrored stream has consumed one of its sources (nats-server's StreamSourceState).
 *
 * @param seq   last source sequence applied; 0 means "nothing yet" and is not carried in snapshots
 * @param ident identity of the source stream instance
 */
public record SourceState(long seq, String ident) {
    /** Normalises a null identity to "". */
    public SourceState {
        ident = Objects.requireNonNullElse(ident, "");
    }
}
