package io.qraft.log;

import java.io.File;
import java.util.List;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * Every Ratis key qraft sets, in one place, with why. All groups on a node
 * share these (Ratis has no per-group settings).
 */
public final class RatisProperties {
  /**
   * Closed log segments each group keeps cached in the heap, beside its open segment (Ozone runs
   * with 2). One: a follower that lags further reads from disk, and the heap is not the place for
   * queue data (with 2 and a 32 MB cap, three busy groups held ~70 MB of entries on a 256 MB node).
   */
  static final int SEGMENT_CACHE_NUM = 1;
  /** Cap on a group's cached entries, open segment included. */
  static final long SEGMENT_CACHE_BYTES = 16L * 1024 * 1024;
  /**
   * How long a group remembers each reply, so that a Raft client's retry of the same call is
   * answered, not applied again: this must outlast every retry (a forwarding node's client gives
   * up after five election timeouts). Ratis keeps 60 s, which on a busy leader held a minute of
   * replies, deliveries with their bodies among them, in the heap.
   */
  static final int RETRY_CACHE_ELECTION_TIMEOUTS = 10;
  /** Parallel group start/stop on restart; unbounded by default, which floods two cores. */
  static final int PROXY_THREADS = 4;

  /**
   * How long a leader waits before trying a follower again after failed appends, as a Ratis
   * retry policy (pairs of sleep and count; each sleep is drawn from half to one and a half of
   * it). Ratis waits 1 s after 10 failures and 5 s after 30: a follower down for four seconds
   * has used those up, so when it comes back the leader leaves it alone for up to 7.5 s. It
   * hears no heartbeat meanwhile and misses every entry; in a failover test the restarted node
   * was still 2,200 entries behind 13 s after its restart, and when the leader was killed
   * then, the new leader had to send them all before its first commit (1.2 s). Here the
   * longest wait is a quarter of the minimum election timeout, at most 3/8 of it with the
   * random spread: under the heartbeat interval (half of it), so a follower that is back hears
   * from its leader before its own election timeout can fire. A refused connection costs the
   * leader next to nothing, so trying four times a second per group is cheap.
   */
  static String appenderRetryPolicy(long electionTimeoutMinMs) {
    long quarter = Math.max(1, electionTimeoutMinMs / 4);
    long tenth = Math.max(1, Math.min(quarter, electionTimeoutMinMs / 10));
    return "1ms,10, " + tenth + "ms,20, " + quarter + "ms," + Integer.MAX_VALUE;
  }

  /** System properties named OVERRIDE_PREFIX + a Ratis key set that key: for tuning experiments. */
  public static final String OVERRIDE_PREFIX = "qraft.ratis.";

  private RatisProperties() {}

  /**
   * Lets an operator or a benchmark try a Ratis key without a code change, e.g.
   * {@code -Dqraft.ratis.raft.server.log.append-entries.compose.enabled=false}. Applied last,
   * so it wins over the values above; an unknown key is ignored by Ratis, so spell it exactly.
   */
  static void applyOverrides(RaftProperties p, java.util.Properties system) {
    for (String name : system.stringPropertyNames()) {
      if (name.startsWith(OVERRIDE_PREFIX + "raft.")) {
        p.set(name.substring(OVERRIDE_PREFIX.length()), system.getProperty(name));
      }
    }
  }

  public static RaftProperties of(LogSettings s) {
    RaftProperties p = new RaftProperties();
    File raftDir = s.dataDir().resolve("raft").toFile();
    // Ratis's defaults put storage under /tmp.
    RaftServerConfigKeys.setStorageDir(p, List.of(raftDir));
    RaftServerConfigKeys.setRemovedGroupsDir(p, s.dataDir().resolve("removed-groups").toFile());
    GrpcConfigKeys.Server.setHost(p, s.raftBindHost());
    GrpcConfigKeys.Server.setPort(p, s.self().raftPort());

    TimeDuration min = TimeDuration.valueOf(s.electionTimeoutMin().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    TimeDuration max = TimeDuration.valueOf(s.electionTimeoutMax().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, min);
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, max);
    RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, min);
    RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, max);
    // Must stay above the election timeout, or requests time out during every election.
    RaftServerConfigKeys.Rpc.setRequestTimeout(p, max.multiply(3));
    // A pause past this closes the whole server; the node then exits (ServingWatch) to be restarted.
    RaftServerConfigKeys.setCloseThreshold(p, TimeDuration.valueOf(s.closeThreshold().toMillis(),
        java.util.concurrent.TimeUnit.MILLISECONDS));
    // A busy two-core host oversleeps; do not count that as a missed heartbeat.
    RaftServerConfigKeys.setSleepDeviationThreshold(p, TimeDuration.valueOf(500, java.util.concurrent.TimeUnit.MILLISECONDS));

    // Snapshots keep logs short; a replica that fell behind gets the snapshot.
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, s.snapshotThreshold());
    RaftServerConfigKeys.Snapshot.setCreationGap(p, Math.max(1, Math.min(1024, s.snapshotThreshold() / 2)));
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
    // Without this, one replica down for hours stops log purge on every group it is in.
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
    RaftServerConfigKeys.Log.setPurgePreservationLogNum(p, s.logKeepEntries());
    RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.max(1, Math.min(1024, s.snapshotThreshold() / 4)));
    RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, true);
    RaftServerConfigKeys.Log.Appender.setRetryPolicy(p, appenderRetryPolicy(s.electionTimeoutMin().toMillis()));
    // The appender otherwise waits up to 10 ms for more entries before sending: that is
    // latency on every lone publish. Batching belongs in qraft, not here.
    RaftServerConfigKeys.Log.Appender.setWaitTimeMin(p, TimeDuration.valueOf(0, java.util.concurrent.TimeUnit.MILLISECONDS));

    // Per-group memory: the write buffer is direct memory allocated per group (8 MB by default).
    SizeInBytes entry = SizeInBytes.valueOf(s.maxEntryBytes());
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, entry);
    RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(s.maxEntryBytes() + 64 * 1024L));
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(Math.max(s.segmentSizeBytes(), 2L * s.maxEntryBytes())));
    RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf(512 * 1024));
    RaftServerConfigKeys.Log.setSegmentCacheNumMax(p, SEGMENT_CACHE_NUM);
    RaftServerConfigKeys.Log.setSegmentCacheSizeMax(p, SizeInBytes.valueOf(SEGMENT_CACHE_BYTES));
    RaftServerConfigKeys.RetryCache.setExpiryTime(p, max.multiply(RETRY_CACHE_ELECTION_TIMEOUTS));
    RaftServerConfigKeys.Log.setQueueElementLimit(p, 4096);
    RaftServerConfigKeys.Log.setQueueByteLimit(p, SizeInBytes.valueOf(64L * 1024 * 1024));
    RaftServerConfigKeys.Write.setElementLimit(p, 4096);
    RaftServerConfigKeys.Write.setByteLimit(p, SizeInBytes.valueOf(64L * 1024 * 1024));
    // The extra commit-index entry after every commit doubles entries and fsyncs at low load;
    // it only helps recover a commit index with a majority lost.
    RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);

    RaftServerConfigKeys.ThreadPool.setProxyCached(p, false);
    RaftServerConfigKeys.ThreadPool.setProxySize(p, PROXY_THREADS);
    applyOverrides(p, System.getProperties());
    return p;
  }
}
