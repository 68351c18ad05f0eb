package io.jscluster.codec.json;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An object member this codec does not model, kept so that re-encoding loses nothing: its name
 * as written and its value as compact JSON with Go's HTML escaping (what {@link
 * GoJsonWriter#rawValue} produces).
 *
 * @param name the member name, unescaped
 * @param json the value, compacted; never modified (the array is copied in and out)
 */
public record RawJsonMember(String name, byte[] json) {

  /** Copies {@code json}, which must hold one compact JSON value. */
  public RawJsonMember {
    Objects.requireNonNull(name, "name");
    json = json.clone();
  }

  /** A member from a name and JSON text; the text is validated and compacted. */
  public static RawJsonMember of(String name, String jsonText) {
    GoJsonWriter w = new GoJsonWriter();
    w.rawValue(jsonText.getBytes(StandardCharsets.UTF_8));
    return new RawJsonMember(name, w.toByteArray());
  }

  /** A copy of the value's bytes. */
  @Override
  public byte[] json() {
    return json.clone();
  }

  /** The value as text. */
  public String jsonText() {
    return new String(json, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RawJsonMember m && m.name.equals(name) && Arrays.equals(m.json, json);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(json);
  }

  @Override
  public String toString() {
    return name + "=" + jsonText();
  }
}
