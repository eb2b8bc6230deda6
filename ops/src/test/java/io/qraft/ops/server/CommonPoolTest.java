package io.qraft.ops.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** In a fresh JVM that sees two cores, as the nodes of a small machine do. */
class CommonPoolTest {

  /** Calls ensureParallel (or not) and prints the pool's parallelism and the async tasks' thread names. */
  public static final class Probe {
    public static void main(String[] args) throws Exception {
      if (args.length > 0 && args[0].equals("ensure")) {
        CommonPool.ensureParallel();
      }
      String first = CompletableFuture.supplyAsync(() -> Thread.currentThread().getName()).get();
      System.out.println(java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() + " " + first);
    }
  }

  private static String run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:ActiveProcessorCount=2", "-cp", System.getProperty("java.class.path"), Probe.class.getName()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
  }

  @Test
  void withTwoCoresTheDefaultPoolStartsAThreadPerAsyncTask() throws Exception {
    // What the node guards against: parallelism 1, and the task on a fresh unnamed thread.
    assertThat(run()).startsWith("1 Thread-");
  }

  @Test
  void aNodeGivesTheCommonPoolFourThreadsAndAsyncTasksRunOnIt() throws Exception {
    assertThat(run("ensure")).startsWith(CommonPool.MIN_PARALLELISM + " ForkJoinPool.commonPool-worker-");
  }
}
