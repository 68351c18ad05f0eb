package io.jscluster.codec.meta;

import io.jscluster.codec.json.RawJsonMember;
import java.util.List;

/**
 * A subject transform (Go {@code SubjectTransformConfig}): {@code src} and {@code dest}, both
 * always written.
 *
 * @param source source subject filter
 * @param destination destination template
 * @param unknown members this version does not model
 */
public record SubjectTransformConfig(String source, String destination, List<RawJsonMember> unknown) {

  /** Normalises nulls. */
  public SubjectTransformConfig {
    source = Values.str(source);
    destination = Values.str(destination);
    unknown = Values.members(unknown);
  }
}
