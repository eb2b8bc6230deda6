package io.qraft.ops.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The fault suite's arguments: what run.sh passes becomes the suite's options; bad ones exit 2. */
class FaultSuiteCommandTest {
  private final StringWriter err = new StringWriter();

  private CommandLine line(FaultSuiteCommand command) {
    return new CommandLine(command).setErr(new PrintWriter(err)).setOut(new PrintWriter(new StringWriter()));
  }

  @Test
  void theArgumentsOfCiBecomeTheOptions() {
    FaultSuiteCommand command = new FaultSuiteCommand();
    line(command).parseArgs("--runs", "1", "--seconds", "90", "--interval", "15", "--seed", "11", "--kinds",
        "pause, kill_leader");
    FaultSuite.Options options = command.options();
    assertThat(options.runs()).isEqualTo(1);
    assertThat(options.seconds()).isEqualTo(90);
    assertThat(options.interval()).isEqualTo(15);
    assertThat(options.seed()).isEqualTo(11);
    assertThat(options.kinds()).extracting(FaultKind::label).containsExactly("pause", "kill_leader");
    assertThat(options.out().toString()).contains("ops/target/faults/");
    assertThat(options.workload()).isEqualTo(WorkloadKind.STANDARD);
  }

  @Test
  void theDeadLetterWorkloadIsChosenByName() {
    FaultSuiteCommand command = new FaultSuiteCommand();
    line(command).parseArgs("--workload", "dead-letter", "--kinds", "kill_leader");
    assertThat(command.options().workload()).isEqualTo(WorkloadKind.DEAD_LETTER);
  }

  @Test
  void badArgumentsAreUsageErrorsThatSayWhy() {
    assertThat(line(new FaultSuiteCommand()).execute("--interval", "5")).isEqualTo(2);
    assertThat(err.toString()).contains("--interval must be at least 6 seconds");
    assertThat(line(new FaultSuiteCommand()).execute("--kinds", "meteor")).isEqualTo(2);
    assertThat(err.toString()).contains("unknown fault kind 'meteor'; known: [");
    assertThat(line(new FaultSuiteCommand()).execute("--workload", "dead_letter")).isEqualTo(2);
    assertThat(err.toString()).contains("unknown workload 'dead_letter'; known: [standard, dead-letter]");
    assertThat(line(new FaultSuiteCommand()).execute("--runs", "many")).isEqualTo(2);
    assertThat(line(new FaultSuiteCommand()).execute("--bogus")).isEqualTo(2);
    assertThat(err.toString()).contains("Unknown option: '--bogus'");
  }
}
