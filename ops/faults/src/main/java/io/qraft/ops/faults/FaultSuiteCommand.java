package io.qraft.ops.faults;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The fault suite's command line ({@code ops/faults/run.sh} passes its arguments through). Prints
 * the verdict as its last line; exit status 0 for PASS, 1 for FAIL, 2 for a bad argument.
 */
@Command(name = "fault-suite", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 2,
    description = "Runs three nodes under a seeded schedule of faults and checks the history.")
final class FaultSuiteCommand implements Callable<Integer> {
  @Option(names = "--runs", defaultValue = "1", description = "Runs, each on fresh nodes (default ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--seconds", defaultValue = "60", description = "Length of a run's workload, s (default ${DEFAULT-VALUE}).")
  long seconds;

  @Option(names = "--seed", description = "Seed of the fault schedule (default: from the clock, printed).")
  Long seed;

  @Option(names = "--out", description = "Directory for reports and node logs (default ops/target/faults/TIME).")
  Path out;

  @Option(names = "--interval", defaultValue = "10", description = "Seconds between faults, at least 6 (default ${DEFAULT-VALUE}).")
  long interval;

  @Option(names = "--corruption", description = "Add the corruption kinds to the standard menu.")
  boolean corruption;

  @Option(names = "--kinds", paramLabel = "K1,K2", description = "Only these fault kinds.")
  String kinds;

  @Option(names = "--dist", defaultValue = "ops/target/qraft", description = "Unpacked distribution the nodes run from.")
  Path dist;

  @Option(names = "--producers", defaultValue = "3")
  int producers;

  @Option(names = "--queues", defaultValue = "3")
  int queues;

  @Option(names = "--publish-pause-ms", defaultValue = "5")
  long publishPauseMs;

  @Option(names = "--workload", defaultValue = "standard", paramLabel = "W",
      description = "standard, or dead-letter: queues with a delivery limit and a dead-letter queue,"
          + " one value in ten nacked until dead-lettered (default ${DEFAULT-VALUE}).")
  String workload;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    FaultSuite suite = new FaultSuite(options());
    String verdict = suite.runAll();
    System.out.println(verdict);
    System.out.flush();
    return verdict.startsWith("PASS") ? 0 : 1;
  }

  /** The suite's options from the arguments; a bad one is a usage error naming it. */
  FaultSuite.Options options() {
    if (interval < 6) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--interval must be at least 6 seconds");
    }
    List<FaultKind> menu = kinds == null ? null : kinds(kinds);
    if (menu == null) {
      menu = new ArrayList<>(FaultKind.STANDARD);
      if (corruption) {
        menu.addAll(FaultKind.CORRUPTION);
      }
    }
    Path dir = out != null ? out : Path.of("ops/target/faults",
        LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    long s = seed != null ? seed : System.currentTimeMillis() % 1_000_000;
    return new FaultSuite.Options(runs, seconds, s, dir.toAbsolutePath(), interval, List.copyOf(menu),
        dist.toAbsolutePath(), producers, queues, publishPauseMs, workload(workload));
  }

  /** "dead-letter" to its kind; an unknown label is a usage error listing the known ones. */
  private WorkloadKind workload(String label) {
    return Arrays.stream(WorkloadKind.values()).filter(k -> k.label().equals(label.trim())).findFirst()
        .orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(), "unknown workload '" + label
            + "'; known: " + Arrays.stream(WorkloadKind.values()).map(WorkloadKind::label).toList()));
  }

  /** "kill_leader,pause" to kinds; an unknown label is a usage error listing the known ones. */
  private List<FaultKind> kinds(String labels) {
    List<FaultKind> found = new ArrayList<>();
    for (String label : labels.split(",")) {
      FaultKind kind = Arrays.stream(FaultKind.values()).filter(k -> k.label().equals(label.trim())).findFirst()
          .orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(), "unknown fault kind '" + label
              + "'; known: " + Arrays.stream(FaultKind.values()).map(FaultKind::label).toList()));
      found.add(kind);
    }
    return found;
  }
}
