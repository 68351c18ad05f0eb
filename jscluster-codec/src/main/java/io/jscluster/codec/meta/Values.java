package io.jscluster.codec.meta;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Normalisation shared by the records: Go strings are never nil; slices and maps may be. */
final class Values {

  private Values() {}

  static String str(String s) {
    return s == null ? "" : s;
  }

  /** An unmodifiable copy, keeping null (nil) apart from empty; elements may be null. */
  static <T> List<T> list(List<T> l) {
    return l == null ? null : Collections.unmodifiableList(new ArrayList<>(l));
  }

  /** An unmodifiable copy that keeps insertion order, keeping null (nil) apart from empty. */
  static <K, V> Map<K, V> map(Map<K, V> m) {
    return m == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }

  /** An unmodifiable copy of unmodelled members; null reads as none. */
  static <T> List<T> members(List<T> l) {
    return l == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(l));
  }
}
