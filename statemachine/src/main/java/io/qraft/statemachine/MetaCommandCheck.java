package io.qraft.statemachine;

import io.qraft.api.HardLimits;
import io.qraft.api.QueueNames;
import io.qraft.api.UserPermissions;
import io.qraft.api.UserRules;
import io.qraft.api.log.v1.MetaCommand;
import io.qraft.api.log.v1.PolicyDef;
import io.qraft.api.log.v1.ShardDef;
import java.util.List;

/**
 * What the metadata machine refuses in a committed entry before it changes
 * anything: names and sizes against {@link HardLimits}, as
 * {@link ShardCommandCheck} does for shards. A policy's own rules (keys,
 * values, pattern syntax) are checked where it is stored. User commands
 * are checked whole here ({@link UserRules}, {@link UserPermissions}): only
 * whether the user exists, and the cap on users, depend on the state.
 *
 * <p>Stateless; thread-safe.
 */
final class MetaCommandCheck {
  private MetaCommandCheck() {}

  /** Null when the command may be applied, else why it is refused. */
  static String problem(MetaCommand c) {
    return switch (c.getKindCase()) {
      case ADD_SHARD -> shard(c.getAddShard().getShard());
      case REMOVE_SHARD -> group(c.getRemoveShard().getGroup());
      case BIND_QUEUE -> firstOf(queue(c.getBindQueue().getQueue()), group(c.getBindQueue().getGroup()),
          ShardCommandCheck.arguments(c.getBindQueue().getArgumentsMap()));
      case UNBIND_QUEUE -> queue(c.getUnbindQueue().getQueue());
      case SET_POLICY -> policy(c.getSetPolicy().getPolicy());
      case CLEAR_POLICY -> ShardCommandCheck.text("policy name", c.getClearPolicy().getName(), HardLimits.POLICY_NAME_BYTES);
      case BEGIN_MOVE -> firstOf(queue(c.getBeginMove().getQueue()), group(c.getBeginMove().getToGroup()));
      case FINISH_MOVE -> firstOf(queue(c.getFinishMove().getQueue()), group(c.getFinishMove().getToGroup()));
      case DROP_PART -> firstOf(queue(c.getDropPart().getQueue()), group(c.getDropPart().getGroup()));
      case SET_QUEUE_SYNC -> queue(c.getSetQueueSync().getQueue());
      case PIN_REPLICAS -> firstOf(queue(c.getPinReplicas().getQueue()), nodes(c.getPinReplicas().getReplicasList()),
          ShardCommandCheck.text("pinned-for text", c.getPinReplicas().getPinnedFor(), HardLimits.POLICY_DEFINITION_BYTES));
      case FORGET_NODE -> c.getForgetNode().getNode().isEmpty() ? "give the node to forget" : node(c.getForgetNode().getNode());
      case REPLACE_REPLICA -> firstOf(group(c.getReplaceReplica().getGroup()), node(c.getReplaceReplica().getNode()),
          c.getReplaceReplica().getReplacement().isEmpty() ? null : node(c.getReplaceReplica().getReplacement()));
      case MEMBERSHIP_SET -> group(c.getMembershipSet().getGroup());
      case CLEAR_STALE_PART -> firstOf(queue(c.getClearStalePart().getQueue()), group(c.getClearStalePart().getGroup()));
      case SET_CLUSTER_SECRET -> c.getSetClusterSecret().getSecret().size() == HardLimits.CLUSTER_SECRET_BYTES ? null
          : "a cluster secret is " + HardLimits.CLUSTER_SECRET_BYTES + " bytes, not " + c.getSetClusterSecret().getSecret().size();
      case PUT_USER -> firstOf(user(c.getPutUser().getName()), UserRules.hashProblem(c.getPutUser().getPasswordHash()),
          UserRules.tagsProblem(c.getPutUser().getTagsList()));
      case DELETE_USER -> user(c.getDeleteUser().getName());
      case SET_USER_TAGS -> firstOf(user(c.getSetUserTags().getName()), UserRules.tagsProblem(c.getSetUserTags().getTagsList()));
      case CHANGE_PASSWORD -> firstOf(user(c.getChangePassword().getName()),
          UserRules.hashProblem(c.getChangePassword().getPasswordHash()));
      case SET_PERMISSIONS -> firstOf(user(c.getSetPermissions().getUser()), UserPermissions.problem(
          c.getSetPermissions().getConfigure(), c.getSetPermissions().getWrite(), c.getSetPermissions().getRead()));
      case CLEAR_PERMISSIONS -> user(c.getClearPermissions().getUser());
      case COMMIT_NOTICE -> null;
      case KIND_NOT_SET -> "empty metadata command";
    };
  }

  private static String shard(ShardDef s) {
    return firstOf(group(s.getGroup()), s.getReplicasCount() == 0 ? "a shard needs a replica" : null,
        new java.util.HashSet<>(s.getReplicasList()).size() != s.getReplicasCount() ? "a shard lists a replica twice" : null,
        nodes(s.getReplicasList()), s.getPreferredLeader().isEmpty() ? null : node(s.getPreferredLeader()),
        s.getJoining().isEmpty() ? null : node(s.getJoining()));
  }

  private static String policy(PolicyDef p) {
    long bytes = HardLimits.utf8Bytes(p.getDefinitionMap());
    if (bytes > HardLimits.POLICY_DEFINITION_BYTES) {
      return "policy definition is " + bytes + " bytes; the most is " + HardLimits.POLICY_DEFINITION_BYTES;
    }
    return null;
  }

  private static String user(String name) {
    return UserRules.nameProblem(name);
  }

  private static String queue(String name) {
    return QueueNames.problem(name);
  }

  private static String group(String group) {
    return ShardCommandCheck.internalName("group", group);
  }

  private static String node(String node) {
    return ShardCommandCheck.internalName("node", node);
  }

  private static String nodes(List<String> nodes) {
    for (String n : nodes) {
      String problem = node(n);
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private static String firstOf(String... problems) {
    return ShardCommandCheck.firstOf(problems);
  }
}
