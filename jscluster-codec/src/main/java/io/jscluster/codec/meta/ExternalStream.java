package io.jscluster.codec.meta;

import io.jscluster.codec.json.RawJsonMember;
import java.util.List;

/**
 * A stream in another account or domain (Go {@code ExternalStream}): {@code api} and
 * {@code deliver}, both always written.
 *
 * @param apiPrefix API prefix
 * @param deliverPrefix delivery prefix
 * @param unknown members this version does not model
 */
public record ExternalStream(String apiPrefix, String deliverPrefix, List<RawJsonMember> unknown) {

  /** Normalises nulls. */
  public ExternalStream {
    apiPrefix = Values.str(apiPrefix);
    deliverPrefix = Values.str(deliverPrefix);
    unknown = Values.members(unknown);
  }
}
