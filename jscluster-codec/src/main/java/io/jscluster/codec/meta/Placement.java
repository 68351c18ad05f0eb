package io.jscluster.codec.meta;

import io.jscluster.codec.json.RawJsonMember;
import java.util.List;

/**
 * Placement constraints (Go {@code Placement}): {@code cluster}, {@code tags},
 * {@code preferred}, all omitempty.
 *
 * @param cluster cluster name
 * @param tags server tags, or null
 * @param preferred preferred leader
 * @param unknown members this version does not model, kept for re-encoding
 */
public record Placement(String cluster, List<String> tags, String preferred, List<RawJsonMember> unknown) {

  /** Normalises nulls and copies lists. */
  public Placement {
    cluster = Values.str(cluster);
    tags = Values.list(tags);
    preferred = Values.str(preferred);
    unknown = Values.members(unknown);
  }
}
