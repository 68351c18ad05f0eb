package io.jscluster.codec.meta;

import io.jscluster.codec.json.RawJsonMember;
import java.util.List;

/**
 * Republishing of stored messages (Go {@code RePublish}): {@code src} (omitempty), {@code dest},
 * {@code headers_only} (omitempty).
 *
 * @param source source filter
 * @param destination destination template
 * @param headersOnly republish headers only
 * @param unknown members this version does not model
 */
public record RePublish(String source, String destination, boolean headersOnly, List<RawJsonMember> unknown) {

  /** Normalises nulls. */
  public RePublish {
    source = Values.str(source);
    destination = Values.str(destination);
    unknown = Values.members(unknown);
  }
}
