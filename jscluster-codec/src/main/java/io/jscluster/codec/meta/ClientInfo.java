package io.jscluster.codec.meta;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * Who made a request (Go {@code ClientInfo}, JSON member {@code client}). Every member is
 * {@code omitempty}. Strings are never null (null becomes ""); {@code start}, {@code stop} and
 * the lists may be null (Go nil).
 *
 * @param start connection start, or null
 * @param host client host
 * @param id client id (uint64 bits)
 * @param account account ({@code acc})
 * @param service service account ({@code svc})
 * @param user user
 * @param name client name
 * @param lang client library language
 * @param version client library version ({@code ver})
 * @param rtt round-trip time in nanoseconds
 * @param server server name
 * @param cluster cluster name
 * @param alternates alternate clusters ({@code alts}), or null
 * @param stop connection stop, or null
 * @param jwt user JWT
 * @param issuerKey JWT issuer key
 * @param nameTag name tag
 * @param tags tags, or null
 * @param kind connection kind
 * @param clientType client type
 * @param mqttClient MQTT client id ({@code client_id})
 * @param nonce nonce
 * @param reply original reply subject
 */
public record ClientInfo(
    OffsetDateTime start,
    String host,
    long id,
    String account,
    String service,
    String user,
    String name,
    String lang,
    String version,
    long rtt,
    String server,
    String cluster,
    List<String> alternates,
    OffsetDateTime stop,
    String jwt,
    String issuerKey,
    String nameTag,
    List<String> tags,
    String kind,
    String clientType,
    String mqttClient,
    String nonce,
    String reply) {

  /** Normalises null strings to "" and copies lists. */
  public ClientInfo {
    host = Values.str(host);
    account = Values.str(account);
    service = Values.str(service);
    user = Values.str(user);
    name = Values.str(name);
    lang = Values.str(lang);
    version = Values.str(version);
    server = Values.str(server);
    cluster = Values.str(cluster);
    alternates = Values.list(alternates);
    jwt = Values.str(jwt);
    issuerKey = Values.str(issuerKey);
    nameTag = Values.str(nameTag);
    tags = Values.list(tags);
    kind = Values.str(kind);
    clientType = Values.str(clientType);
    mqttClient = Values.str(mqttClient);
    nonce = Values.str(nonce);
    reply = Values.str(reply);
  }

  /** An empty client info (Go {@code &ClientInfo{}}, written as {@code {}}). */
  public static ClientInfo empty() {
    return new ClientInfo(null, "", 0, "", "", "", "", "", "", 0, "", "", null, null, "", "", "", null,
        "", "", "", "", "");
  }

  /** The copy proposals carry: {@code jwt} and {@code issuer_key} blanked (Go forProposal). */
  public ClientInfo forProposal() {
    return new ClientInfo(start, host, id, account, service, user, name, lang, version, rtt, server,
        cluster, alternates, stop, "", "", nameTag, tags, kind, clientType, mqttClient, nonce, reply);
  }

  /** The account a request is accounted to: {@code svc} if set, else {@code acc}. */
  public String serviceAccount() {
    return service.isEmpty() ? account : service;
  }
}
