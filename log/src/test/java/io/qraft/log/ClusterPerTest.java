package io.qraft.log;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** A test class whose tests each start their own in-process cluster in {@link #root}; closed after each. */
abstract class ClusterPerTest {
  @TempDir
  Path root;

  InProcessCluster cluster;

  @AfterEach
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }
}
