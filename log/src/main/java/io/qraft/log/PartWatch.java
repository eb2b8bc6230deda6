package io.qraft.log;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Whether the old parts of moved queues answer, as the metadata leader sees
 * them when it probes each part once a tick. An old part whose shard lost its
 * majority never answers; {@code ha-promote-on-shutdown} then decides whether
 * the queue waits for it or gives it up. Memory only: a new metadata leader
 * starts watching afresh, so a part is never given up on another node's
 * stale observation.
 *
 * <p>Not thread-safe: used by the mover's one thread.
 */
final class PartWatch {
  private static final class Seen {
    /** Start of the first probe of the current run of failures; -1 while it answers. */
    long failingSinceMs = -1;
    /** Messages the part held when it last answered with a count; -1 when it never did. */
    long messages = -1;
  }

  private final LongSupplier clockMs;
  private final Map<String, Seen> parts = new HashMap<>();

  PartWatch(LongSupplier clockMs) {
    this.clockMs = clockMs;
  }

  /** The time to pass as {@code startedMs} for a probe starting now. */
  long now() {
    return clockMs.getAsLong();
  }

  void answered(String queue, String part, long messages) {
    Seen seen = seen(queue, part);
    seen.failingSinceMs = -1;
    seen.messages = messages;
  }

  /** The part answered without telling its count (an error status): alive, count unchanged. */
  void answeredWithoutCount(String queue, String part) {
    seen(queue, part).failingSinceMs = -1;
  }

  /** A probe that started at {@code startedMs} got no answer. */
  void failed(String queue, String part, long startedMs) {
    Seen seen = seen(queue, part);
    if (seen.failingSinceMs < 0) {
      seen.failingSinceMs = startedMs;
    }
  }

  /** True when the last probe of the part got no answer. */
  boolean failing(String queue, String part) {
    Seen seen = parts.get(key(queue, part));
    return seen != null && seen.failingSinceMs >= 0;
  }

  /** How long the part has gone without answering, without a break; 0 when it answered last. */
  long unavailableForMs(String queue, String part) {
    Seen seen = parts.get(key(queue, part));
    return seen == null || seen.failingSinceMs < 0 ? 0 : Math.max(0, clockMs.getAsLong() - seen.failingSinceMs);
  }

  /**
   * Messages the part held when it last answered; {@code otherwise} when this watch never
   * heard its count (a metadata leader elected after the part went away).
   */
  long lastSeenMessages(String queue, String part, long otherwise) {
    Seen seen = parts.get(key(queue, part));
    return seen == null || seen.messages < 0 ? otherwise : seen.messages;
  }

  /** Forgets every part not in {@code current} (dropped, given up, or its queue deleted). */
  void retain(Set<String> current) {
    parts.keySet().retainAll(current);
  }

  static String key(String queue, String part) {
    return queue + '\0' + part;
  }

  private Seen seen(String queue, String part) {
    return parts.computeIfAbsent(key(queue, part), k -> new Seen());
  }
}
