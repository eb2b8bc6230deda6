package io.qraft.api;

import java.util.Map;

/**
 * The most any node accepts in one request field: the ceilings that every
 * replica re-checks when it applies a committed log entry. A node's
 * configured limits ({@code limits.*} in qraft.conf) may only be lower, so a
 * request a node let through is never refused later by a replica whose
 * configuration differs: apply decides from these constants and the entry
 * alone, identically everywhere.
 *
 * <p>They are far below what the store can take (a key part holds 65,535
 * bytes) and far above what an application needs; they exist so that no
 * entry, once committed, can make apply fail.
 *
 * <p>Constants only; thread-safe.
 */
public final class HardLimits {
  /** Bytes of UTF-8 in a producer id. */
  public static final int PRODUCER_ID_BYTES = 1_024;
  /** Bytes of UTF-8 in a consumer tag, and in the consumer ids the log carries. */
  public static final int CONSUMER_TAG_BYTES = 1_024;
  /** Headers on one message. */
  public static final int HEADERS_PER_MESSAGE = 1_024;
  /** Bytes of UTF-8 in all header names and values of one message together. */
  public static final int HEADER_BYTES_PER_MESSAGE = 1_048_576;
  /** Bytes of UTF-8 in all declare-argument names and values of one queue together. */
  public static final int ARGUMENT_BYTES = 65_536;
  /** Bytes of UTF-8 in a policy name. */
  public static final int POLICY_NAME_BYTES = 255;
  /** Bytes of UTF-8 in a policy pattern. */
  public static final int POLICY_PATTERN_BYTES = 4_096;
  /** Bytes of UTF-8 in all keys and values of one policy definition together. */
  public static final int POLICY_DEFINITION_BYTES = 65_536;
  /** Deliveries one consumer may have outstanding, and messages one get may take. */
  public static final int PREFETCH = 65_535;
  /** Milliseconds a nack may hold a requeued message back (requeue_after_ms): a day. */
  public static final long REQUEUE_AFTER_MS = 86_400_000L;
  /** Milliseconds of a consumer's own consumer timeout (consumer_timeout_ms): 2^32 - 1, about 49 days. */
  public static final long CONSUMER_TIMEOUT_MS = 4_294_967_295L;
  /** Bytes of a group id, a node id or another name the cluster itself makes. */
  public static final int INTERNAL_NAME_BYTES = 255;
  /** Bytes of UTF-8 in a user name. */
  public static final int USER_NAME_BYTES = 255;
  /** Bytes of an encoded password hash (the longest common formats take about 100). */
  public static final int PASSWORD_HASH_BYTES = 1_024;
  /** Bytes of UTF-8 in each of a user's permission patterns, as RabbitMQ caps them. */
  public static final int PERMISSION_PATTERN_BYTES = 1_024;
  /**
   * Users the cluster may hold. Every replica keeps them all in memory, and a constant (not a
   * node's setting) so that every replica refuses the same PutUser.
   */
  public static final int MAX_USERS = 10_000;

  /** The nodes' shared secret (SetClusterSecret): 256 random bits. */
  public static final int CLUSTER_SECRET_BYTES = 32;

  private HardLimits() {}

  /**
   * UTF-8 length of a string, counting what Java would write for it (a lone surrogate as the one
   * byte of '?'), without encoding it: every replica runs this on every header of every message.
   */
  public static int utf8Bytes(String s) {
    int bytes = 0;
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        bytes++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /** UTF-8 bytes of every key and value of a map together. */
  public static long utf8Bytes(Map<String, String> map) {
    long total = 0;
    for (Map.Entry<String, String> e : map.entrySet()) {
      total += utf8Bytes(e.getKey()) + utf8Bytes(e.getValue());
    }
    return total;
  }

  /** True when the string holds a lone surrogate, which has no UTF-8 form and changes on the way to disk. */
  public static boolean hasLoneSurrogate(String s) {
    return loneSurrogateAt(s) >= 0;
  }

  /** The index of the string's first lone surrogate, or -1 when it has none. */
  public static int loneSurrogateAt(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return i;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }
}
