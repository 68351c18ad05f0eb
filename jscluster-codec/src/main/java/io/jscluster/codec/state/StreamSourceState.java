package io.jscluster.codec.state;

import java.util.Objects;

/**
 * How far a stream has consumed one of its sources: the last source sequence seen and the
 * identity of the source stream at that point.
 *
 * @param seq last source sequence processed (unsigned)
 * @param ident identity string of the source, possibly empty
 */
public record StreamSourceState(long seq, String ident) {

  /** Creates a source state; {@code ident} must not be null. */
  public StreamSourceState {
    Objects.requireNonNull(ident, "ident");
  }
}
