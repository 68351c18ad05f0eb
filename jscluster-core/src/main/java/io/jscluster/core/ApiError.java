package io.jscluster.core;

/**
 * A JetStream API error as nats-server reports it ({@code {"code","err_code","description"}}).
 * The constants carry nats-server's codes from {@code server/errors.json}.
 *
 * @param code the HTTP-like status code
 * @param errCode the JetStream error code
 * @param description the human-readable text
 */
public record ApiError(int code, int errCode, String description) {

  /** JSClusterNotLeaderErr. */
  public static final ApiError CLUSTER_NOT_LEADER =
      new ApiError(500, 10009, "JetStream cluster can not handle request");
  /** JSClusterNotAvailErr. */
  public static final ApiError CLUSTER_NOT_AVAILABLE =
      new ApiError(503, 10008, "JetStream system temporarily unavailable");
  /** JSInsufficientResourcesErr. */
  public static final ApiError INSUFFICIENT_RESOURCES = new ApiError(503, 10023, "insufficient resources");
  /** JSStreamMessageExceedsMaximumErr. */
  public static final ApiError MESSAGE_EXCEEDS_MAXIMUM =
      new ApiError(400, 10054, "message size exceeds maximum allowed");
  /** JSStreamNotMatchErr. */
  public static final ApiError STREAM_NOT_MATCH = new ApiError(400, 10060, "expected stream does not match");
  /** JSStreamNameExistErr. */
  public static final ApiError STREAM_NAME_EXIST =
      new ApiError(400, 10058, "stream name already in use with a different configuration");
  /** JSStreamNotFoundErr. */
  public static final ApiError STREAM_NOT_FOUND = new ApiError(404, 10059, "stream not found");
  /** JSStreamSequenceNotMatchErr. */
  public static final ApiError STREAM_SEQUENCE_NOT_MATCH =
      new ApiError(503, 10063, "expected stream sequence does not match");
  /** JSStreamHeaderExceedsMaximumErr. */
  public static final ApiError HEADER_EXCEEDS_MAXIMUM =
      new ApiError(400, 10097, "header size exceeds maximum allowed of 64k");
  /** JSStreamSealedErr. */
  public static final ApiError STREAM_SEALED = new ApiError(400, 10109, "invalid operation on sealed stream");
  /** JSStreamDuplicateMessageConflict. */
  public static final ApiError DUPLICATE_MESSAGE_CONFLICT =
      new ApiError(409, 10158, "duplicate message id is in process");
  /** JSStreamWrongLastSequenceConstantErr: a per-subject expectation on a subject with writes in flight. */
  public static final ApiError WRONG_LAST_SEQUENCE_CONSTANT = new ApiError(400, 10164, "wrong last sequence");
  /** JSStreamExpectedLastSeqPerSubjectInvalid: the subject override without the expected sequence. */
  public static final ApiError EXPECTED_LAST_SEQ_PER_SUBJECT_INVALID =
      new ApiError(400, 10193, "missing sequence for expected last sequence per subject");
  /** JSClusterPeerNotMemberErr. */
  public static final ApiError PEER_NOT_MEMBER = new ApiError(400, 10040, "peer not a member");
  /** JSPeerRemapErr: no replacement could be placed. */
  public static final ApiError PEER_REMAP = new ApiError(503, 10075, "peer remap failed");
  /** JSStreamReconfigureInProgressErr: a move or scale of the stream has not finished. */
  public static final ApiError RECONFIGURE_IN_PROGRESS =
      new ApiError(400, 10226, "stream reconfiguration already in progress");
  /** JSStreamReplicasNotUpdatableErr. */
  public static final ApiError REPLICAS_NOT_UPDATABLE =
      new ApiError(400, 10061, "Replicas configuration can not be updated");
  /** JSNoMessageFoundErr. */
  public static final ApiError NO_MESSAGE_FOUND = new ApiError(404, 10037, "no message found");

  /** JSStreamWrongLastSequenceErrF for {@code seq}. */
  public static ApiError wrongLastSequence(long seq) {
    return new ApiError(400, 10071, "wrong last sequence: " + Long.toUnsignedString(seq));
  }

  /** JSStreamWrongLastMsgIDErrF for {@code id}. */
  public static ApiError wrongLastMsgId(String id) {
    return new ApiError(400, 10070, "wrong last msg ID: " + id);
  }

  /** JSStreamStoreFailedF with {@code err}. */
  public static ApiError storeFailed(String err) {
    return new ApiError(503, 10077, err);
  }

  /** JSClusterNoPeersErrF with {@code err}. */
  public static ApiError noPeers(String err) {
    return new ApiError(400, 10005, err);
  }

  /** JSStreamInvalidConfigF with {@code err}. */
  public static ApiError invalidConfig(String err) {
    return new ApiError(500, 10052, err);
  }

  /** JSStreamMsgDeleteFailedF with {@code err}. */
  public static ApiError deleteFailed(String err) {
    return new ApiError(500, 10057, err);
  }

  /** JSStreamPurgeFailedF with {@code err}. */
  public static ApiError purgeFailed(String err) {
    return new ApiError(500, 10110, err);
  }

  /** The Go JSON form {@code {"code":..,"err_code":..,"description":".."}}. */
  public String toJson() {
    return "{\"code\":" + code + ",\"err_code\":" + errCode + ",\"description\":" + Json.quote(description)
        + "}";
  }
}
