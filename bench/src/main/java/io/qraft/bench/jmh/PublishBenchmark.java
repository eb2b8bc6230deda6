package io.qraft.bench.jmh;

import java.util.Map;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/** 3 nodes, one queue: batch-size x ack-mode x message size. */
public class PublishBenchmark extends ClusterBenchmark {
  @Param({"1", "16", "128"})
  public int batchSize;

  @Param({"quorum", "local"})
  public String ackMode;

  @Param({"100", "1000"})
  public int size;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    start(3, Map.of(), 1, arguments(ackMode, batchSize), size);
  }
}
