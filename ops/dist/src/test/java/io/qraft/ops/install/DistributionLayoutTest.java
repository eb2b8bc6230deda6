package io.qraft.ops.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The laid-out distribution (ops/target/qraft): qraftctl runs on a class path of its own,
 * {@code lib/ctl/}, which holds the gRPC client and no server code; the fault suite is not
 * shipped. Runs after the package phase (ops/dist/pom.xml).
 */
class DistributionLayoutTest {
  private static Path dist;

  @BeforeAll
  static void distribution() {
    dist = Path.of(System.getProperty("qraft.dist.dir", "../target/qraft")).toAbsolutePath().normalize();
    assertThat(dist.resolve("bin/qraftctl")).as("the laid-out distribution").exists();
  }

  @Test
  void qraftctlsClassPathHasNoServerCodeNorRatisNorRocksDb() throws IOException {
    List<String> jars = jarNames(dist.resolve("lib/ctl"));
    assertThat(jars).anyMatch(j -> j.startsWith("qraft-ctl-")).anyMatch(j -> j.startsWith("qraft-grpc-api-"));
    assertThat(jars).noneMatch(j -> j.startsWith("ratis-") || j.startsWith("rocksdbjni")
        || j.startsWith("qraft-server") || j.startsWith("qraft-log") || j.startsWith("qraft-statemachine")
        || j.startsWith("qraft-storage") || j.startsWith("qraft-faults"));
    assertThat(Files.readString(dist.resolve("bin/qraftctl")))
        .contains("-cp \"$QRAFT_HOME/lib/ctl/*\"").doesNotContain("-cp \"$QRAFT_HOME/lib/*\"");
  }

  @Test
  void qraftctlsJarHoldsOnlyItsOwnClasses() throws IOException {
    Path jar;
    try (Stream<Path> files = Files.list(dist.resolve("lib/ctl"))) {
      jar = files.filter(p -> p.getFileName().toString().startsWith("qraft-ctl-")).findFirst().orElseThrow();
    }
    try (JarFile file = new JarFile(jar.toFile())) {
      List<String> classes = file.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class"))
          .collect(Collectors.toList());
      assertThat(classes).isNotEmpty().allMatch(n -> n.startsWith("io/qraft/ops/ctl/"));
    }
  }

  @Test
  void theNodeAndTheLoadToolAreShippedButNotTheFaultSuite() throws IOException {
    List<String> jars = jarNames(dist.resolve("lib"));
    assertThat(jars).anyMatch(j -> j.startsWith("qraft-server-")).anyMatch(j -> j.startsWith("qraft-bench-"))
        .anyMatch(j -> j.startsWith("rocksdbjni")).noneMatch(j -> j.startsWith("qraft-faults"));
  }

  @Test
  void qraftctlRunsFromItsOwnClassPath() throws Exception {
    Process p = new ProcessBuilder(dist.resolve("bin/qraftctl").toString(), "--version")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("qraftctl");
  }

  private static List<String> jarNames(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).sorted()
          .collect(Collectors.toList());
    }
  }
}
