package io.qraft.bench.perf;

import io.qraft.client.BasicCredentials;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * qraft-perf: producers publish with confirms, consumers consume and ack, and the tool reports
 * sent, confirmed and received rates and the confirm latency (publish call to confirm).
 * Options follow RabbitMQ's PerfTest where they mean the same thing.
 *
 * <p>Exit codes: 0 the run finished; 1 it failed (cluster unreachable, declare refused);
 * 2 bad options.
 */
@Command(name = "qraft-perf", mixinStandardHelpOptions = true,
    versionProvider = QraftPerf.Version.class, sortOptions = false,
    description = {
        "Load generator for qraft, after RabbitMQ's PerfTest. Producers publish with confirms"
            + " (at most --confirm unconfirmed each), consumers consume with --qos prefetch and"
            + " ack in batches. Prints a line per second and a summary: sent, confirmed and"
            + " received msg/s and the confirm latency (publish call to confirm).",
        "",
        "Example: qraft-perf -x 1 -y 1 -s 1000 -c 64 -q 200 -z 30"},
    footer = {"", "Exit status: 0 done, 1 the run failed, 2 bad options."})
public final class QraftPerf implements Callable<Integer> {

  static final Pattern HOST_PORT = Pattern.compile("^(\\[[0-9a-fA-F:.]+]|[^:\\s]+):(\\d{1,5})$");

  @Spec CommandSpec spec;

  @Option(names = {"-x", "--producers"}, paramLabel = "N", defaultValue = "1",
      description = "Producers (default: ${DEFAULT-VALUE}).")
  int producers;

  @Option(names = {"-y", "--consumers"}, paramLabel = "N", defaultValue = "1",
      description = "Consumers (default: ${DEFAULT-VALUE}).")
  int consumers;

  @Option(names = {"-s", "--size"}, paramLabel = "BYTES", defaultValue = "12",
      description = "Message body size in bytes (default: ${DEFAULT-VALUE}).")
  int size;

  @Option(names = {"-c", "--confirm"}, paramLabel = "N", defaultValue = "64",
      description = "Outstanding (unconfirmed) publishes per producer (default: ${DEFAULT-VALUE}).")
  int confirm;

  @Option(names = {"-z", "--time"}, paramLabel = "SECONDS", defaultValue = "10",
      description = "How long to publish, in seconds (default: ${DEFAULT-VALUE}).")
  int time;

  @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "0",
      description = "Publish this long first and leave it out of the summary: a fresh JVM, the"
          + " tool's or a node's, compiles for its first 10-30 s and is slower meanwhile"
          + " (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = {"-u", "--queue"}, paramLabel = "NAME", defaultValue = "qraft-perf",
      description = "Queue name; with --queues N > 1 the prefix of NAME-1 .. NAME-N"
          + " (default: ${DEFAULT-VALUE}).")
  String queue;

  @Option(names = "--queues", paramLabel = "N", defaultValue = "1",
      description = "Spread the load over N queues: producers publish round-robin over them,"
          + " consumer k consumes queues k, k+y, k+2y, ... (default: ${DEFAULT-VALUE}).")
  int queues;

  @Option(names = {"-q", "--qos"}, paramLabel = "N", defaultValue = "200",
      description = "Consumer prefetch: deliveries outstanding per consumer and queue; 0 lets"
          + " the server choose (default: ${DEFAULT-VALUE}).")
  int qos;

  @Option(names = "--rate", paramLabel = "MSG_PER_S", defaultValue = "0",
      description = "Publish rate limit per producer in msg/s; 0 is unlimited (default: ${DEFAULT-VALUE}).")
  int rate;

  @Option(names = "--ack-every", paramLabel = "N", defaultValue = "0",
      description = "Consumers ack once N deliveries are pending (one Ack call, one log entry);"
          + " 0 means half the prefetch (default: ${DEFAULT-VALUE}).")
  int ackEvery;

  @Option(names = "--ack-interval-ms", paramLabel = "MS", defaultValue = "20",
      description = "... or once the oldest pending delivery is this old (default: ${DEFAULT-VALUE}).")
  int ackIntervalMs;

  @Option(names = "--ack-mode", paramLabel = "quorum|local",
      description = "Declare argument ack-mode of the queues (default: the server's, quorum).")
  String ackMode;

  @Option(names = "--batch-size", paramLabel = "N",
      description = "Declare argument batch-size of the queues: most messages per log entry, 1..100000"
          + " (default: the server's batch.size).")
  Integer batchSize;

  @Option(names = "--queue-log", paramLabel = "shared|dedicated",
      description = "Declare argument queue-log of the queues (default: the server's, shared).")
  String queueLog;

  @Option(names = "--queue-argument", paramLabel = "KEY=VALUE",
      description = "A further declare argument of the queues, as the server takes it (e.g."
          + " message-ttl=60000, max-length=100000); repeat for several. The server checks them.")
  Map<String, String> queueArguments = new java.util.LinkedHashMap<>();

  @Option(names = "--client-batch", paramLabel = "N", defaultValue = "128",
      description = "Most messages a producer puts in one publish request: sends made while its"
          + " requests wait for confirms go together in the next one (the SDK's PublishBatching);"
          + " 1 sends every message in a request of its own, 1..10000 (default: ${DEFAULT-VALUE}).")
  int clientBatch;

  @Option(names = "--node", paramLabel = "HOST:PORT",
      description = "A node's gRPC address; repeat for several (default: 127.0.0.1:5691).")
  List<String> nodes = new ArrayList<>();

  @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
      description = "table: a line per second and a summary; json: one JSON object on stdout"
          + " (the per-second lines go to stderr) (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--delete-queues",
      description = "Delete the queues at the end (they are kept by default).")
  boolean deleteQueues;

  @Option(names = "--gap-log", paramLabel = "FILE",
      description = "Write every pause of 100 ms or more between confirms to FILE, one line each:"
          + " wall-clock ms at its end, its length in ms (to measure failover).")
  java.nio.file.Path gapLog;

  @Option(names = "--user", paramLabel = "USER",
      description = "User name to authenticate as, with the password from --password-file or"
          + " $QRAFT_PASSWORD; sent only to a loopback address, as qraft-perf has no TLS"
          + " (default: $QRAFT_USER; unset: no credentials).")
  String user;

  // A file, never the password itself: a command line is visible to every user of the machine.
  @Option(names = "--password-file", paramLabel = "FILE",
      description = "File whose first line is the password of --user"
          + " (default: the password in $QRAFT_PASSWORD).")
  java.nio.file.Path passwordFile;

  /** The environment variables, by name; a test's own instead of the process's. */
  private final Function<String, String> environment;

  QraftPerf() {
    this(System::getenv);
  }

  QraftPerf(Function<String, String> environment) {
    this.environment = environment;
  }

  /** How long a stop by signal waits for the summary: a second's line plus the drain, with room. */
  private static final long STOP_WAIT_SECONDS = 15;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new QraftPerf());
  }

  static CommandLine commandLine(Function<String, String> environment) {
    return new CommandLine(new QraftPerf(environment));
  }

  @Override
  public Integer call() throws Exception {
    PerfSettings settings = settings();
    PrintStream out = System.out;
    PrintStream progress = settings.json() ? System.err : System.out;
    PerfRun run = new PerfRun(settings, progress);
    CountDownLatch reported = new CountDownLatch(1);
    // SIGTERM or Ctrl-C ends the run early but still prints its summary: the JVM waits for
    // this hook, and the hook for the run to drain and report (bounded, should it hang).
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      run.requestStop();
      try {
        reported.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "qraft-perf-stop"));
    try {
      PerfResult result = run.run();
      out.println(settings.json() ? Summary.json(settings, result) : Summary.table(settings, result));
      out.flush();
      return 0;
    } catch (PerfRun.RunFailed e) {
      System.err.println("qraft-perf: " + e.getMessage());
      return 1;
    } finally {
      reported.countDown();
    }
  }

  /** The options, checked; a bad one is a {@link ParameterException} (exit status 2). */
  PerfSettings settings() {
    atLeast("--producers", producers, 0);
    atLeast("--consumers", consumers, 0);
    if (producers == 0 && consumers == 0) {
      throw usage("nothing to do: --producers and --consumers are both 0");
    }
    between("--size", size, 0, 64 * 1024 * 1024);
    between("--confirm", confirm, 1, 1_000_000);
    between("--time", time, 1, 7 * 24 * 3600);
    between("--warmup", warmup, 0, 24 * 3600);
    between("--queues", queues, 1, 100_000);
    between("--qos", qos, 0, 1_000_000);
    atLeast("--rate", rate, 0);
    atLeast("--ack-every", ackEvery, 0);
    between("--ack-interval-ms", ackIntervalMs, 1, 60_000);
    if (queue == null || queue.isBlank()) {
      throw usage("--queue must not be empty");
    }
    if (ackMode != null && !ackMode.equals("quorum") && !ackMode.equals("local")) {
      throw usage("--ack-mode must be quorum or local, not '" + ackMode + "'");
    }
    if (queueLog != null && !queueLog.equals("shared") && !queueLog.equals("dedicated")) {
      throw usage("--queue-log must be shared or dedicated, not '" + queueLog + "'");
    }
    if (batchSize != null) {
      between("--batch-size", batchSize, 1, 100_000);
    }
    between("--client-batch", clientBatch, 1, 10_000);
    if (!format.equals("table") && !format.equals("json")) {
      throw usage("--format must be table or json, not '" + format + "'");
    }
    List<String> addresses = nodes.isEmpty() ? List.of("127.0.0.1:5691") : nodes;
    for (String node : addresses) {
      var m = HOST_PORT.matcher(node.trim());
      int port = m.matches() ? Integer.parseInt(m.group(2)) : -1;
      if (port < 1 || port > 65535) {
        throw usage("--node must be HOST:PORT with a port from 1 to 65535, not '" + node + "'");
      }
    }
    BasicCredentials credentials;
    try {
      credentials = BasicCredentials.fromCommandLine(user, passwordFile, environment);
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
    int effectiveAckEvery = ackEvery > 0 ? ackEvery : Math.max(1, (qos == 0 ? 100 : qos) / 2);
    return new PerfSettings(producers, consumers, size, confirm, time, warmup, queue.trim(), queues, qos,
        rate, effectiveAckEvery, ackIntervalMs, ackMode, batchSize == null ? 0 : batchSize, queueLog, clientBatch,
        addresses.stream().map(String::trim).toList(), format.equals("json"), deleteQueues, gapLog,
        credentials, queueArguments);
  }

  private void atLeast(String option, long value, long min) {
    if (value < min) {
      throw usage(option + " must be at least " + min + ", not " + value);
    }
  }

  private void between(String option, long value, long min, long max) {
    if (value < min || value > max) {
      throw usage(option + " must be between " + min + " and " + max + ", not " + value);
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** The Implementation-Version of this jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = QraftPerf.class.getPackage().getImplementationVersion();
      return new String[] {"qraft-perf " + (v == null ? "(development build)" : v)};
    }
  }
}
