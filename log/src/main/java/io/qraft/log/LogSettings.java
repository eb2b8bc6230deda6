package io.qraft.log;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What the replicated log of a node needs to know, already validated by the
 * node's config. The Ratis keys they turn into are set in one place:
 * {@link RatisProperties}.
 *
 * @param raftBindHost host the Raft server binds (its port is this node's raftPort)
 * @param electionTimeoutMin a follower that heard nothing from its leader for a random time
 *     between min and max stands for election; the leader heartbeats every min / 2
 * @param snapshotThreshold log entries between automatic snapshots of a group
 * @param logKeepEntries entries kept behind a snapshot, so that a replica that was down
 *     briefly catches up from the log rather than by snapshot
 * @param maxEntryBytes the largest Raft log entry (a publish batch must fit)
 * @param shardsPerReplicaSet shards created for a replica set before its queues share them
 * @param shardsMaxPerNode most groups (shards and dedicated) with a replica on one node
 * @param getLease how long messages fetched by Get without ack stay outstanding
 * @param reattachGrace how long an attached consumer that is not subscribed on the leader (it
 *     was on the old leader) keeps its outstanding deliveries before they return to the queue
 * @param batch when publishes are cut into a log entry; a queue's arguments override the count and
 *     linger, and can only lower the bytes (an entry must fit raft.max_entry_bytes)
 * @param batchMaxInFlight publish entries per group in the log's hands at once
 * @param flowMaxPendingBytes publish bytes per group accepted and not yet answered before
 *     streaming publishers are held back
 * @param caps the most queues and policies the cluster holds, stamped into the metadata
 *     commands this node submits as metadata leader
 * @param closeThreshold a process pause longer than this closes the Raft server (and the
 *     node then exits, see {@link ServingWatch})
 */
public record LogSettings(
    String nodeId,
    Path dataDir,
    String raftBindHost,
    List<NodeAddress> members,
    Duration electionTimeoutMin,
    Duration electionTimeoutMax,
    long snapshotThreshold,
    long logKeepEntries,
    long segmentSizeBytes,
    int maxEntryBytes,
    int shardsPerReplicaSet,
    int shardsMaxPerNode,
    Duration getLease,
    Duration reattachGrace,
    BatchLimits batch,
    int batchMaxInFlight,
    long flowMaxPendingBytes,
    CatalogCaps caps,
    Duration closeThreshold) {

  public NodeAddress self() {
    return member(nodeId);
  }

  public NodeAddress member(String id) {
    for (NodeAddress m : members) {
      if (m.id().equals(id)) {
        return m;
      }
    }
    throw new IllegalArgumentException("no cluster member " + id);
  }
}
