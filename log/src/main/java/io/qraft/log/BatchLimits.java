package io.qraft.log;

import java.util.Map;

/**
 * When a batch of publishes is cut into a log entry: at maxMessages messages,
 * at maxBytes bytes, or lingerMs after its first message (0: as soon as the
 * log can take another entry, so a lone message never waits).
 */
public record BatchLimits(int maxMessages, long maxBytes, long lingerMs) {
  public static final String BATCH_SIZE = "batch-size";
  public static final String BATCH_BYTES = "batch-bytes";
  public static final String BATCH_LINGER_MS = "batch-linger-ms";

  /** These limits with a queue's declare arguments (if any) applied over them. */
  public BatchLimits forQueue(Map<String, String> arguments) {
    int messages = maxMessages;
    long bytes = maxBytes;
    long linger = lingerMs;
    if (arguments.containsKey(BATCH_SIZE)) {
      messages = Integer.parseInt(arguments.get(BATCH_SIZE));
    }
    if (arguments.containsKey(BATCH_BYTES)) {
      bytes = Math.min(maxBytes, Long.parseLong(arguments.get(BATCH_BYTES)));
    }
    if (arguments.containsKey(BATCH_LINGER_MS)) {
      linger = Long.parseLong(arguments.get(BATCH_LINGER_MS));
    }
    return new BatchLimits(messages, bytes, linger);
  }
}
