package io.qraft.bench.jmh;

import io.qraft.api.v1.NodeStatusResponse;
import io.qraft.client.QraftClient;
import io.qraft.ops.launch.NodeProcess;
import io.qraft.ops.launch.ProcessCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The end-to-end benchmarks' common part: a real cluster of separate node processes, one
 * client, publishes with confirms and a window of {@link #WINDOW} outstanding publishes.
 *
 * <p>The score is publishes per second; with the window full, that is the confirm rate. The
 * confirm latency (publish call to confirm) of each iteration is printed after it
 * ("confirm latency ms p50 .. p99 .."), with the nodes' memory at the end of the trial.
 * Subclasses choose the parameters and call {@link #start}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 2, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m", "-Dlogback.configurationFile=logback-bench.xml"})
public abstract class ClusterBenchmark {
  static final int WINDOW = 64;

  private Path clusterDir;
  private ProcessCluster cluster;
  private QraftClient client;
  private String[] queues;
  private byte[] body;
  private int next;
  private final Semaphore window = new Semaphore(WINDOW);
  private final Recorder latency = new Recorder(3);
  private final LongAdder errors = new LongAdder();
  private Histogram interval;

  /** Starts the cluster and declares {@code queueCount} queues with these arguments. */
  protected void start(int nodes, Map<String, String> config, int queueCount,
      Map<String, String> arguments, int size) throws Exception {
    // Full JIT (the nodes' steady state is what is measured); heap BENCH_NODE_HEAP, default 256m.
    String heap = System.getenv().getOrDefault("BENCH_NODE_HEAP", "256m");
    clusterDir = TempDirs.create("qraft-jmh-cluster");
    cluster = new ProcessCluster(clusterDir, nodes, config, new NodeProcess.Options()
        .jvm(List.of("-Xmx" + heap, "-XX:+UseSerialGC", "-Dqraft.log.level=WARN")));
    try {
      cluster.start();
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    client = QraftClient.connect(cluster.addresses());
    queues = new String[queueCount];
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(8, queueCount));
    try {
      List<Future<?>> declared = new ArrayList<>();
      for (int i = 0; i < queueCount; i++) {
        queues[i] = "jmh-" + i;
        String q = queues[i];
        declared.add(pool.submit(() -> client.declareQueue(q, arguments)));
      }
      for (Future<?> f : declared) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    body = Commands.body(size);
  }

  /** Three nodes with {@code shards} shards per replica set, {@code queues} quorum queues, 100 B bodies. */
  protected void startSharded(int queues, int shards) throws Exception {
    start(3, Map.of("shards.per_replica_set", Integer.toString(shards),
            "shards.max_per_node", Integer.toString(Math.max(64, shards))),
        queues, arguments("quorum", 0), 100);
  }

  static Map<String, String> arguments(String ackMode, int batchSize) {
    Map<String, String> args = new HashMap<>();
    args.put("ack-mode", ackMode);
    if (batchSize > 0) {
      args.put("batch-size", Integer.toString(batchSize));
    }
    return args;
  }

  /** One publish, once the window has room; the confirm completes it asynchronously. */
  @Benchmark
  public void publish() throws InterruptedException {
    if (!window.tryAcquire(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("no confirm for 10 s");
    }
    String q = queues[next];
    next = next + 1 == queues.length ? 0 : next + 1;
    long t0 = System.nanoTime();
    client.publish(q, body).whenComplete((ok, e) -> {
      if (e == null) {
        latency.recordValue((System.nanoTime() - t0) / 1000);
      } else {
        errors.increment();
      }
      window.release();
    });
  }

  @TearDown(Level.Iteration)
  public void reportIteration() {
    interval = latency.getIntervalHistogram(interval);
    if (interval.getTotalCount() > 0) {
      System.out.printf(Locale.ROOT, "%n  confirm latency ms p50 %.2f p95 %.2f p99 %.2f max %.2f"
              + " (%d confirms, %d errors)%n",
          interval.getValueAtPercentile(50) / 1000.0, interval.getValueAtPercentile(95) / 1000.0,
          interval.getValueAtPercentile(99) / 1000.0, interval.getMaxValue() / 1000.0,
          interval.getTotalCount(), errors.sumThenReset());
    }
  }

  @TearDown(Level.Trial)
  public void stop() throws InterruptedException {
    try {
      window.tryAcquire(WINDOW, 10, TimeUnit.SECONDS);
      if (client != null) {
        System.out.println("  memory: " + memory(client));
      }
    } catch (RuntimeException e) {
      System.out.println("  memory: unknown (" + e + ")");
    } finally {
      if (client != null) {
        client.close();
      }
      if (cluster != null) {
        cluster.close();
        TempDirs.delete(clusterDir);
      }
    }
  }

  /** Heap used and resident memory of every node, from cluster_status, for the report. */
  private static String memory(QraftClient client) {
    StringBuilder b = new StringBuilder();
    for (NodeStatusResponse n : client.clusterStatus().getNodesList()) {
      b.append(String.format(Locale.ROOT, "%s heap %d MiB rss %d MiB; ", n.getNode(),
          n.getHeapUsedBytes() >> 20, n.getResidentBytes() >> 20));
    }
    return b.toString();
  }
}
