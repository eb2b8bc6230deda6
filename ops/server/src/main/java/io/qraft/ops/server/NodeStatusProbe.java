package io.qraft.ops.server;

import io.qraft.api.v1.GroupStatus;
import io.qraft.api.v1.NodeStatusResponse;
import io.qraft.log.GroupIds;
import io.qraft.log.NodeAddress;
import io.qraft.log.ReplicatedLog;
import io.qraft.statemachine.ShardStateMachine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;

/** Reads what this node knows of itself: its groups and their state, threads, memory. */
final class NodeStatusProbe {
  private static final long PAGE_SIZE = 4096;

  private final ReplicatedLog log;

  NodeStatusProbe(ReplicatedLog log) {
    this.log = log;
  }

  NodeStatusResponse status() {
    return status(false);
  }

  NodeStatusResponse status(boolean checksums) {
    NodeAddress self = log.settings().self();
    NodeStatusResponse.Builder out = NodeStatusResponse.newBuilder().setNode(self.id())
        .setGrpcAddress(self.grpcAddress()).setRaftAddress(self.raftAddress())
        // Running means serving: a node whose Raft server or one of its groups closed is not.
        .setRunning(log.whyNotServing() == null)
        .setThreads(ManagementFactory.getThreadMXBean().getThreadCount())
        .setHeapUsedBytes(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed())
        .setResidentBytes(residentBytes());
    int groups = 0;
    int led = 0;
    for (RaftGroupId id : log.server().getGroupIds()) {
      RaftServer.Division d = log.division(id).orElse(null);
      // A division that is still starting has no role yet: not reported until it has one.
      if (d == null || d.getInfo().getCurrentRole() == null) {
        continue;
      }
      long applied = io.qraft.log.AppliedIndex.of(d);
      if (applied == io.qraft.log.AppliedIndex.STARTING) {
        continue;
      }
      groups++;
      if (d.getInfo().isLeader()) {
        led++;
      }
      GroupStatus.Builder g = GroupStatus.newBuilder().setGroup(GroupIds.text(id)).setNode(self.id())
          .setKind(id.equals(GroupIds.METADATA) ? "metadata" : "shard")
          .setRole(d.getInfo().getCurrentRole().name().toLowerCase())
          .setTerm(d.getInfo().getCurrentTerm())
          .setAppliedIndex(Math.max(0, applied))
          .setCommitIndex(Math.max(0, d.getRaftLog().getLastCommittedIndex()));
      if (d.getInfo().getLeaderId() != null) {
        g.setLeader(d.getInfo().getLeaderId().toString());
      }
      d.getGroup().getPeers().forEach(p -> g.addReplicas(p.getId().toString()));
      ShardStateMachine sm = log.localShards().get(id);
      if (sm != null) {
        g.setQueues(sm.queueCount()).setSnapshotIndex(sm.snapshotIndex()).setSnapshotsInstalled(sm.snapshotsInstalled());
      }
      long[] batches = log.batchCounts(id);
      g.setPublishBatches(batches[0]).setPublishesBatched(batches[1])
          .setPublishPendingBytes(log.pendingPublishBytes(id));
      if (checksums) {
        long[] sum = checksum(id, sm);
        g.setStateChecksum(sum[0]).setStateIndex(sum[1]);
      }
      out.addLocalGroups(g);
    }
    return out.setGroups(groups).setGroupsLed(led).build();
  }

  private long[] checksum(RaftGroupId id, ShardStateMachine sm) {
    try {
      return sm != null ? sm.checksum() : id.equals(GroupIds.METADATA) ? log.metadataChecksum() : new long[] {0, 0};
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static long residentBytes() {
    try {
      String[] fields = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
      return Long.parseLong(fields[1]) * PAGE_SIZE;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
