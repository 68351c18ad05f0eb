package io.jscluster.codec.meta;

import java.math.BigInteger;
import java.util.Map;

/** The JetStream API level an asset may require through its metadata, as nats-server checks it. */
public final class ApiLevel {

  /** The API level this implementation supports (nats-server {@code JSApiLevel}). */
  public static final int CURRENT = 5;
  /** The metadata key holding the level an asset requires. */
  public static final String REQUIRED_LEVEL_KEY = "_nats.req.level";

  private ApiLevel() {}

  /** The required level as written, or "" when the key is absent or empty. */
  public static String required(Map<String, String> metadata) {
    if (metadata == null) {
      return "";
    }
    String l = metadata.get(REQUIRED_LEVEL_KEY);
    return l == null ? "" : l;
  }

  /**
   * Whether the required level is supported: no level, or a decimal integer (optional sign, as
   * Go's {@code strconv.Atoi}) within int64 and at most {@link #CURRENT}.
   */
  public static boolean supported(Map<String, String> metadata) {
    String l = required(metadata);
    if (l.isEmpty()) {
      return true;
    }
    int i = (l.charAt(0) == '+' || l.charAt(0) == '-') ? 1 : 0;
    if (i == l.length()) {
      return false;
    }
    for (int k = i; k < l.length(); k++) {
      if (l.charAt(k) < '0' || l.charAt(k) > '9') {
        return false;
      }
    }
    int firstNonZero = i;
    while (firstNonZero < l.length() - 1 && l.charAt(firstNonZero) == '0') {
      firstNonZero++;
    }
    if (l.length() - firstNonZero > 19) {
      // More than 19 significant digits cannot fit an int64: Atoi fails.
      return false;
    }
    BigInteger v = new BigInteger(l.substring(firstNonZero));
    if (l.charAt(0) == '-') {
      v = v.negate();
    }
    if (v.bitLength() > 63) {
      return false;
    }
    return v.compareTo(BigInteger.valueOf(CURRENT)) <= 0;
  }
}
