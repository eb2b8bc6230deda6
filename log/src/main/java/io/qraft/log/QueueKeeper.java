package io.qraft.log;

import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.QueueLimits;
import io.qraft.api.log.v1.QueueRecord;
import io.qraft.api.log.v1.SetLimits;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.log.v1.Tick;
import io.qraft.statemachine.ShardStateMachine;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroupId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the queues' limits going, once a second, on the node that leads: in each shard it
 * leads, a {@code SetLimits} entry for every queue whose limits differ from what its declare
 * arguments and policy say now (so a policy change applies live, and a new leader mends what an
 * old one missed), and a {@code Tick} while the shard has anything that time decides (expiry,
 * consumer timeouts, delayed requeues). On the metadata leader: queues unused past their
 * {@code expires} are deleted.
 *
 * <p>Every decision that changes a queue is the shard's, made on the time in the entry; this
 * class only decides when to ask. Thread-safety: runs on its own scheduler thread.
 */
final class QueueKeeper {
  private static final Logger LOG = LoggerFactory.getLogger(QueueKeeper.class);
  static final long PERIOD_MS = 1_000;
  /** How often a queue whose head shard has no replica here is asked whether it expired. */
  private static final long REMOTE_EXPIRY_CHECK_MS = 10_000;

  private final ReplicatedLog log;
  private final ConsumerHub hub;
  /** Queues last asked to expire without a local replica to read, by name: when (ms). */
  private final Map<String, Long> remoteChecked = new HashMap<>();

  QueueKeeper(ReplicatedLog log, ConsumerHub hub, ScheduledExecutorService scheduler) {
    this.log = log;
    this.hub = hub;
    scheduler.scheduleWithFixedDelay(this::runSafely, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
  }

  private void runSafely() {
    try {
      for (Map.Entry<RaftGroupId, ShardStateMachine> e : log.localShards().entrySet()) {
        if (log.isLeader(e.getKey())) {
          keep(e.getKey(), e.getValue());
        }
      }
      if (log.isLeader(io.qraft.log.GroupIds.METADATA)) {
        expireUnused();
      }
    } catch (RuntimeException e) {
      // Next second again; one failure must not end the schedule.
      LOG.warn("keeping queue limits failed: {}", e.toString());
    }
  }

  private void keep(RaftGroupId group, ShardStateMachine shard) {
    for (QueueRecord record : shard.queueRecords()) {
      QueueDef def = log.metadata().queue(record.getName());
      if (def == null) {
        continue;
      }
      QueueLimits want = log.effectivePolicy(def).limits();
      if (!want.equals(record.getLimits())) {
        submit(group, ShardCommand.newBuilder().setSetLimits(SetLimits.newBuilder()
            .setQueue(record.getName()).setLimits(want)).build());
      }
    }
    List<String> used = hub.queuesWithUnattachedConsumers(group);
    if (shard.wantsTicks() || !used.isEmpty()) {
      submit(group, ShardCommand.newBuilder().setTick(Tick.newBuilder().addAllUsedQueues(used)).build());
    }
  }

  private void submit(RaftGroupId group, ShardCommand command) {
    log.submitShardLocally(group, command).whenComplete((r, e) -> {
      if (e != null) {
        LOG.debug("{} to {} not taken: {}", command.getKindCase(), group, e.toString());
      } else if (r.getErrorCode() != 0) {
        LOG.warn("{} to {} refused: {}", command.getKindCase(), group, r.getErrorMessage());
      }
    });
  }

  /**
   * Deletes the queues whose expires has passed: read where this node has a replica of the
   * head shard; the shard makes the final decision ({@code DeleteQueue.only_if_expired}), so a
   * replica behind or a publish in between cannot delete a queue in use.
   */
  private void expireUnused() {
    long now = System.currentTimeMillis();
    for (QueueDef def : log.metadata().queues()) {
      long expires = log.effectivePolicy(def).limits().getExpiresMs();
      if (expires <= 0 || !def.getMovingTo().isEmpty()) {
        continue;
      }
      ShardStateMachine shard = log.localShards().get(GroupIds.parse(def.getGroup()));
      QueueRecord record = shard == null ? null : shard.queueRecord(def.getName());
      if (record != null) {
        if (!record.getConsumersList().isEmpty() || now - record.getLastUsedMs() < expires
            || record.getLimits().getExpiresMs() <= 0) {
          continue;
        }
      } else if (now - remoteChecked.getOrDefault(def.getName(), 0L) < REMOTE_EXPIRY_CHECK_MS) {
        continue;
      } else {
        remoteChecked.put(def.getName(), now);
      }
      try {
        if (log.catalog().deleteIfExpired(def.getName())) {
          LOG.info("queue '{}' was unused for its expires ({} ms) and is deleted", def.getName(), expires);
          remoteChecked.remove(def.getName());
        }
      } catch (RuntimeException e) {
        LOG.debug("expiring queue '{}' failed: {}", def.getName(), e.toString());
      }
    }
    remoteChecked.keySet().retainAll(log.metadata().queues().stream().map(QueueDef::getName).toList());
  }
}
