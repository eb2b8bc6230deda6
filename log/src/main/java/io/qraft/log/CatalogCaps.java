package io.qraft.log;

/**
 * How many queues and policies the cluster may hold. The metadata leader checks them before it
 * places a queue or stores a policy, and stamps them into the command it submits, so that every
 * replica refuses the same command even when the nodes' configurations differ.
 *
 * @param maxQueues most queues in the cluster (limits.max_queues)
 * @param maxPolicies most policies in the cluster (limits.max_policies)
 */
public record CatalogCaps(int maxQueues, int maxPolicies) {
  public CatalogCaps {
    if (maxQueues < 1 || maxPolicies < 1) {
      throw new IllegalArgumentException("caps must be positive: " + maxQueues + ", " + maxPolicies);
    }
  }
}
