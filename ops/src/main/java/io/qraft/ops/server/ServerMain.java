package io.qraft.ops.server;

import io.qraft.ops.config.ConfigException;
import io.qraft.ops.config.NodeConfig;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code qraft-server --config FILE}: runs one node until SIGTERM.
 *
 * <p>Exit status: 0 after SIGTERM or a StopNode call, 1 when the node cannot start, 2 for a bad
 * command line or configuration, {@link #EXIT_NOT_SERVING} when the node stopped serving on its
 * own (its Raft server or one of its groups closed), so that its supervisor starts it again.
 */
public final class ServerMain {
  /** The status of a node that stopped serving on its own. */
  public static final int EXIT_NOT_SERVING = 3;

  private ServerMain() {}

  /**
   * Exits at once: the clean shutdown (leadership hand-over, waiting for calls) needs the groups
   * that just closed. What the node acknowledged is in its Raft logs and stores already, as after
   * a kill; it catches up from its peers when it is back.
   */
  private static void exitNotServing(String why) {
    org.slf4j.LoggerFactory.getLogger(ServerMain.class).error("exiting with status {} so that the node is"
        + " restarted: {}", EXIT_NOT_SERVING, why);
    Runtime.getRuntime().halt(EXIT_NOT_SERVING);
  }

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
      node = new QraftNode(config).onStopRequested(() -> System.exit(0));
      node.log().onStoppedServing(ServerMain::exitNotServing);
      node.start();
    } catch (Exception | Error e) {
      // Ratis leaves non-daemon threads behind a failed start: exit rather than hang.
      System.err.println("qraft-server: node " + config.nodeId() + " could not start: " + e);
      e.printStackTrace();
      Runtime.getRuntime().halt(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    // Set before the hook: a node that stops serving on its own exits without the clean hand-over.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.close();
      stopped.countDown();
    }, "qraft-shutdown"));
    stopped.await();
  }
}
