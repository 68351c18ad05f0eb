package io.jscluster.codec.meta;

import io.jscluster.codec.json.RawJsonMember;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * A mirror or source of a stream (Go {@code StreamSource}). Members: {@code name} (always),
 * {@code opt_start_seq}, {@code opt_start_time}, {@code filter_subject},
 * {@code subject_transforms}, {@code external}, {@code consumer} (all omitempty).
 *
 * @param name source stream name
 * @param optStartSeq start sequence (uint64 bits)
 * @param optStartTime start time, or null
 * @param filterSubject subject filter
 * @param subjectTransforms transforms, or null
 * @param external external stream, or null
 * @param consumer sourcing consumer, or null
 * @param unknown members this version does not model
 */
public record StreamSource(
    String name,
    long optStartSeq,
    OffsetDateTime optStartTime,
    String filterSubject,
    List<SubjectTransformConfig> subjectTransforms,
    ExternalStream external,
    StreamConsumerSource consumer,
    List<RawJsonMember> unknown) {

  /** Normalises nulls and copies lists. */
  public StreamSource {
    name = Values.str(name);
    filterSubject = Values.str(filterSubject);
    subjectTransforms = Values.list(subjectTransforms);
    unknown = Values.members(unknown);
  }
}
