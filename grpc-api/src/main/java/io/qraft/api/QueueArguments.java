package io.qraft.api;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Declare arguments of a queue, named as the policy keys operators know.
 * Normalised to what was given, trimmed and in canonical form, without
 * defaults: a key given at declare time wins over the same key of a policy,
 * so spelling a default out pins it, and is another declaration than leaving
 * it out. The defaults apply when neither the queue nor its policy sets a key
 * ({@link #DEFAULTS}; the limits' defaults are the log's EffectivePolicy's).
 *
 * <p>The limit keys are also taken in RabbitMQ's spelling ({@code x-max-length}
 * for {@code max-length}), so that declarations written for RabbitMQ work;
 * they are stored under the policy key, and giving both spellings of one key
 * is refused rather than one of them silently winning.
 *
 * <p>Stateless; thread-safe.
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

  // The limits (see QueueLimits in log.proto). Times are in ms.
  public static final String MESSAGE_TTL = "message-ttl";
  public static final String EXPIRES = "expires";
  public static final String MAX_LENGTH = "max-length";
  public static final String MAX_LENGTH_BYTES = "max-length-bytes";
  public static final String OVERFLOW = "overflow";
  public static final String DELIVERY_LIMIT = "delivery-limit";
  public static final String DEAD_LETTER_QUEUE = "dead-letter-queue";
  public static final String CONSUMER_TIMEOUT = "consumer-timeout";
  public static final String SINGLE_ACTIVE_CONSUMER = "single-active-consumer";

  public static final String OVERFLOW_DROP_HEAD = "drop-head";
  public static final String OVERFLOW_REJECT_PUBLISH = "reject-publish";

  /** The keys of the limits, which RabbitMQ users also write with an {@code x-} in front. */
  public static final Set<String> LIMIT_KEYS = Set.of(MESSAGE_TTL, EXPIRES, MAX_LENGTH, MAX_LENGTH_BYTES, OVERFLOW,
      DELIVERY_LIMIT, DEAD_LETTER_QUEUE, CONSUMER_TIMEOUT, SINGLE_ACTIVE_CONSUMER);

  /** RabbitMQ's prefix of declare arguments. */
  private static final String RABBITMQ_PREFIX = "x-";

  // The most ms a time limit takes: RabbitMQ's ceiling for x-message-ttl and x-expires (2^32 - 1,
  // about 49.7 days), so a declaration that RabbitMQ takes is taken here too.
  private static final long MAX_MS = 4_294_967_295L;

  /** Numeric arguments: key to {min, max}. */
  private static final Map<String, long[]> NUMERIC = Map.of(
      BATCH_SIZE, new long[] {1, 100_000},
      BATCH_BYTES, new long[] {1, 67_108_864},
      BATCH_LINGER_MS, new long[] {0, 1_000},
      MESSAGE_TTL, new long[] {1, MAX_MS},
      EXPIRES, new long[] {1, MAX_MS},
      // 0 is a limit, not "none": the queue holds nothing (drop-head) or takes nothing (reject-publish).
      MAX_LENGTH, new long[] {0, 1_000_000_000_000L},
      MAX_LENGTH_BYTES, new long[] {0, 1_000_000_000_000_000L},
      // 0 is "no limit", so that a declare argument can lift the limit of a policy.
      DELIVERY_LIMIT, new long[] {0, 1_000_000},
      CONSUMER_TIMEOUT, new long[] {1, MAX_MS});

  private static final Map<String, Set<String>> ALLOWED = Map.of(
      ACK_MODE, Set.of(ACK_QUORUM, ACK_LOCAL),
      QUEUE_LOG, Set.of(LOG_SHARED, LOG_DEDICATED),
      OVERFLOW, Set.of(OVERFLOW_DROP_HEAD, OVERFLOW_REJECT_PUBLISH),
      SINGLE_ACTIVE_CONSUMER, Set.of("true", "false"));

  /** Arguments whose value is a queue name. */
  private static final Set<String> QUEUE_NAMED = Set.of(DEAD_LETTER_QUEUE);

  /** What a queue runs with when neither its declare arguments nor its policy set the key. */
  public static final Map<String, String> DEFAULTS = Map.of(
      ACK_MODE, ACK_QUORUM,
      QUEUE_LOG, LOG_SHARED);

  private QueueArguments() {}

  /**
   * The given arguments, validated, trimmed, under their policy keys and sorted by key.
   *
   * @throws IllegalArgumentException with a sentence naming the bad key or value
   */
  public static Map<String, String> normalise(Map<String, String> given) {
    Map<String, String> out = new TreeMap<>();
    // Sorted, so that of two spellings of one key the same one is named first every time.
    for (Map.Entry<String, String> e : new TreeMap<>(given).entrySet()) {
      String key = policyKey(e.getKey());
      if (out.containsKey(key)) {
        throw new IllegalArgumentException("queue arguments " + Quoted.of(key) + " and "
            + Quoted.of(RABBITMQ_PREFIX + key) + " are one key; give one of them");
      }
      out.put(key, value(key, e.getKey(), e.getValue()));
    }
    return out;
  }

  /** The policy key a declare argument is spelled for: itself, or a limit key without its x-. */
  private static String policyKey(String argument) {
    if (argument.startsWith(RABBITMQ_PREFIX)) {
      String key = argument.substring(RABBITMQ_PREFIX.length());
      if (LIMIT_KEYS.contains(key)) {
        return key;
      }
    }
    return argument;
  }

  /** The canonical value of one argument; given is the key as the client spelled it. */
  private static String value(String key, String given, String value) {
    long[] range = NUMERIC.get(key);
    if (range != null) {
      return Long.toString(number(given, value, range));
    }
    if (QUEUE_NAMED.contains(key)) {
      // Not trimmed: spaces are part of a queue name.
      String problem = QueueNames.problem(value);
      if (problem != null) {
        throw new IllegalArgumentException("queue argument '" + given + "' names the queue that takes what this "
            + "queue removes, and " + Quoted.of(value) + " cannot be one: " + problem);
      }
      return value;
    }
    Set<String> allowed = ALLOWED.get(key);
    if (allowed == null) {
      TreeSet<String> known = new TreeSet<>(ALLOWED.keySet());
      known.addAll(NUMERIC.keySet());
      known.addAll(QUEUE_NAMED);
      throw new IllegalArgumentException("unknown queue argument " + Quoted.of(given) + "; known arguments: " + known
          + " (the limits also with RabbitMQ's x- in front)");
    }
    String trimmed = value.trim();
    if (!allowed.contains(trimmed)) {
      throw new IllegalArgumentException("queue argument '" + given + "' cannot be "
          + Quoted.of(value) + "; allowed: " + new TreeSet<>(allowed));
    }
    return trimmed;
  }

  /** {min, max} of a numeric argument, or null when the key is not numeric. */
  static long[] numericRange(String key) {
    long[] range = NUMERIC.get(key);
    return range == null ? null : range.clone();
  }

  /** The keys that take a whole number. */
  static Set<String> numericKeys() {
    return NUMERIC.keySet();
  }

  /** The values a key allows, or null when it is not one of a fixed set. */
  static Set<String> allowedValues(String key) {
    return ALLOWED.get(key);
  }

  /** The keys that take one of a fixed set of values. */
  static Set<String> keysWithAllowedValues() {
    return ALLOWED.keySet();
  }

  /** The keys whose value is a queue name. */
  static Set<String> queueNamedKeys() {
    return QUEUE_NAMED;
  }

  private static long number(String key, String value, long[] range) {
    long n;
    try {
      n = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("queue argument '" + key + "' must be a whole number between " + range[0]
          + " and " + range[1] + ", not " + Quoted.of(value));
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
