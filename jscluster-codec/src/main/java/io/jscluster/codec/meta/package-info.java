/**
 * The meta layer's replicated entries: stream assignments (ops 0, 2, 11,
 * {@link io.jscluster.codec.meta.StreamAssignmentCodec}), consumer assignments (ops 1, 3 and the
 * S2-compressed op 9, {@link io.jscluster.codec.meta.ConsumerAssignmentCodec}) and the stream and
 * consumer configs they embed ({@link io.jscluster.codec.meta.ConfigCodec}). Records mirror the
 * Go structs field by field; config members this version does not know are kept and re-emitted,
 * and mark the asset unsupported as nats-server does.
 */
package io.jscluster.codec.meta;
