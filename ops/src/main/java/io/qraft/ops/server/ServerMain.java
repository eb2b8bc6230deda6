package io.qraft.ops.server;

import io.qraft.ops.config.ConfigException;
import io.qraft.ops.config.NodeConfig;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** {@code qraft-server --config FILE}: runs one node until SIGTERM. */
public final class ServerMain {
  private ServerMain() {}

  public static void main(String[] args) throws Exception {
    Path configFile = null;
    for (int i = 0; i < args.length; i++) {
      if (("--config".equals(args[i]) || "-c".equals(args[i])) && i + 1 < args.length) {
        configFile = Path.of(args[++i]);
      } else if ("--help".equals(args[i]) || "-h".equals(args[i])) {
        System.out.println("usage: qraft-server --config FILE");
        return;
      } else {
        System.err.println("qraft-server: unknown argument '" + args[i] + "'; usage: qraft-server --config FILE");
        System.exit(2);
      }
    }
    NodeConfig config;
    try {
      config = configFile == null ? NodeConfig.defaults() : NodeConfig.load(configFile);
    } catch (ConfigException e) {
      System.err.println("qraft-server: " + e.getMessage());
      System.exit(2);
      return;
    }
    QraftNode node;
    try {
      node = new QraftNode(config).onStopRequested(() -> System.exit(0)).start();
    } catch (Exception | Error e) {
      // Ratis leaves non-daemon threads behind a failed start: exit rather than hang.
      System.err.println("qraft-server: node " + config.nodeId() + " could not start: " + e);
      e.printStackTrace();
      Runtime.getRuntime().halt(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.close();
      stopped.countDown();
    }, "qraft-shutdown"));
    stopped.await();
  }
}
