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
}
