/**
 * Replicated stream messages: the plain (op 4) and S2-compressed (op 14) stream message entries
 * and the atomic-batch framing (ops 16 and 17), byte-exact with nats-server.
 *
 * <p>Buffer ownership: encoders that write into a caller's {@link io.netty.buffer.ByteBuf} only
 * advance its writer index; they never retain or release it. Decoders never retain a
 * {@code ByteBuf} either: they read its readable bytes without moving the reader index, and a
 * decoded view that shares memory shares only the buffer's backing array.
 */
package io.jscluster.codec.msg;
