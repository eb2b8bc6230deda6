package io.qraft.bench.jmh;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Aggregate publish throughput with the load spread round-robin over many queues, and the
 * number of shards per replica set. The default grid is small (4 + 3 trials); a bigger one:
 * {@code -p queues=1,10,100,1000 -p shards=1,3,6} (12 trials) on ShardsBenchmark.
 */
public class QueuesBenchmark extends ClusterBenchmark {
  @Param({"1", "10", "100", "1000"})
  public int queues;

  @Param({"3"})
  public int shards;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    startSharded(queues, shards);
  }
}
