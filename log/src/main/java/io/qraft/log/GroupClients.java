package io.qraft.log;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.retry.ExponentialBackoffRetry;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Raft client per group, for requests this node cannot submit locally
 * because another node leads the group. The client finds the leader and
 * follows it across elections, with a short bounded backoff (the Ratis
 * default retries forever without sleeping).
 */
final class GroupClients {
  private static final Logger LOG = LoggerFactory.getLogger(GroupClients.class);

  private final ReplicatedLog log;
  private final Map<RaftGroupId, RaftClient> clients = new ConcurrentHashMap<>();

  GroupClients(ReplicatedLog log) {
    this.log = log;
  }

  CompletableFuture<Message> send(RaftGroupId group, Message message) {
    RaftClient c = client(group);
    return bounded(c.async().send(message)).handle((reply, error) -> result(group, c, reply, error));
  }

  CompletableFuture<Message> query(RaftGroupId group, Message message) {
    RaftClient c = client(group);
    return bounded(c.async().sendReadOnly(message)).handle((reply, error) -> result(group, c, reply, error));
  }

  /**
   * The caller gets an answer within a few election timeouts even while the Raft client keeps
   * retrying (a node still starting, a group without a leader): it then fails as unavailable
   * and the client application retries, deduplicated, elsewhere.
   */
  private <T> CompletableFuture<T> bounded(CompletableFuture<T> call) {
    return call.orTimeout(log.settings().electionTimeoutMax().toMillis() * 5, TimeUnit.MILLISECONDS);
  }

  /**
   * Drops a client that failed: once its retries run out, a Ratis client closes its ordered
   * window for good and fails every later request, so the next request gets a new client.
   */
  private void discard(RaftGroupId group, RaftClient c) {
    if (clients.remove(group, c)) {
      closeQuietly(c);
    }
  }

  /** Null when the leadership moved; else why it stays where it is. */
  String transferLeadership(RaftGroupId group, org.apache.ratis.protocol.RaftPeerId to, long timeoutMs) {
    try {
      RaftClientReply reply = client(group).admin().transferLeadership(to, timeoutMs);
      if (!reply.isSuccess()) {
        LOG.info("leadership of {} stays where it is: {}", group, reply.getException());
        return String.valueOf(reply.getException());
      }
      return null;
    } catch (IOException e) {
      LOG.info("leadership of {} stays where it is: {}", group, e.toString());
      return e.toString();
    }
  }

  private Message result(RaftGroupId group, RaftClient c, RaftClientReply reply, Throwable error) {
    if (error != null) {
      discard(group, c);
      throw new LogUnavailableException("group " + group + " did not answer: " + ReplicatedLog.unwrap(error).getMessage(),
          ReplicatedLog.unwrap(error));
    }
    if (!reply.isSuccess()) {
      throw new LogUnavailableException("group " + group + " refused the request: " + reply.getException(),
          reply.getException());
    }
    return reply.getMessage();
  }

  private RaftClient client(RaftGroupId group) {
    return clients.computeIfAbsent(group, g -> {
      RaftProperties p = new RaftProperties();
      long timeoutMs = log.settings().electionTimeoutMax().toMillis() * 3;
      RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(timeoutMs, TimeUnit.MILLISECONDS));
      // While a group elects, the client asks the peers in turn; a sleep that grows to seconds
      // would hold a forwarded publish that long after the new leader is ready, so the sleep
      // stays a fraction of the election timeout. The attempts cover the bound above.
      long maxSleepMs = Math.max(20, log.settings().electionTimeoutMin().toMillis() / 10);
      RetryPolicy retry = ExponentialBackoffRetry.newBuilder()
          .setBaseSleepTime(TimeDuration.valueOf(Math.min(20, maxSleepMs), TimeUnit.MILLISECONDS))
          .setMaxSleepTime(TimeDuration.valueOf(maxSleepMs, TimeUnit.MILLISECONDS))
          .setMaxAttempts((int) Math.max(30, log.settings().electionTimeoutMax().toMillis() * 5 / maxSleepMs))
          .build();
      return RaftClient.newBuilder()
          .setClientId(org.apache.ratis.protocol.ClientId.randomId())
          .setRaftGroup(log.group(g))
          .setLeaderId(null)
          .setProperties(p)
          // The same mutual TLS as the Raft server: peers accept only clients with a certificate.
          .setParameters(log.tls().parameters())
          .setRetryPolicy(retry)
          .build();
    });
  }

  void close(RaftGroupId group) {
    RaftClient c = clients.remove(group);
    if (c != null) {
      closeQuietly(c);
    }
  }

  void closeAll() {
    clients.values().forEach(GroupClients::closeQuietly);
    clients.clear();
  }

  private static void closeQuietly(RaftClient c) {
    try {
      c.close();
    } catch (IOException e) {
      LOG.debug("closing a Raft client failed", e);
    }
  }
}
