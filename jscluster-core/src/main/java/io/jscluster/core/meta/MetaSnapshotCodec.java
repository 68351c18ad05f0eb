package io.jscluster.core.meta;

import io.jscluster.codec.CodecException;
import io.jscluster.codec.EntryOp;
import io.jscluster.codec.json.GoJsonReader;
import io.jscluster.codec.meta.DecodedAssignment;
import io.jscluster.codec.meta.StreamAssignment;
import io.jscluster.codec.meta.StreamAssignmentCodec;
import io.jscluster.codec.s2.S2Block;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The meta group's snapshot (nats-server {@code encodeMetaSnapshot} / {@code decodeMetaSnapshot}):
 * an S2 block holding the JSON array of every stream assignment in its stable form
 * ({@code client} (omitempty), {@code created}, {@code stream}, {@code group}, {@code sync}, then
 * {@code Consumers}, always an empty array here since consumers are not replicated). No
 * assignments give an empty snapshot. Pure functions.
 */
public final class MetaSnapshotCodec {

  /** Largest uncompressed snapshot accepted: 256 MiB. */
  public static final int MAX_JSON_BYTES = 256 * 1024 * 1024;

  private static final byte[] CONSUMERS = ",\"Consumers\":[]}".getBytes(StandardCharsets.US_ASCII);

  private MetaSnapshotCodec() {}

  /** Encodes {@code streams} (empty: a zero-length snapshot). */
  public static byte[] encode(Collection<StreamAssignment> streams) {
    if (streams.isEmpty()) {
      return new byte[0];
    }
    ByteArrayOutputStream json = new ByteArrayOutputStream();
    json.write('[');
    boolean first = true;
    for (StreamAssignment sa : streams) {
      // The entry form without its op byte and newline is the same object with the same members;
      // request subject, reply and restore state are empty in stored assignments and so omitted.
      byte[] e = StreamAssignmentCodec.encode(EntryOp.ASSIGN_STREAM, sa);
      int end = e.length;
      while (end > 1 && (e[end - 1] == '\n' || e[end - 1] == ' ')) {
        end--;
      }
      if (!first) {
        json.write(',');
      }
      first = false;
      json.write(e, 1, end - 2);
      json.write(CONSUMERS, 0, CONSUMERS.length);
    }
    json.write(']');
    return S2Block.encode(json.toByteArray());
  }

  /**
   * Decodes a snapshot into its assignments, each with its unsupported reason as when applied
   * from the log.
   *
   * @throws CodecException on a bad S2 block, bad JSON or a bad assignment
   */
  public static List<DecodedAssignment<StreamAssignment>> decode(byte[] snap) {
    List<DecodedAssignment<StreamAssignment>> out = new ArrayList<>();
    if (snap.length == 0) {
      return out;
    }
    byte[] json = S2Block.decode(snap, MAX_JSON_BYTES);
    GoJsonReader r = new GoJsonReader(json, 0, json.length, 0);
    if (r.tryNull()) {
      return out;
    }
    r.beginArray("meta snapshot");
    while (r.nextElement("meta snapshot")) {
      byte[] raw = r.readRaw("meta snapshot");
      byte[] entry = new byte[raw.length + 1];
      entry[0] = (byte) EntryOp.ASSIGN_STREAM.code();
      System.arraycopy(raw, 0, entry, 1, raw.length);
      out.add(StreamAssignmentCodec.decode(entry));
    }
    r.expectEnd("meta snapshot");
    return out;
  }
}
