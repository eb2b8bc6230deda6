package io.qraft.log;

import io.qraft.api.Policy;
import io.qraft.api.log.v1.QueueDef;
import io.qraft.statemachine.MetaMachine;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link EffectivePolicy} of each queue as this node's metadata replica
 * knows it, cached: publishes ask on every batch, and matching every policy's
 * pattern each time would cost more than the publish. An entry is good while
 * the metadata's policies are unchanged ({@link MetaMachine#policiesVersion})
 * and the queue has the arguments it was computed for; so a policy set,
 * changed or cleared applies to live queues from the next publish on.
 *
 * <p>Thread-safe: a stale read at worst computes an entry twice.
 */
final class EffectivePolicies {
  private final MetaMachine meta;
  private final Map<String, Cached> byQueue = new ConcurrentHashMap<>();
  private volatile Compiled compiled = new Compiled(-1, List.of());

  private record Compiled(long version, List<Policy> policies) {}

  private record Cached(long version, Map<String, String> arguments, EffectivePolicy effective) {}

  EffectivePolicies(MetaMachine meta) {
    this.meta = meta;
  }

  EffectivePolicy of(QueueDef queue) {
    // The version is read before the policies (in compiled()), so an entry is never
    // tagged newer than the policies it was computed from.
    long version = meta.policiesVersion();
    Cached cached = byQueue.get(queue.getName());
    if (cached != null && cached.version() == version && cached.arguments().equals(queue.getArgumentsMap())) {
      return cached.effective();
    }
    Compiled policies = compiled(version);
    EffectivePolicy effective = EffectivePolicy.of(queue.getName(), queue.getArgumentsMap(), policies.policies());
    byQueue.put(queue.getName(), new Cached(policies.version(), queue.getArgumentsMap(), effective));
    return effective;
  }

  /** What a queue with this name and these arguments would run with now (not cached: for declares). */
  EffectivePolicy of(String queue, Map<String, String> arguments) {
    return EffectivePolicy.of(queue, arguments, compiled(meta.policiesVersion()).policies());
  }

  /** Drops what is cached for a queue that was deleted. */
  void forget(String queue) {
    byQueue.remove(queue);
  }

  /** The policies compiled once per version (their patterns are regular expressions). */
  private Compiled compiled(long version) {
    Compiled current = compiled;
    if (current.version() == version) {
      return current;
    }
    // The metadata machine stores only policies it can read, but one loaded from a snapshot of an
    // earlier version may have a pattern RE2 cannot read: it applies to nothing (PolicyCatalog says so).
    List<Policy> policies = meta.policies().stream().map(Policy::stored).flatMap(java.util.Optional::stream).toList();
    Compiled fresh = new Compiled(version, policies);
    compiled = fresh;
    return fresh;
  }
}
