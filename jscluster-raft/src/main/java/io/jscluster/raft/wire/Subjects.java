package io.jscluster.raft.wire;

/**
 * The NRG subjects a group uses (all in the system account by default). The per-group subjects are
 * interned: every member of a group then holds the same instance, so comparing a delivered subject
 * with one's own is usually an identity check (a cheap path for hosts with many idle groups).
 */
public final class Subjects {

  private Subjects() {}

  /** {@code $NRG.V.<group>}: vote requests, reply = the candidate's vote inbox. */
  public static String vote(String group) {
    return ("$NRG.V." + group).intern();
  }

  /** {@code $NRG.AE.<group>}: live append entries, reply = the leader's AE-response inbox. */
  public static String appendEntry(String group) {
    return ("$NRG.AE." + group).intern();
  }

  /** {@code $NRG.P.<group>}: forwarded proposals, served by the leader only. */
  public static String proposal(String group) {
    return ("$NRG.P." + group).intern();
  }

  /** {@code $NRG.RP.<group>}: forwarded peer removals (8-byte id), served by the leader only. */
  public static String removePeer(String group) {
    return ("$NRG.RP." + group).intern();
  }

  /**
   * {@code $NRG.PV.<group>}: pre-vote requests (jscluster extension, not understood by nats-server;
   * same 32-byte encoding as a vote request, carrying the term the candidate would campaign in).
   */
  public static String preVote(String group) {
    return ("$NRG.PV." + group).intern();
  }

  /** {@code $NRG.R.<token>}: a per-node reply inbox (vote responses or AE responses). */
  public static String inbox(String token) {
    return "$NRG.R." + token;
  }

  /** {@code $NRG.CR.<token>}: a follower's catch-up inbox. */
  public static String catchupInbox(String token) {
    return "$NRG.CR." + token;
  }

  /** True for a catch-up inbox subject. */
  public static boolean isCatchupInbox(String subject) {
    return subject != null && subject.startsWith("$NRG.CR.");
  }
}
