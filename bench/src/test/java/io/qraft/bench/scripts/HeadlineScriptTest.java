package io.qraft.bench.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The headline script's refusals: a bad argument exits 2 with a message naming it before any
 * cluster starts or output directory is made, and a warm-up over a cluster whose nodes are not
 * running fails instead of taking their silence for a quiet JIT.
 */
class HeadlineScriptTest {
  private static final Path SCRIPTS = Path.of("scripts").toAbsolutePath();

  @TempDir
  Path tmp;

  private record Run(int status, String stderr) {}

  private static Run bash(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(p.waitFor(), err);
  }

  @Test
  void badArgumentsAreRefusedBeforeAnythingStarts() throws Exception {
    Path out = tmp.resolve("out");
    String script = SCRIPTS.resolve("headline.sh").toString();

    Run words = bash(script, out.toString(), "ten");
    assertThat(words.status()).isEqualTo(2);
    assertThat(words.stderr()).contains("SECONDS must be a whole number, not 'ten'");

    Run zero = bash(script, out.toString(), "30", "0");
    assertThat(zero.status()).isEqualTo(2);
    assertThat(zero.stderr()).contains("SECONDS and ROUNDS must be at least 1");

    assertThat(out).doesNotExist();
  }

  @Test
  void warmUpFailsWhenTheNodesAreNotRunning() throws Exception {
    for (int k = 1; k <= 3; k++) {
      Path node = Files.createDirectories(tmp.resolve("n" + k));
      // Above any pid the kernel hands out (pid_max is at most 2^22).
      Files.writeString(node.resolve("pid"), "99999999\n");
    }
    Run run = bash("-c", ". '" + SCRIPTS.resolve("nodes.sh") + "'; dir='" + tmp + "'; warm_until_jit_quiet true");

    assertThat(run.status()).isEqualTo(1);
    assertThat(run.stderr()).contains("is not running");
  }

  /** A qraft-perf summary as the report reads it. */
  private static String summary(long confirmed, double perSecond, double received, double p50, double p99) {
    return "{\"confirmed\": " + confirmed + ", \"confirmed_per_s\": " + perSecond + ", \"received_per_s\": " + received
        + ", \"errors\": 0, \"confirm_latency_ms\": {\"p50\": " + p50 + ", \"p99\": " + p99 + "}}";
  }

  @Test
  void theReportComputesTheRatiosAndDrawsEveryCase() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("run"));
    Files.writeString(out.resolve("r3.quorum.c64.1.json"), summary(300_000, 10_000, 9_900, 5, 18));
    Files.writeString(out.resolve("r1.quorum.c64.1.json"), summary(400_000, 12_500, 12_500, 3, 9));
    Files.writeString(out.resolve("r3.local.c64.1.json"), summary(330_000, 11_000, 11_000, 2.5, 10));
    Files.writeString(out.resolve("r3.quorum.c1.1.json"), summary(9_000, 300, 300, 3.0, 8));
    Files.writeString(out.resolve("r3.local.c1.1.json"), summary(12_000, 400, 400, 1.2, 6));
    Files.writeString(out.resolve("r3.many.c64.1.json"), summary(360_000, 12_000, 12_000, 20, 60));
    Files.writeString(out.resolve("cold.json"), summary(360_000, 6_000, 6_000, 9, 40));
    // Node 2 leads the 3-replica queue: 30 s, 60 ms per 1,000 messages on the leader, 20 on each follower.
    Files.writeString(out.resolve("r3.quorum.c64.1.cpu"), "6000\n18000\n6000\n");
    Files.writeString(out.resolve("r1.quorum.c64.1.cpu"), "20000\n0\n0\n");
    Files.writeString(out.resolve("queues.txt"), "name replicas leader\nr3.quorum.c64.1 3 n2\nr1.quorum.c64.1 1 n1\n");

    Process p = new ProcessBuilder("python3", SCRIPTS.resolve("headline_report.py").toString(), out.toString(), "1")
        .redirectErrorStream(true).start();
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(printed).isZero();

    String table = Files.readString(out.resolve("headline.md"));
    assertThat(table).isEqualTo(printed)
        .contains("| 10,000 msg/s, p99 18.0 ms |")
        .contains("| 3 replicas / 1 replica, same load | >= 0.6 | 0.80 |")
        .contains("leader 60 us/msg (1.20x 1 replica's), follower 20 (0.33x leader)")
        .contains("quorum 0.99, local 1.00")
        .contains("| local p50 / quorum p50 at -c 1 | <= 0.5 | 0.40 |")
        .contains("12,000 msg/s (1.20x 1 queue)")
        .contains("6,000 msg/s (0.60x warm)");
    String chart = Files.readString(out.resolve("headline.svg"));
    assertThat(chart).startsWith("<svg").endsWith("</svg>\n")
        .contains("100 queues, 10p/10c, -c 64").contains("10,000").contains("60.0");
  }
}
