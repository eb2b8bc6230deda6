package io.qraft.ops.server;

import io.qraft.ops.config.ConfigException;
import io.qraft.ops.config.NodeConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code qraft-server --config FILE}: runs one node until SIGTERM.
 *
 * <p>Exit status: 0 after SIGTERM or a StopNode call, 1 when the node cannot start, 2 for a bad
 * command line or configuration, {@link #EXIT_NOT_SERVING} when the node stopped serving on its
 * own (its Raft server or one of its groups closed), so that its supervisor starts it again.
 */
@Command(name = "qraft-server", mixinStandardHelpOptions = true, versionProvider = ServerMain.Version.class,
    description = "Runs one qraft node until SIGTERM.", exitCodeOnInvalidInput = 2)
public final class ServerMain implements Callable<Integer> {
  /** The status of a node that stopped serving on its own. */
  public static final int EXIT_NOT_SERVING = 3;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "The node's configuration file (key = value lines); without it every key takes its default.")
  Path configFile;

  @Spec
  CommandSpec spec;

  /** The version in the jar's manifest, when there is one. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = ServerMain.class.getPackage().getImplementationVersion();
      return new String[] {"qraft-server " + (v == null ? "(development build)" : v)};
    }
  }

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

  public static void main(String[] args) {
    int status = new CommandLine(new ServerMain()).execute(args);
    // 0: --help, or a node that ran and was stopped (the JVM is shutting down already).
    if (status != 0) {
      System.exit(status);
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    NodeConfig config;
    try {
      config = configFile == null ? NodeConfig.defaults() : NodeConfig.load(configFile);
    } catch (ConfigException e) {
      spec.commandLine().getErr().println("qraft-server: " + e.getMessage());
      return 2;
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
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.close();
      stopped.countDown();
    }, "qraft-shutdown"));
    stopped.await();
    return 0;
  }
}
