package io.qraft.api;

import java.util.Map;

/**
 * A message's own time to live: its {@value #HEADER} header, a whole number of milliseconds
 * from 0 to {@value #MAX_MS} in ASCII digits (no sign, no spaces, no fraction, no unit). The
 * message expires after it, or after its queue's message-ttl when that is smaller.
 *
 * <p>One reading of the header for the node that refuses a bad one at its boundary and for the
 * replicas that expire messages by it: a value the node let through means the same everywhere.
 *
 * <p>Stateless; thread-safe.
 */
public final class MessageTtl {
  public static final String HEADER = "ttl-ms";
  /** The longest a header may give: 2^32 - 1 ms, about 49 days. */
  public static final long MAX_MS = 4_294_967_295L;

  private MessageTtl() {}

  /** The value in milliseconds, or -1 when it is not a whole number from 0 to {@link #MAX_MS}. */
  public static long millis(String value) {
    if (value.isEmpty()) {
      return -1;
    }
    long ms = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      ms = ms * 10 + (c - '0');
      // Checked at every digit, so that a value of any length never overflows.
      if (ms > MAX_MS) {
        return -1;
      }
    }
    return ms;
  }

  /**
   * Null when the headers of message {@code index} (its place in the publish, from 0) have no
   * {@value #HEADER} or a valid one, else a sentence naming the message, the header and the rule.
   */
  public static String problem(int index, Map<String, String> headers) {
    String value = headers.get(HEADER);
    if (value == null || millis(value) >= 0) {
      return null;
    }
    return "message " + index + " has header '" + HEADER + "' " + Quoted.of(value)
        + ": it must be a whole number of milliseconds from 0 to " + MAX_MS + ", in digits only";
  }
}
