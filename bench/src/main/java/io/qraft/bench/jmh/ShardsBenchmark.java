package io.qraft.bench.jmh;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Shards per replica set 1, 3, 6 under load spread over 100 queues. Same benchmark as
 * QueuesBenchmark with other default parameters; a bigger grid:
 * {@code -p queues=1,10,100,1000 -p shards=1,3,6} (12 trials) on ShardsBenchmark.
 */
public class ShardsBenchmark extends ClusterBenchmark {
  @Param({"100"})
  public int queues;

  @Param({"1", "3", "6"})
  public int shards;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    startSharded(queues, shards);
  }
}
