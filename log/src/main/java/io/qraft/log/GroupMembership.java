package io.qraft.log;

import io.qraft.api.log.v1.ShardDef;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.ExponentialBackoffRetry;
import org.apache.ratis.util.TimeDuration;

/**
 * Sets a shard's Raft configuration to the replica set the metadata lists. Asks through a
 * Raft client of its own that knows only the replicas holding the group already (a joining
 * replacement has nothing to answer with yet); the client finds the leader, which adds the
 * newcomer once its log has caught up. Rare (forget_node only), so the client is not kept.
 */
final class GroupMembership {
  private final ReplicatedLog log;

  GroupMembership(ReplicatedLog log) {
    this.log = log;
  }

  /** Null when the configuration is the replica set now (also when it was already); else why not. */
  String set(ShardDef shard) {
    List<RaftPeer> wanted = log.groupOf(shard).getPeers().stream().toList();
    List<RaftPeer> holders = new ArrayList<>();
    for (RaftPeer p : wanted) {
      if (!p.getId().toString().equals(shard.getJoining())) {
        holders.add(p);
      }
    }
    long timeoutMs = log.settings().electionTimeoutMax().toMillis() * 3;
    RaftProperties p = new RaftProperties();
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(timeoutMs, TimeUnit.MILLISECONDS));
    try (RaftClient client = RaftClient.newBuilder()
        .setClientId(ClientId.randomId())
        .setRaftGroup(RaftGroup.valueOf(GroupIds.parse(shard.getGroup()), holders))
        .setProperties(p)
        .setParameters(log.tls().parameters())
        // A few tries within one tick's work; the next tick asks again.
        .setRetryPolicy(ExponentialBackoffRetry.newBuilder()
            .setBaseSleepTime(TimeDuration.valueOf(100, TimeUnit.MILLISECONDS))
            .setMaxSleepTime(TimeDuration.valueOf(1, TimeUnit.SECONDS))
            .setMaxAttempts(5)
            .build())
        .build()) {
      RaftClientReply reply = client.admin().setConfiguration(wanted);
      return reply.isSuccess() ? null : String.valueOf(reply.getException());
    } catch (IOException | RuntimeException e) {
      return e.toString();
    }
  }
}
