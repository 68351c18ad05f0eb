package io.jscluster.core.meta;

import io.jscluster.codec.CodecException;
import io.jscluster.codec.json.GoJsonReader;
import io.jscluster.codec.json.GoJsonWriter;
import java.util.List;

/**
 * A stream leader's request to the meta leader to move a stream assignment's desired state on
 * (nats-server {@code streamAssignmentReconcile}, sent on {@link #SUBJECT}): record the leader's
 * term, pick the peers of a scale-down, or set the assignment's actual peers. JSON members:
 * {@code account}, {@code stream}, {@code id} (omitempty), {@code term}, {@code scale_down_peers}
 * (omitempty), {@code meta_peers} (omitempty), {@code match} (omitempty).
 *
 * @param account the stream's account
 * @param stream the stream name
 * @param id the desired state the sender acts on ("" when it saw none)
 * @param term the sending group leader's Raft term (fences stale leaders)
 * @param scaleDownPeers the peers a scale-down keeps, or null
 * @param metaPeers the peers the assignment should list, or null
 * @param peersMatch the group's Raft membership equals {@code metaPeers}
 */
public record Reconcile(String account, String stream, String id, long term, List<String> scaleDownPeers,
    List<String> metaPeers, boolean peersMatch) {

  /** The subject every node listens on; only the meta leader acts. */
  public static final String SUBJECT = "$SYS.JSC.STREAM.ASSIGNMENT.RECONCILE";

  /** Copies the lists. */
  public Reconcile {
    account = account == null ? "" : account;
    stream = stream == null ? "" : stream;
    id = id == null ? "" : id;
    scaleDownPeers = scaleDownPeers == null ? null : List.copyOf(scaleDownPeers);
    metaPeers = metaPeers == null ? null : List.copyOf(metaPeers);
  }

  /** Go {@code json.Marshal} of this request. */
  public byte[] encode() {
    GoJsonWriter w = new GoJsonWriter();
    w.beginObject();
    w.str("account", account);
    w.str("stream", stream);
    w.strOmit("id", id);
    w.u64("term", term);
    w.strListOmit("scale_down_peers", scaleDownPeers);
    w.strListOmit("meta_peers", metaPeers);
    w.boolOmit("match", peersMatch);
    w.endObject();
    return w.toByteArray();
  }

  /**
   * Decodes a request; unknown members are rejected, as nats-server decodes it strictly.
   *
   * @throws CodecException on malformed JSON or an unknown member
   */
  public static Reconcile decode(byte[] json) {
    GoJsonReader r = new GoJsonReader(json, 0, json.length, 0);
    String account = "";
    String stream = "";
    String id = "";
    long term = 0;
    List<String> sd = null;
    List<String> mp = null;
    boolean match = false;
    r.beginObject("reconcile");
    while (r.nextMember("reconcile")) {
      switch (r.foldedKey()) {
        case "account" -> account = r.string("account", account);
        case "stream" -> stream = r.string("stream", stream);
        case "id" -> id = r.string("id", id);
        case "term" -> term = r.uint64("term", term);
        case "scale_down_peers" -> sd = r.stringList("scale_down_peers");
        case "meta_peers" -> mp = r.stringList("meta_peers");
        case "match" -> match = r.bool("match", match);
        default -> throw r.error(r.key(), "json: unknown field \"" + r.key() + "\"");
      }
    }
    r.expectEnd("reconcile");
    return new Reconcile(account, stream, id, term, sd, mp, match);
  }
}
