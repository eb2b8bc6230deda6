package io.qraft.api;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Declare arguments of a queue, named as the policy keys operators know.
 * Normalised to what was given, trimmed and in canonical form, without
 * defaults: a key given at declare time wins over the same key of a policy,
 * so spelling a default out pins it, and is another declaration than leaving
 * it out. The defaults apply when neither the queue nor its policy sets a key
 * ({@link #DEFAULTS}).
 */
public final class QueueArguments {
  public static final String ACK_MODE = "ack-mode";
  public static final String QUEUE_LOG = "queue-log";

  public static final String ACK_QUORUM = "quorum";
  public static final String ACK_LOCAL = "local";
  public static final String LOG_SHARED = "shared";
  public static final String LOG_DEDICATED = "dedicated";
  public static final String BATCH_SIZE = "batch-size";
  public static final String BATCH_BYTES = "batch-bytes";
  public static final String BATCH_LINGER_MS = "batch-linger-ms";

  /** Numeric arguments: key to {min, max}. */
  private static final Map<String, long[]> NUMERIC = Map.of(
      BATCH_SIZE, new long[] {1, 100_000},
      BATCH_BYTES, new long[] {1, 67_108_864},
      BATCH_LINGER_MS, new long[] {0, 1_000});

  private static final Map<String, Set<String>> ALLOWED = Map.of(
      ACK_MODE, Set.of(ACK_QUORUM, ACK_LOCAL),
      QUEUE_LOG, Set.of(LOG_SHARED, LOG_DEDICATED));

  /** What a queue runs with when neither its declare arguments nor its policy set the key. */
  public static final Map<String, String> DEFAULTS = Map.of(
      ACK_MODE, ACK_QUORUM,
      QUEUE_LOG, LOG_SHARED);

  private QueueArguments() {}

  /**
   * The given arguments, validated, trimmed and sorted by key.
   *
   * @throws IllegalArgumentException with a sentence naming the bad key or value
   */
  public static Map<String, String> normalise(Map<String, String> given) {
    Map<String, String> out = new TreeMap<>();
    for (Map.Entry<String, String> e : given.entrySet()) {
      long[] range = NUMERIC.get(e.getKey());
      if (range != null) {
        out.put(e.getKey(), Long.toString(number(e.getKey(), e.getValue(), range)));
        continue;
      }
      Set<String> allowed = ALLOWED.get(e.getKey());
      if (allowed == null) {
        java.util.TreeSet<String> known = new java.util.TreeSet<>(ALLOWED.keySet());
        known.addAll(NUMERIC.keySet());
        throw new IllegalArgumentException("unknown queue argument " + Quoted.of(e.getKey())
            + "; known arguments: " + known);
      }
      String value = e.getValue().trim();
      if (!allowed.contains(value)) {
        throw new IllegalArgumentException("queue argument '" + e.getKey() + "' cannot be "
            + Quoted.of(e.getValue()) + "; allowed: " + new java.util.TreeSet<>(allowed));
      }
      out.put(e.getKey(), value);
    }
    return out;
  }

  /** {min, max} of a numeric argument, or null when the key is not numeric. */
  static long[] numericRange(String key) {
    long[] range = NUMERIC.get(key);
    return range == null ? null : range.clone();
  }

  /** The values a key allows, or null when it is not one of a fixed set. */
  static Set<String> allowedValues(String key) {
    return ALLOWED.get(key);
  }

  private static long number(String key, String value, long[] range) {
    long n;
    try {
      n = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("queue argument '" + key + "' must be a whole number, not " + Quoted.of(value));
    }
    if (n < range[0] || n > range[1]) {
      throw new IllegalArgumentException("queue argument '" + key + "' must be between " + range[0] + " and "
          + range[1] + ", not " + n);
    }
    return n;
  }

  public static boolean dedicated(Map<String, String> normalised) {
    return LOG_DEDICATED.equals(normalised.get(QUEUE_LOG));
  }
}
