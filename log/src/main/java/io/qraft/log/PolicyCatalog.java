package io.qraft.log;

import io.qraft.api.Policy;
import io.qraft.api.log.v1.ClearPolicy;
import io.qraft.api.log.v1.MetaCommand;
import io.qraft.api.log.v1.SetPolicy;
import io.qraft.statemachine.Status;
import java.util.List;

/**
 * Sets and clears policies. Runs on the metadata leader, as declares do, so
 * that an operator's calls are applied in the order they were answered.
 * A policy is checked in full before it is submitted (including that
 * {@code ha-mode nodes} names a node of this cluster), so a bad one is
 * refused with the reason and nothing is stored.
 */
public final class PolicyCatalog {
  private final ReplicatedLog log;

  PolicyCatalog(ReplicatedLog log) {
    this.log = log;
  }

  /**
   * Stores the policy, replacing the one of the same name.
   *
   * @return true when no policy of that name existed
   */
  public synchronized boolean set(Policy policy) {
    requireMetadataLeader();
    try {
      policy.definition().requireKnownNodes(log.liveMembers());
    } catch (IllegalArgumentException e) {
      throw new RequestException(Status.INVALID_ARGUMENT, e.getMessage());
    }
    int cap = log.settings().caps().maxPolicies();
    if (log.metadata().policy(policy.name()) == null && log.metadata().policies().size() >= cap) {
      throw new RequestException(Status.RESOURCE_EXHAUSTED, "the cluster holds " + cap + " policies, its limit"
          + " (limits.max_policies): clear a policy first");
    }
    return Answers.ok(Answers.await(log.submitMeta(MetaCommand.newBuilder()
        .setSetPolicy(SetPolicy.newBuilder().setPolicy(policy.toDef()).setMaxPolicies(cap)).build()))).getCreated();
  }

  /** @throws RequestException NOT_FOUND when there is no policy of that name */
  public synchronized void clear(String name) {
    requireMetadataLeader();
    Answers.ok(Answers.await(log.submitMeta(MetaCommand.newBuilder()
        .setClearPolicy(ClearPolicy.newBuilder().setName(name)).build())));
  }

  /** The policies as this node's metadata replica knows them, sorted by name. */
  public List<Policy> list() {
    List<Policy> out = new java.util.ArrayList<>();
    for (io.qraft.api.log.v1.PolicyDef def : log.metadata().policies()) {
      java.util.Optional<Policy> policy = Policy.stored(def);
      if (policy.isPresent()) {
        out.add(policy.get());
      } else {
        org.slf4j.LoggerFactory.getLogger(PolicyCatalog.class).warn("policy '{}' (pattern {}) was stored by an earlier"
            + " version and no longer validates (patterns are RE2 syntax now); it applies to no queue: set it again"
            + " or clear it", def.getName(), def.getPattern());
      }
    }
    return out;
  }

  private void requireMetadataLeader() {
    if (!log.isLeader(GroupIds.METADATA)) {
      throw new LeaderElsewhereException("policies are set on the metadata leader", log.leaderOf(GroupIds.METADATA));
    }
  }
}
