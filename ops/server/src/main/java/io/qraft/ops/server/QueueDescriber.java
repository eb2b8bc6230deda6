package io.qraft.ops.server;

import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.QueueRecord;
import io.qraft.api.log.v1.ShardDef;
import io.qraft.api.v1.QueueInfo;
import io.qraft.log.EffectivePolicy;
import io.qraft.log.GroupIds;
import io.qraft.log.QueueParts;
import io.qraft.log.ReplicatedLog;
import io.qraft.statemachine.ShardStateMachine;
import java.util.Map;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * Builds what listings show of a queue. Counts come from this node's replica
 * of the queue's group: on a follower they may trail the leader by the
 * entries it has not applied yet.
 */
final class QueueDescriber {
  private final ReplicatedLog log;

  QueueDescriber(ReplicatedLog log) {
    this.log = log;
  }

  QueueInfo describe(QueueDef def) {
    return describe(def, Map.of());
  }

  /** @param leaders group leaders gathered from every node, for groups this node holds no replica of */
  QueueInfo describe(QueueDef def, Map<String, String> leaders) {
    RaftGroupId group = GroupIds.parse(def.getGroup());
    QueueInfo.Builder info = QueueInfo.newBuilder().setName(def.getName()).putAllArguments(def.getArgumentsMap())
        .setGroup(def.getGroup()).setMessagesGivenUp(def.getGivenUpMessages());
    String leader = log.leaderOf(group);
    if (leader == null) {
      leader = leaders.get(def.getGroup());
    }
    if (leader != null) {
      info.setLeader(leader);
    }
    ShardDef shard = log.metadata().shard(def.getGroup());
    if (shard != null) {
      info.addAllReplicas(shard.getReplicasList());
      // A replica lacking an old part of a queue that moved does not hold all its messages.
      info.addAllSynchronisedReplicas(QueueParts.synchronisedReplicas(def, log.metadata()));
    }
    EffectivePolicy effective = log.effectivePolicy(def);
    info.setPolicy(effective.policyName()).putAllEffectiveArguments(effective.settings())
        .setAckMode(effective.ackMode());
    // Counted from the parts this node holds a replica of (all of them on a synchronised replica),
    // and so are the counts of what the queue's limits did.
    for (String part : QueueParts.groups(def)) {
      ShardStateMachine sm = log.localShards().get(GroupIds.parse(part));
      QueueRecord record = sm == null ? null : sm.queueRecord(def.getName());
      if (record != null) {
        info.setMessages(info.getMessages() + record.getMessages())
            .setMessagesUnacked(info.getMessagesUnacked() + record.getUnacked())
            .setBytes(info.getBytes() + record.getBytes());
        LimitCounts.add(info, record.getCounters());
      }
    }
    if (log.isLeader(group)) {
      info.setConsumers(log.consumers().consumerCount(def.getName()));
    }
    return info.build();
  }
}
