package io.qraft.log;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
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

  /** Pause before asking a group that has not started yet again. */
  private static final long NOT_STARTED_RETRY_MS = 50;

  private final ReplicatedLog log;
  private final Map<RaftGroupId, RaftClient> clients = new ConcurrentHashMap<>();

  GroupClients(ReplicatedLog log) {
    this.log = log;
  }

  CompletableFuture<Message> send(RaftGroupId group, Message message) {
    return untilStarted(group, c -> c.async().send(message), System.nanoTime());
  }

  /** As {@link #send}, to a group metadata has just added: see {@link #untilStarted}. */
  CompletableFuture<Message> sendToNewGroup(RaftGroupId group, Message message) {
    return untilStarted(group, c -> c.async().send(message), System.nanoTime() + startWaitNanos());
  }

  CompletableFuture<Message> query(RaftGroupId group, Message message) {
    return untilStarted(group, c -> c.async().sendReadOnly(message), System.nanoTime());
  }

  /**
   * A shard that metadata has just added may not have started on its replicas yet: they answer
   * "group not found", which the Raft client does not retry and which closes its ordered window
   * for good. The request was not taken then, so it goes again, on a new client, until the
   * group has started or the deadline has passed (a node that declares a queue on a shard it
   * holds no replica of sends the queue's creation straight after adding the shard). Requests
   * to groups that exist already get no such wait: "not found" there means removed, at once.
   */
  private CompletableFuture<Message> untilStarted(RaftGroupId group,
      Function<RaftClient, CompletableFuture<RaftClientReply>> call, long deadlineNanos) {
    RaftClient c = client(group);
    return bounded(call.apply(c)).handle((reply, error) -> {
      if (notStarted(reply, error) && System.nanoTime() < deadlineNanos) {
        discard(group, c);
        return CompletableFuture.runAsync(() -> { },
                CompletableFuture.delayedExecutor(NOT_STARTED_RETRY_MS, TimeUnit.MILLISECONDS))
            .thenCompose(ignored -> untilStarted(group, call, deadlineNanos));
      }
      return CompletableFuture.completedFuture(result(group, c, reply, error));
    }).thenCompose(next -> next);
  }

  private static boolean notStarted(RaftClientReply reply, Throwable error) {
    // The client fails the request with "window closed", caused by the group's answer.
    for (Throwable t = error != null ? error : reply.isSuccess() ? null : reply.getException(); t != null;
        t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof GroupMismatchException) {
        return true;
      }
    }
    return false;
  }

  /** Long enough for a busy node to start a new group's division; short of the callers' deadlines. */
  private long startWaitNanos() {
    return TimeUnit.MILLISECONDS.toNanos(log.settings().electionTimeoutMax().toMillis() * 2);
  }

  /**
   * The caller gets an answer within a few election timeouts even while the Raft client keeps
   * retrying (a node still starting, a group without a leader): it then fails as unavailable
   * and the client application retries, deduplicated, elsewhere.
   */
  private <T> CompletableFuture<T> bounded(CompletableFuture<T> call) {
    return call.orTimeout(callBoundMs(log.settings()), TimeUnit.MILLISECONDS);
  }

  /**
   * How a node's Raft client retries a request it forwards. While a group elects, the client
   * asks the peers in turn; a sleep that grows to seconds would hold a forwarded publish that
   * long after the new leader is ready, so the sleep stays a small fraction of the election
   * timeout (at most a fortieth, 25 ms at the default 1 s, before Ratis's jitter of x0.5-1.5):
   * after a leader kill, the last sleep is part of the pause every producer sees. A node
   * forwards at most a few batches per group at a time, so the extra attempts cost little.
   * The attempts cover {@link #callBoundMs}.
   */
  static RetryPolicy forwardingRetry(LogSettings settings) {
    long maxSleepMs = Math.max(10, settings.electionTimeoutMin().toMillis() / 40);
    return ExponentialBackoffRetry.newBuilder()
        .setBaseSleepTime(TimeDuration.valueOf(Math.min(10, maxSleepMs), TimeUnit.MILLISECONDS))
        .setMaxSleepTime(TimeDuration.valueOf(maxSleepMs, TimeUnit.MILLISECONDS))
        .setMaxAttempts((int) Math.max(30, callBoundMs(settings) / maxSleepMs))
        .build();
  }

  /** How long a request may take, its Raft client's retries included. */
  static long callBoundMs(LogSettings settings) {
    return settings.electionTimeoutMax().toMillis() * 5;
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
  String transferLeadership(RaftGroupId group, org.apache.ratis.protocol.RaftPeerId to, long timeoutMs,
      boolean newGroup) {
    long deadline = System.nanoTime() + (newGroup ? startWaitNanos() : 0);
    while (true) {
      RaftClient c = client(group);
      String why;
      boolean notStarted;
      try {
        RaftClientReply reply = c.admin().transferLeadership(to, timeoutMs);
        if (reply.isSuccess()) {
          return null;
        }
        why = String.valueOf(reply.getException());
        notStarted = notStarted(reply, null);
      } catch (IOException e) {
        why = e.toString();
        notStarted = notStarted(null, e);
      }
      // A failed admin call can leave the client's window closed: later sends get a new one.
      discard(group, c);
      if (!notStarted || System.nanoTime() >= deadline) {
        LOG.info("leadership of {} stays where it is: {}", group, why);
        return why;
      }
      try {
        Thread.sleep(NOT_STARTED_RETRY_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return why;
      }
    }
  }

  private Message result(RaftGroupId group, RaftClient c, RaftClientReply reply, Throwable error) {
    if (error != null) {
      discard(group, c);
      throw new LogUnavailableException("group " + group + " did not answer: " + Reasons.of(error),
          ReplicatedLog.unwrap(error));
    }
    if (!reply.isSuccess()) {
      throw new LogUnavailableException("group " + group + " refused the request: " + Reasons.of(reply.getException()),
          reply.getException());
    }
    return reply.getMessage();
  }

  private RaftClient client(RaftGroupId group) {
    return clients.computeIfAbsent(group, g -> {
      RaftProperties p = new RaftProperties();
      long timeoutMs = log.settings().electionTimeoutMax().toMillis() * 3;
      RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(timeoutMs, TimeUnit.MILLISECONDS));
      RetryPolicy retry = forwardingRetry(log.settings());
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
