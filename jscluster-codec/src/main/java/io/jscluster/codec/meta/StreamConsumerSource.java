package io.jscluster.codec.meta;

import io.jscluster.codec.json.RawJsonMember;
import java.util.List;

/**
 * A durable consumer used for sourcing (Go {@code StreamConsumerSource}): {@code name} and
 * {@code deliver_subject}, both omitempty.
 *
 * @param name consumer name
 * @param deliverSubject delivery subject
 * @param unknown members this version does not model
 */
public record StreamConsumerSource(String name, String deliverSubject, List<RawJsonMember> unknown) {

  /** Normalises nulls. */
  public StreamConsumerSource {
    name = Values.str(name);
    deliverSubject = Values.str(deliverSubject);
    unknown = Values.members(unknown);
  }
}
