package io.qraft.ops.server;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** A test class whose tests share one node in this JVM, started once and stopped after the last. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class OnOneNode {
  @TempDir
  static Path dir;

  protected OneNodeServer server;

  /** Keys added to the node's config; none by default. */
  protected java.util.Map<String, String> config() {
    return java.util.Map.of();
  }

  @BeforeAll
  void startNode() throws Exception {
    server = OneNodeServer.start(dir, config());
  }

  @AfterAll
  void stopNode() {
    if (server != null) {
      server.close();
    }
  }
}
