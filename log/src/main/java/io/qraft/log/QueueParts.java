package io.qraft.log;

import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.ShardDef;
import io.qraft.statemachine.MetaMachine;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Where a queue's messages are. A queue that moved keeps its older messages
 * in the shards it left (old parts, oldest first) and takes publishes on its
 * head shard; consumers are served by the oldest part that still has
 * messages, so per-queue order holds across a move.
 */
public final class QueueParts {
  private QueueParts() {}

  /** The shard whose messages a consumer gets next: the oldest part, else the head. */
  public static String deliveryGroup(QueueDef def) {
    return def.getOldPartsCount() > 0 ? def.getOldParts(0) : def.getGroup();
  }

  /** Every shard holding messages of the queue: old parts oldest first, then the head. */
  public static List<String> groups(QueueDef def) {
    List<String> out = new ArrayList<>(def.getOldPartsList());
    out.add(def.getGroup());
    return out;
  }

  /**
   * The nodes that hold every message of the queue: replicas of the head that are also
   * replicas of each old part (RabbitMQ's synchronised mirrors). Equal to the head's
   * replicas once no old part is left.
   */
  public static List<String> synchronisedReplicas(QueueDef def, MetaMachine meta) {
    ShardDef head = meta.shard(def.getGroup());
    if (head == null) {
      return List.of();
    }
    TreeSet<String> nodes = new TreeSet<>(head.getReplicasList());
    for (String part : def.getOldPartsList()) {
      ShardDef shard = meta.shard(part);
      nodes.retainAll(shard == null ? List.of() : shard.getReplicasList());
    }
    return new ArrayList<>(nodes);
  }
}
