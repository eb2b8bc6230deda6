package io.qraft.log;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** A test class whose tests share three replicated logs in this JVM, started once. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OnThreeReplicas {
  @TempDir
  static Path root;

  InProcessCluster cluster;

  @BeforeAll
  void startCluster() throws Exception {
    cluster = InProcessCluster.ofThree(root);
  }

  @AfterAll
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }
}
