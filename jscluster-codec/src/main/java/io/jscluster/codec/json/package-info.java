/**
 * Go {@code encoding/json} compatibility: {@link io.jscluster.codec.json.GoJsonWriter} writes
 * what Go writes, byte for byte; {@link io.jscluster.codec.json.GoJsonReader} reads with Go's
 * rules (case-insensitive keys, unknown members ignored, null semantics, uint64 range) and fails
 * only with {@link io.jscluster.codec.CodecException}; {@link io.jscluster.codec.json.GoTime} is
 * Go's RFC 3339 time form; {@link io.jscluster.codec.json.JsonEntry} is the "op byte + JSON +
 * newline" framing shared by the JSON entry codecs.
 */
package io.jscluster.codec.json;
