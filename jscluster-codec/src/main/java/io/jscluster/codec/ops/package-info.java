/**
 * JSON stream-group entries and catch-up messages: purge (op 5,
 * {@link io.jscluster.codec.ops.StreamPurgeCodec}), message delete (op 6,
 * {@link io.jscluster.codec.ops.MsgDeleteCodec}), delete range (op 15,
 * {@link io.jscluster.codec.ops.DeleteRangeCodec}) and the follower's catch-up sync request
 * ({@link io.jscluster.codec.ops.StreamSyncRequestCodec}).
 */
package io.jscluster.codec.ops;
