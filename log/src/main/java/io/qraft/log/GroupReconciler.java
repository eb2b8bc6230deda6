package io.qraft.log;

import io.qraft.api.log.v1.ShardDef;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the groups hosted on this node follow the metadata: a shard listed
 * with this node among its replicas gets a local replica; a group the
 * metadata records as removed loses it. Driven by metadata changes and by a
 * periodic pass, so a node that was down when a shard was created joins it
 * when it comes back. A node that joins a shard as a replacement for a
 * forgotten node starts it with no members (see {@link NodeForgetter}).
 *
 * <p>A group is removed only when the metadata says it was removed, never
 * because the metadata does not (yet) list it: after a restart the metadata
 * replays after the groups are up.
 */
final class GroupReconciler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupReconciler.class);
  private static final long PERIOD_MS = 2000;

  private final ReplicatedLog log;
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "qraft-reconciler");
    t.setDaemon(true);
    return t;
  });
  private final AtomicBoolean pending = new AtomicBoolean();
  private volatile boolean started;

  GroupReconciler(ReplicatedLog log) {
    this.log = log;
  }

  void start() {
    started = true;
    executor.scheduleWithFixedDelay(this::reconcileQuietly, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
  }

  /** Called on the metadata apply thread: schedule a pass, do not block. */
  void metadataChanged() {
    if (started && pending.compareAndSet(false, true)) {
      executor.execute(() -> {
        pending.set(false);
        reconcileQuietly();
      });
    }
  }

  private void reconcileQuietly() {
    try {
      reconcile();
    } catch (Exception e) {
      LOG.warn("group reconciliation failed; will retry", e);
    }
  }

  private void reconcile() throws Exception {
    String self = log.settings().nodeId();
    Set<RaftGroupId> local = new HashSet<>();
    log.server().getGroupIds().forEach(local::add);
    for (ShardDef shard : log.metadata().shards()) {
      RaftGroupId id = GroupIds.parse(shard.getGroup());
      if (shard.getReplicasList().contains(self) && !local.contains(id)) {
        // A replacement member (forget_node) starts empty and learns the members from the
        // leader's configuration change; listing them itself, it could call elections in a
        // group that does not count it yet.
        RaftGroup group = self.equals(shard.getJoining()) ? RaftGroup.valueOf(id) : log.groupOf(shard);
        RaftClientReply reply = log.server().groupManagement(GroupManagementRequest.newAdd(
            log.clientId(), log.server().getId(), log.nextCallId(), group));
        if (reply.isSuccess()) {
          LOG.info("joined shard {} (replicas {})", id, shard.getReplicasList());
        } else {
          LOG.warn("could not add shard {}: {}", id, reply.getException());
        }
      }
    }
    for (RaftGroupId id : local) {
      if (!id.equals(GroupIds.METADATA) && log.metadata().wasRemoved(GroupIds.text(id))) {
        RaftClientReply reply = log.server().groupManagement(GroupManagementRequest.newRemove(
            log.clientId(), log.server().getId(), log.nextCallId(), id, true, false));
        if (reply.isSuccess()) {
          log.forgetShard(id);
          LOG.info("left removed shard {}", id);
        } else {
          LOG.warn("could not remove shard {}: {}", id, reply.getException());
        }
      }
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
