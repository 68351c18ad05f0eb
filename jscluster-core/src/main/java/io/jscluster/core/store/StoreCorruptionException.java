package io.jscluster.core.store;

import java.util.List;

/**
 * The operation needed sequences that lie in a damaged range (see {@link Damage}). The store stays usable for
 * every other sequence; the cluster layer repairs the listed ranges from a peer with {@link StreamStore#repair}.
 */
public final class StoreCorruptionException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final List<Damage> damage;

    /** Creates the exception for the damaged ranges involved. */
    public StoreCorruptionException(String message, List<Damage> damage) {
        super(message + ": " + damage);
        this.damage = List.copyOf(damage);
    }

    /** The damaged ranges the operation ran into (never empty). */
    public List<Damage> damage() {
        return damage;
    }
}
