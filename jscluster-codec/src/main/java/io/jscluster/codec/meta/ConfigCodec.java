package io.jscluster.codec.meta;

import io.jscluster.codec.CodecException;
import io.jscluster.codec.json.GoJsonReader;
import io.jscluster.codec.json.JsonEntry;
import io.netty.buffer.ByteBuf;

/**
 * Stream and consumer configs on their own, as Go's {@code json.Marshal} and
 * {@code json.Unmarshal} handle them (API requests and responses, stored metadata): the same
 * member rules as inside assignments, without op byte or newline.
 */
public final class ConfigCodec {

  private ConfigCodec() {}

  /**
   * A decoded config and whether nats-server would treat its asset as unsupported.
   *
   * @param config the config (unknown members kept)
   * @param unsupportedReason null when supported, else the offline reason (see
   *     {@link DecodedAssignment})
   * @param <C> {@link StreamConfig} or {@link ConsumerConfig}
   */
  public record Decoded<C>(C config, String unsupportedReason) {

    /** Whether the config needs a feature or API level this version does not have. */
    public boolean unsupported() {
      return unsupportedReason != null;
    }
  }

  /**
   * Encodes a stream config.
   *
   * @throws CodecException if Go could not marshal it (storage unspecified, a time outside
   *     years 0–9999)
   */
  public static byte[] encode(StreamConfig c) {
    requireEncodable(MetaJson.encodable(c), "stream config");
    return JsonEntry.encode(null, w -> MetaJson.write(w, c));
  }

  /** Appends a stream config to {@code out}; the caller keeps ownership of {@code out}. */
  public static void encode(StreamConfig c, ByteBuf out) {
    requireEncodable(MetaJson.encodable(c), "stream config");
    JsonEntry.encode(null, w -> MetaJson.write(w, c), out);
  }

  /** Encodes a consumer config; throws {@link CodecException} if Go could not marshal it. */
  public static byte[] encode(ConsumerConfig c) {
    requireEncodable(MetaJson.encodable(c), "consumer config");
    return JsonEntry.encode(null, w -> MetaJson.write(w, c));
  }

  /** Appends a consumer config to {@code out}; the caller keeps ownership of {@code out}. */
  public static void encode(ConsumerConfig c, ByteBuf out) {
    requireEncodable(MetaJson.encodable(c), "consumer config");
    JsonEntry.encode(null, w -> MetaJson.write(w, c), out);
  }

  /**
   * Decodes a stream config ({@code null} gives the empty config, as in Go).
   *
   * @throws CodecException for malformed JSON, mistyped members or invalid enum values
   */
  public static Decoded<StreamConfig> decodeStream(byte[] json, int off, int len) {
    MetaJson.Strictness strict = new MetaJson.Strictness();
    StreamConfig c = JsonEntry.decode(json, off, len, 0, "streamConfig",
        (GoJsonReader r) -> MetaJson.readStreamConfig(r, "streamConfig", strict));
    return new Decoded<>(c, StreamAssignmentCodec.unsupportedReason(strict, c.metadata()));
  }

  /** As {@link #decodeStream(byte[], int, int)} over the whole array. */
  public static Decoded<StreamConfig> decodeStream(byte[] json) {
    return decodeStream(json, 0, json.length);
  }

  /** As {@link #decodeStream(byte[], int, int)} over the readable bytes; indexes unchanged. */
  public static Decoded<StreamConfig> decodeStream(ByteBuf json) {
    return JsonEntry.withBytes(json, ConfigCodec::decodeStream);
  }

  /**
   * Decodes a consumer config ({@code null} gives the empty config, as in Go).
   *
   * @throws CodecException for malformed JSON, mistyped members or invalid enum values
   */
  public static Decoded<ConsumerConfig> decodeConsumer(byte[] json, int off, int len) {
    MetaJson.Strictness strict = new MetaJson.Strictness();
    ConsumerConfig c = JsonEntry.decode(json, off, len, 0, "consumerConfig",
        (GoJsonReader r) -> MetaJson.readConsumerConfig(r, "consumerConfig", strict));
    return new Decoded<>(c, StreamAssignmentCodec.unsupportedReason(strict, c.metadata()));
  }

  /** As {@link #decodeConsumer(byte[], int, int)} over the whole array. */
  public static Decoded<ConsumerConfig> decodeConsumer(byte[] json) {
    return decodeConsumer(json, 0, json.length);
  }

  /** As {@link #decodeConsumer(byte[], int, int)} over the readable bytes; indexes unchanged. */
  public static Decoded<ConsumerConfig> decodeConsumer(ByteBuf json) {
    return JsonEntry.withBytes(json, ConfigCodec::decodeConsumer);
  }

  private static void requireEncodable(boolean ok, String what) {
    if (!ok) {
      throw new CodecException(what, -1, "Go cannot marshal this " + what
          + " (storage type unspecified or a time outside years 0-9999)");
    }
  }
}
