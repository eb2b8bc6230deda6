package io.qraft.bench.jmh;

import java.util.Map;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/** 1-node vs 3-node cluster (1 vs 3 replicas), one queue, quorum acks, 1 KB messages. */
public class ReplicasBenchmark extends ClusterBenchmark {
  @Param({"1", "3"})
  public int nodes;

  @Param({"1000"})
  public int size;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    start(nodes, Map.of(), 1, arguments("quorum", 0), size);
  }
}
