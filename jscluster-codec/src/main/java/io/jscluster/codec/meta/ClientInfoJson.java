package io.jscluster.codec.meta;

import io.jscluster.codec.json.GoJsonReader;
import io.jscluster.codec.json.GoJsonWriter;
import java.time.OffsetDateTime;
import java.util.List;

/** JSON form of {@link ClientInfo}, shared by the assignment and stream-op codecs. */
public final class ClientInfoJson {

  private ClientInfoJson() {}

  /** Writes {@code ci} as an object value, every member omitempty, in Go's field order. */
  public static void write(GoJsonWriter w, ClientInfo ci) {
    w.beginObject();
    w.timePtrOmit("start", ci.start());
    w.strOmit("host", ci.host());
    w.u64Omit("id", ci.id());
    w.strOmit("acc", ci.account());
    w.strOmit("svc", ci.service());
    w.strOmit("user", ci.user());
    w.strOmit("name", ci.name());
    w.strOmit("lang", ci.lang());
    w.strOmit("ver", ci.version());
    w.i64Omit("rtt", ci.rtt());
    w.strOmit("server", ci.server());
    w.strOmit("cluster", ci.cluster());
    w.strListOmit("alts", ci.alternates());
    w.timePtrOmit("stop", ci.stop());
    w.strOmit("jwt", ci.jwt());
    w.strOmit("issuer_key", ci.issuerKey());
    w.strOmit("name_tag", ci.nameTag());
    w.strListOmit("tags", ci.tags());
    w.strOmit("kind", ci.kind());
    w.strOmit("client_type", ci.clientType());
    w.strOmit("client_id", ci.mqttClient());
    w.strOmit("nonce", ci.nonce());
    w.strOmit("reply", ci.reply());
    w.endObject();
  }

  /**
   * Reads a {@code *ClientInfo} value: null gives null; an object is decoded over
   * {@code current} (Go decodes a repeated member into the same struct), unknown members ignored.
   */
  public static ClientInfo read(GoJsonReader r, String field, ClientInfo current) {
    if (r.tryNull()) {
      return null;
    }
    ClientInfo c = current == null ? ClientInfo.empty() : current;
    OffsetDateTime start = c.start();
    String host = c.host();
    long id = c.id();
    String acc = c.account();
    String svc = c.service();
    String user = c.user();
    String name = c.name();
    String lang = c.lang();
    String ver = c.version();
    long rtt = c.rtt();
    String server = c.server();
    String cluster = c.cluster();
    List<String> alts = c.alternates();
    OffsetDateTime stop = c.stop();
    String jwt = c.jwt();
    String issuerKey = c.issuerKey();
    String nameTag = c.nameTag();
    List<String> tags = c.tags();
    String kind = c.kind();
    String clientType = c.clientType();
    String clientId = c.mqttClient();
    String nonce = c.nonce();
    String reply = c.reply();
    r.beginObject(field);
    while (r.nextMember(field)) {
      String f = field + "." + r.key();
      switch (r.foldedKey()) {
        case "start" -> start = r.timePointer(f);
        case "host" -> host = r.string(f, host);
        case "id" -> id = r.uint64(f, id);
        case "acc" -> acc = r.string(f, acc);
        case "svc" -> svc = r.string(f, svc);
        case "user" -> user = r.string(f, user);
        case "name" -> name = r.string(f, name);
        case "lang" -> lang = r.string(f, lang);
        case "ver" -> ver = r.string(f, ver);
        case "rtt" -> rtt = r.integer(f, 64, rtt);
        case "server" -> server = r.string(f, server);
        case "cluster" -> cluster = r.string(f, cluster);
        case "alts" -> alts = r.stringList(f);
        case "stop" -> stop = r.timePointer(f);
        case "jwt" -> jwt = r.string(f, jwt);
        case "issuer_key" -> issuerKey = r.string(f, issuerKey);
        case "name_tag" -> nameTag = r.string(f, nameTag);
        case "tags" -> tags = r.stringList(f);
        case "kind" -> kind = r.string(f, kind);
        case "client_type" -> clientType = r.string(f, clientType);
        case "client_id" -> clientId = r.string(f, clientId);
        case "nonce" -> nonce = r.string(f, nonce);
        case "reply" -> reply = r.string(f, reply);
        default -> r.skipValue(f);
      }
    }
    return new ClientInfo(start, host, id, acc, svc, user, name, lang, ver, rtt, server, cluster, alts,
        stop, jwt, issuerKey, nameTag, tags, kind, clientType, clientId, nonce, reply);
  }
}
