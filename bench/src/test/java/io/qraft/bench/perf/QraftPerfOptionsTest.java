package io.qraft.bench.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class QraftPerfOptionsTest {

  // Not the process's environment, which may set QRAFT_USER.
  private static final Map<String, String> NO_ENVIRONMENT = Map.of();

  private static PerfSettings parse(String... args) {
    return parse(NO_ENVIRONMENT, args);
  }

  private static PerfSettings parse(Map<String, String> environment, String... args) {
    CommandLine cmd = QraftPerf.commandLine(environment::get);
    cmd.parseArgs(args);
    return ((QraftPerf) cmd.getCommand()).settings();
  }

  /** Runs the command as main does, without a cluster: only usage errors get this far. */
  private static Result run(String... args) {
    CommandLine cmd = QraftPerf.commandLine(NO_ENVIRONMENT::get);
    StringWriter err = new StringWriter();
    StringWriter out = new StringWriter();
    cmd.setErr(new PrintWriter(err));
    cmd.setOut(new PrintWriter(out));
    int code = cmd.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  record Result(int code, String out, String err) {}

  @Test
  void credentialsComeFromTheOptionsElseTheEnvironment(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("password"), "hunter2\n");
    Map<String, String> environment = Map.of("QRAFT_USER", "bob", "QRAFT_PASSWORD", "from-env");

    PerfSettings options = parse("--user", "alice", "--password-file", file.toString());
    PerfSettings fromEnvironment = parse(environment);
    PerfSettings overridden = parse(environment, "--user", "alice");

    assertThat(options.credentials().user()).isEqualTo("alice");
    assertThat(fromEnvironment.credentials().user()).isEqualTo("bob");
    assertThat(overridden.credentials().user()).isEqualTo("alice");
    assertThat(parse().credentials()).isNull();
    assertThat(parse(Map.of("QRAFT_PASSWORD", "from-env")).credentials()).isNull();
    assertThat(options.toString()).contains("alice").doesNotContain("hunter2");
  }

  @Test
  void credentialsWithoutAPasswordOrWithAnUnreadableFileAreUsageErrors(@TempDir Path dir) {
    Path missing = dir.resolve("missing");

    Result noPassword = run("--user", "alice");
    Result unreadable = run("--user", "alice", "--password-file", missing.toString());
    Result noUser = run("--password-file", missing.toString());

    assertThat(List.of(noPassword, unreadable, noUser)).allSatisfy(r -> assertThat(r.code()).isEqualTo(2));
    assertThat(noPassword.err()).contains("the user alice needs a password");
    assertThat(unreadable.err()).contains("cannot read the password file " + missing + ": no such file");
    assertThat(noUser.err()).contains("--password-file needs --user");
  }

  @Test
  void defaults() {
    PerfSettings s = parse();
    assertThat(s.producers()).isEqualTo(1);
    assertThat(s.consumers()).isEqualTo(1);
    assertThat(s.confirmWindow()).isEqualTo(64);
    assertThat(s.prefetch()).isEqualTo(200);
    assertThat(s.ackEvery()).isEqualTo(100);
    assertThat(s.nodes()).containsExactly("127.0.0.1:5691");
    assertThat(s.queueNames()).containsExactly("qraft-perf");
    assertThat(s.declareArguments()).isEmpty();
    assertThat(s.json()).isFalse();
    assertThat(s.clientBatch()).isEqualTo(128);
    assertThat(parse("--client-batch", "1").clientBatch()).isEqualTo(1);
  }

  @Test
  void perfTestStyleShortOptions() {
    PerfSettings s = parse("-x", "2", "-y", "3", "-s", "1000", "-c", "32", "-q", "50", "-z", "30",
        "-u", "orders", "--queues", "3", "--rate", "500", "--ack-mode", "local",
        "--batch-size", "16", "--node", "h1:1", "--node", "h2:2", "--format", "json");
    assertThat(s.producers()).isEqualTo(2);
    assertThat(s.consumers()).isEqualTo(3);
    assertThat(s.size()).isEqualTo(1000);
    assertThat(s.confirmWindow()).isEqualTo(32);
    assertThat(s.prefetch()).isEqualTo(50);
    assertThat(s.ackEvery()).isEqualTo(25);
    assertThat(s.seconds()).isEqualTo(30);
    assertThat(s.warmupSeconds()).isZero();
    assertThat(parse("--warmup", "20").warmupSeconds()).isEqualTo(20);
    assertThat(s.ratePerProducer()).isEqualTo(500);
    assertThat(s.queueNames()).containsExactly("orders-1", "orders-2", "orders-3");
    assertThat(s.declareArguments()).isEqualTo(Map.of("ack-mode", "local", "batch-size", "16"));
    assertThat(s.nodes()).containsExactly("h1:1", "h2:2");
    assertThat(s.json()).isTrue();
  }

  @Test
  void consumersShareQueuesRoundRobin() {
    PerfSettings s = parse("-y", "2", "--queues", "5");
    PerfRun run = new PerfRun(s, System.out);
    assertThat(run.queuesOfConsumer(0, s.queueNames()))
        .containsExactly("qraft-perf-1", "qraft-perf-3", "qraft-perf-5");
    assertThat(run.queuesOfConsumer(1, s.queueNames()))
        .containsExactly("qraft-perf-2", "qraft-perf-4");
    PerfSettings more = parse("-y", "3");
    assertThat(new PerfRun(more, System.out).queuesOfConsumer(2, more.queueNames()))
        .containsExactly("qraft-perf");
  }

  @Test
  void badValuesAreUsageErrorsWithExitStatus2() {
    List<String[]> bad = List.of(
        new String[] {"-x", "0", "-y", "0"},
        new String[] {"-c", "0"},
        new String[] {"-z", "0"},
        new String[] {"--warmup", "-1"},
        new String[] {"-s", "-1"},
        new String[] {"--queues", "0"},
        new String[] {"--ack-mode", "all"},
        new String[] {"--batch-size", "0"},
        new String[] {"--client-batch", "0"},
        new String[] {"--client-batch", "10001"},
        new String[] {"--format", "xml"},
        new String[] {"--node", "localhost"},
        new String[] {"--node", "h:70000"},
        new String[] {"--rate", "-5"},
        new String[] {"-x", "many"},
        new String[] {"--no-such-option"});
    for (String[] args : bad) {
      Result r = run(args);
      assertThat(r.code()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(r.err()).as(String.join(" ", args)).containsAnyOf("Usage: qraft-perf", "Unknown option");
    }
  }

  @Test
  void messagesNameTheOptionAndTheValue() {
    assertThat(run("--ack-mode", "all").err())
        .contains("--ack-mode must be quorum or local, not 'all'");
    assertThat(run("-c", "0").err()).contains("--confirm must be between 1 and 1000000, not 0");
    assertThat(run("--node", "localhost").err())
        .contains("--node must be HOST:PORT with a port from 1 to 65535, not 'localhost'");
    assertThat(run("-x", "0", "-y", "0").err()).contains("nothing to do");
    assertThat(run("--warmup", "-1").err()).contains("--warmup must be between 0 and 86400, not -1");
    assertThat(run("--client-batch", "0").err()).contains("--client-batch must be between 1 and 10000, not 0");
  }

  @Test
  void helpExitsZero() {
    Result r = run("--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("--producers", "--confirm", "--qos", "--ack-mode", "--format");
  }
}
