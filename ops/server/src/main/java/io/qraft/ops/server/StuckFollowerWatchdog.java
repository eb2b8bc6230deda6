package io.qraft.ops.server;

import io.qraft.api.v1.GroupStatus;
import io.qraft.api.v1.NodeStatusResponse;
import io.qraft.log.GroupIds;
import io.qraft.log.ReplicatedLog;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works around a Ratis 3.3 leader bug (fixed upstream by RATIS-2605, not released): a
 * heartbeat reply can push the leader's idea of a follower's match index past what the
 * follower holds, after which the leader answers every "inconsistent, send from N" with
 * heartbeats again and never sends the missing entries. Seen after a follower with an
 * uncommitted tail from its own term was killed and restarted: it stays behind for good, and
 * the group runs on two replicas out of three.
 *
 * <p>On the leader of each group, every {@link #PERIOD_S} seconds: a follower whose applied
 * index is below the leader's commit index and has not moved for {@link #STUCK_AFTER_MS} is
 * stuck; leadership moves to another replica that is up to date, and the new leader's
 * appenders start from a clean view of every follower. Nothing is lost either way (the
 * committed entries are on a majority); what this restores is the third copy.
 */
final class StuckFollowerWatchdog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StuckFollowerWatchdog.class);
  static final long PERIOD_S = 5;
  static final long STUCK_AFTER_MS = 30_000;

  private final ReplicatedLog log;
  private final ClusterStatuses statuses;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "qraft-stuck-follower-watchdog");
    t.setDaemon(true);
    return t;
  });
  private final FollowerProgress progress = new FollowerProgress(STUCK_AFTER_MS);

  StuckFollowerWatchdog(ReplicatedLog log, ClusterStatuses statuses) {
    this.log = log;
    this.statuses = statuses;
  }

  StuckFollowerWatchdog start() {
    timer.scheduleWithFixedDelay(this::check, PERIOD_S, PERIOD_S, TimeUnit.SECONDS);
    return this;
  }

  private void check() {
    try {
      Map<String, Optional<NodeStatusResponse>> peers = new HashMap<>();
      long now = TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
      for (RaftGroupId id : log.server().getGroupIds()) {
        if (!log.isLeader(id)) {
          continue;
        }
        RaftServer.Division d = log.division(id).orElse(null);
        if (d == null) {
          continue;
        }
        String group = GroupIds.text(id);
        long commit = d.getRaftLog().getLastCommittedIndex();
        for (RaftPeer p : d.getGroup().getPeers()) {
          String peer = p.getId().toString();
          if (peer.equals(log.settings().nodeId())) {
            continue;
          }
          Optional<Long> applied = peers.computeIfAbsent(peer, this::status)
              .flatMap(s -> s.getLocalGroupsList().stream().filter(g -> g.getGroup().equals(group)).findFirst())
              .map(GroupStatus::getAppliedIndex);
          if (applied.isPresent() && progress.observe(group + "/" + peer, applied.get(), commit, now)) {
            unstick(id, d, peer, applied.get(), commit, peers);
          }
        }
      }
      progress.endRound();
    } catch (RuntimeException e) {
      LOG.debug("stuck-follower check failed: {}", e.toString());
    }
  }

  private void unstick(RaftGroupId id, RaftServer.Division d, String stuck, long applied, long commit,
      Map<String, Optional<NodeStatusResponse>> peers) {
    String group = GroupIds.text(id);
    for (RaftPeer p : d.getGroup().getPeers()) {
      String candidate = p.getId().toString();
      if (candidate.equals(stuck) || candidate.equals(log.settings().nodeId())) {
        continue;
      }
      boolean current = peers.computeIfAbsent(candidate, this::status)
          .flatMap(s -> s.getLocalGroupsList().stream().filter(g -> g.getGroup().equals(group)).findFirst())
          .map(g -> g.getAppliedIndex() >= commit - 1).orElse(false);
      if (current) {
        LOG.warn("{}: follower {} has stayed at applied index {} (commit {}) for {} s while answering; moving"
            + " leadership to {} so that replication to it starts afresh", id, stuck, applied, commit,
            STUCK_AFTER_MS / 1000, candidate);
        String error = log.moveLeader(id, candidate, log.settings().electionTimeoutMax().toMillis() * 2);
        if (error != null) {
          LOG.warn("{}: could not move leadership to {}: {}", id, candidate, error);
        }
        return;
      }
    }
    LOG.warn("{}: follower {} has stayed at applied index {} (commit {}) and no other replica is up to date"
        + " to take over; leaving it", id, stuck, applied, commit);
  }

  private Optional<NodeStatusResponse> status(String node) {
    NodeStatusResponse s = statuses.of(node);
    return s.getRunning() ? Optional.of(s) : Optional.empty();
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
