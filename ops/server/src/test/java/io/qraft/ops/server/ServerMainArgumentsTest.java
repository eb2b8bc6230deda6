package io.qraft.ops.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** qraft-server's command line: usage errors and a bad configuration exit with 2 and say why. */
class ServerMainArgumentsTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return new CommandLine(new ServerMain()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
  }

  @Test
  void anUnknownOptionIsAUsageError() {
    assertThat(run("--confg", "x")).isEqualTo(2);
    assertThat(err.toString()).contains("Unknown options: '--confg', 'x'").contains("Possible solutions: --config");
  }

  @Test
  void helpNamesTheConfigOption() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("-c, --config=FILE");
  }

  @Test
  void versionNamesTheServer() {
    assertThat(run("--version")).isZero();
    assertThat(out.toString()).startsWith("qraft-server ");
  }

  @Test
  void aMissingConfigurationFileExitsWithTwoNamingIt(@TempDir Path dir) {
    Path missing = dir.resolve("absent.conf");
    assertThat(run("--config", missing.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("qraft-server: " + missing + ": expected a configuration file");
  }
}
