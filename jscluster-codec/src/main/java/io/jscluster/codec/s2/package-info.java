/**
 * S2 compression as used by nats-server: the S2 block format (a superset of the Snappy block
 * format, adding repeat-offset copies) and the S2 framed stream format (Snappy framing with the
 * {@code S2sTwO} identifier and blocks of up to 4 MiB).
 *
 * <p>Decoders accept every encoding the klauspost/compress S2 library emits and fail with
 * {@link io.jscluster.codec.CodecException} on anything malformed; they never allocate more than
 * the caller's stated maximum. Encoders emit plain Snappy-style elements, which any S2 or Snappy
 * block reader accepts.
 */
package io.jscluster.codec.s2;
