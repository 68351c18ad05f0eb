package io.jscluster.codec.meta;

import io.jscluster.codec.EntryOp;

/**
 * A decoded meta entry: its op, the assignment, and whether the server must treat the asset as
 * unsupported (kept, never run).
 *
 * <p>An asset is unsupported when its config has members this version does not know (Go's
 * strict decode fails, the lenient one succeeds) or when its metadata {@code _nats.req.level}
 * is not an integer at most {@link ApiLevel#CURRENT}. The reason is the text nats-server
 * reports as the offline reason.
 *
 * @param op the entry op
 * @param assignment the assignment
 * @param unsupportedReason null when supported, else e.g.
 *     {@code unsupported - config error: unknown field "x"} or
 *     {@code unsupported - required API level: 9, current API level: 5}
 * @param <A> {@link StreamAssignment} or {@link ConsumerAssignment}
 */
public record DecodedAssignment<A>(EntryOp op, A assignment, String unsupportedReason) {

  /** Whether the asset must be kept but not run. */
  public boolean unsupported() {
    return unsupportedReason != null;
  }
}
