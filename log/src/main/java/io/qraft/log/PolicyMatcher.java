package io.qraft.log;

import io.qraft.api.Policy;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/**
 * Which policy applies to a queue: of the policies that apply to queues and
 * whose pattern is found in the queue's name, the one of highest priority; of
 * equal priorities, the one whose name sorts first (lexicographically, by
 * {@link String#compareTo}), so that every node picks the same one whatever
 * order it holds them in. At most one policy applies to a queue.
 *
 * <p>Stateless; thread-safe.
 */
public final class PolicyMatcher {
  /** Best first: highest priority, then smallest name. */
  static final Comparator<Policy> PRECEDENCE = Comparator.comparingInt(Policy::priority).reversed()
      .thenComparing(Policy::name);

  private PolicyMatcher() {}

  public static Optional<Policy> applying(String queue, Collection<Policy> policies) {
    return policies.stream()
        .filter(p -> Policy.APPLY_TO_QUEUES.equals(p.applyTo()) && p.matches(queue))
        .min(PRECEDENCE);
  }
}
