package io.qraft.ops.install;

import io.qraft.ops.launch.FreePorts;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.DeliveryTag;
import io.qraft.api.v1.QueueInfo;
import io.qraft.client.Consumer;
import io.qraft.client.PublishConfirm;
import io.qraft.client.Publisher;
import io.qraft.client.QraftClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Installs the distribution tarball with {@code ops/dist/install.sh} as an operator would on three
 * hosts, and runs the installed nodes: each "host" is a root under a temporary directory (its
 * own prefix, data and log directories) and a loopback address, 127.0.0.11 to 127.0.0.13, every
 * node on the default ports 5691, 6691 and 15691. Linux routes all of 127.0.0.0/8 to the loopback
 * interface, so each address can be bound by itself; where that fails (or the ports are taken),
 * the three nodes share 127.0.0.1 on free ports instead.
 *
 * <p>The nodes are started with the installed {@code bin/qraft-server}, checked with the installed
 * {@code bin/qraftctl}, used through the Java SDK via each node's address, and one is restarted the
 * way systemd restarts it (SIGTERM, wait for the exit, start again) while a producer publishes
 * with confirms. Skipped unless {@code ops/target/qraft-*.tar.gz} exists (built by
 * {@code mvn -B -o -q install -DskipTests} at the root) and bash runs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class InstallTest {
  private static final String JVM_OPTS = "-Xmx256m -XX:+UseSerialGC";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;

  static Path tarball;
  static Path installScript;
  static List<Host> hosts;
  static final Map<String, Process> processes = new ConcurrentHashMap<>();

  /** One "host": a node id, an address and ports, and a root holding its prefix, data and logs. */
  record Host(String id, String address, int grpcPort, int raftPort, int httpPort, Path root) {
    Path prefix() {
      return root.resolve("opt/qraft");
    }

    Path dataDir() {
      return root.resolve("var/lib/qraft");
    }

    Path logDir() {
      return root.resolve("var/log/qraft");
    }

    Path bin(String name) {
      return prefix().resolve("current/bin").resolve(name);
    }

    Path conf() {
      return prefix().resolve("current/conf/qraft.conf");
    }

    String grpcAddress() {
      return address + ":" + grpcPort;
    }

    String peer() {
      return id + "@" + address + ":" + grpcPort + ":" + raftPort;
    }
  }

  /** A finished command: its exit status, stdout, and stdout followed by stderr. */
  record Result(int exit, String stdout, String out) {}

  @BeforeAll
  static void prerequisites() throws Exception {
    // The build passes where the tarball and install.sh are (ops/dist/pom.xml); from an IDE,
    // run in ops/dist, they are ../target and ./install.sh.
    Path base = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    Path target = Path.of(System.getProperty("qraft.tarball.dir", base.resolve("../target").toString()))
        .toAbsolutePath().normalize();
    tarball = null;
    if (Files.isDirectory(target)) {
      try (Stream<Path> files = Files.list(target)) {
        tarball = files.filter(p -> p.getFileName().toString().matches("qraft-.*\\.tar\\.gz"))
            .max(Comparator.comparing(p -> p.toFile().lastModified())).orElse(null);
      }
    }
    // The build runs this test after packing the tarball (ops/dist/pom.xml) and says so: a
    // missing tarball is then a failure, never a silent skip.
    if (Boolean.getBoolean("qraft.install.required")) {
      assertThat(tarball).as("the distribution tarball in " + target).isNotNull();
    }
    assumeTrue(tarball != null, "skipped: no distribution tarball at " + target + "/qraft-*.tar.gz; "
        + "build it with 'mvn -B -o -q install -DskipTests' at the root");
    assumeTrue(bashRuns(), "skipped: bash is not available to run install.sh");
    installScript = Path.of(System.getProperty("qraft.install.script", base.resolve("install.sh").toString()));
    assertThat(installScript).exists();
    hosts = plan();
  }

  @AfterAll
  static void stopEverything() {
    processes.values().forEach(Process::destroy);
    for (Process p : processes.values()) {
      try {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }

  @Test
  @Order(1)
  void installsThreeHostsAndRejectsBadArguments() throws Exception {
    for (Host h : hosts) {
      Result r = install(h);
      assertThat(r.exit()).as(r.out()).isZero();
      assertThat(Files.readSymbolicLink(h.prefix().resolve("current")).toString()).matches("qraft-.+");
      assertThat(h.bin("qraft-server")).isExecutable();
      assertThat(h.dataDir()).isDirectory();
      assertThat(h.logDir()).isDirectory();
      String conf = Files.readString(h.conf());
      assertThat(conf).contains(
          "node.id = " + h.id() + "\n",
          "node.data_dir = " + h.dataDir() + "\n",
          "listeners.grpc = " + h.address() + ":" + h.grpcPort() + "\n",
          "listeners.raft = " + h.address() + ":" + h.raftPort() + "\n",
          "listeners.http = " + h.address() + ":" + h.httpPort() + "\n",
          "cluster.nodes = " + hosts.stream().map(Host::peer).collect(Collectors.joining(", ")) + "\n",
          "auth.bootstrap_file = " + h.prefix().resolve("first-admin") + "\n",
          // Every other key stays documented, commented out at its default.
          "# raft.election_timeout_min = 1000\n",
          "# message.max_bytes = 1048576\n");
      assertThat(Files.readString(h.prefix().resolve("current/conf/qraft-env.sh")))
          .contains("QRAFT_LOG_DIR=\"${QRAFT_LOG_DIR:-" + h.logDir() + "}\"");
      // Every host holds the same first administrator: the first generated its password, the
      // others were given it, as docs/install.md says.
      assertThat(Files.readString(h.prefix().resolve("first-admin"))).isEqualTo("admin:" + adminPassword() + "\n");
      assertThat(Files.getPosixFilePermissions(h.prefix().resolve("first-admin")))
          .noneMatch(p -> p.name().startsWith("OTHERS"));
    }
    assertThat(hosts.get(0).prefix().resolve("admin-password")).exists();
    assertThat(Files.getPosixFilePermissions(hosts.get(0).prefix().resolve("admin-password")))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(adminPassword()).matches("[A-Za-z0-9]{24}");

    // Again: nothing changes, and a configured qraft.conf is kept unless --force-config.
    Host first = hosts.get(0);
    String conf = Files.readString(first.conf());
    Result again = install(first);
    assertThat(again.exit()).as(again.out()).isZero();
    assertThat(again.out()).contains("already installed", "is up to date");
    assertThat(Files.readString(first.conf())).isEqualTo(conf);
    Result otherHttp = install(first, "--http-port", "15999");
    assertThat(otherHttp.exit()).as(otherHttp.out()).isZero();
    assertThat(otherHttp.out()).contains("kept");
    assertThat(Files.readString(first.conf())).isEqualTo(conf);
    Result forced = install(first, "--force-config");
    assertThat(forced.exit()).as(forced.out()).isZero();
    assertThat(Files.readString(first.conf())).isEqualTo(conf);
    // TLS files name the tls.* keys (the files are only checked to be readable here).
    Path pem = Files.writeString(dir.resolve("some.pem"), "-----BEGIN CERTIFICATE-----\n");
    Result tls = install(first, "--force-config", "--tls-cert", pem.toString(), "--tls-key", pem.toString(),
        "--tls-ca", pem.toString());
    assertThat(tls.exit()).as(tls.out()).isZero();
    assertThat(Files.readString(first.conf())).contains("tls.cert_file = " + pem + "\n",
        "tls.key_file = " + pem + "\n", "tls.ca_file = " + pem + "\n");
    assertThat(install(first, "--force-config").exit()).isZero();
    assertThat(Files.readString(first.conf())).isEqualTo(conf);

    // The unit, written to a directory of the test's instead of /etc/systemd/system.
    Path unitDir = dir.resolve("unit");
    String me = System.getProperty("user.name");
    Result withUnit = run(dir, List.of("bash", installScript.toString(), "--tarball", tarball.toString(),
        "--prefix", first.prefix().toString(), "--data-dir", first.dataDir().toString(),
        "--log-dir", first.logDir().toString(), "--node-id", first.id(), "--advertise", first.address(),
        "--peers", peers(), "--grpc-port", "" + first.grpcPort(), "--raft-port", "" + first.raftPort(),
        "--http-port", "" + first.httpPort(), "--bind", "advertise", "--no-user", "--user", me,
        "--unit-dir", unitDir.toString()), Map.of());
    assertThat(withUnit.exit()).as(withUnit.out()).isZero();
    String unit = Files.readString(unitDir.resolve("qraft.service"));
    assertThat(unit).contains(
        "ExecStart=" + first.prefix() + "/current/bin/qraft-server --config " + first.prefix()
            + "/current/conf/qraft.conf\n",
        "User=" + me + "\n", "LimitNOFILE=65536\n", "KillSignal=SIGTERM\n", "TimeoutStopSec=60\n",
        "Restart=on-failure\n", "Environment=QRAFT_LOG_DIR=" + first.logDir() + "\n");
    if (!Files.isDirectory(Path.of("/run/systemd/system"))) {
      assertThat(withUnit.out()).contains("systemd is not running");
    }

    // Bad arguments: a clear message and exit status 2, before anything is touched.
    Map<List<String>, String> bad = new LinkedHashMap<>();
    bad.put(List.of("--node-id", "n9"), "is not one of the nodes in --peers");
    bad.put(List.of("--node-id", hosts.get(1).id()), "--peers gives node " + hosts.get(1).id());
    bad.put(List.of("--grpc-port", "70000"), "is not a port");
    bad.put(List.of("--peers", "n1@h:1"), "is not id@host:grpcPort:raftPort");
    bad.put(List.of("--prefix", "relative/dir"), "must be an absolute path");
    bad.put(List.of("--tarball", installScript.toString()), "is not a qraft distribution");
    bad.put(List.of("--frobnicate", "1"), "unknown option");
    bad.put(List.of("--tls-cert", tarball.toString()), "--tls-key is missing");
    bad.put(List.of("--admin-user", "a b"), "may use only");
    bad.put(List.of("--admin-password-file", dir.resolve("missing").toString()), "is not a readable file");
    for (Map.Entry<List<String>, String> e : bad.entrySet()) {
      Result r = install(first, e.getKey().toArray(String[]::new));
      assertThat(r.exit()).as(e.getKey() + ": " + r.out()).isEqualTo(2);
      assertThat(r.out()).as(e.getKey().toString()).contains(e.getValue());
    }
  }

  @Test
  @Order(2)
  void theInstalledNodesFormAClusterThatServesThroughEveryAddress() throws Exception {
    for (Host h : hosts) {
      start(h);
    }
    for (Host h : hosts) {
      awaitThreeRunning(h, Duration.ofMinutes(2));
    }

    for (Host h : hosts) {
      String queue = "via-" + h.id();
      int count = 50;
      try (QraftClient client = QraftClient.builder().addresses(List.of(h.grpcAddress()))
          .credentials("admin", adminPassword()).deadline(Duration.ofSeconds(60)).build()) {
        client.declareQueue(queue, Map.of());
        List<CompletableFuture<PublishConfirm>> confirms = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          confirms.add(client.publish(queue, payload(i)));
        }
        CompletableFuture.allOf(confirms.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
        assertThat(drain(client, queue, count)).containsExactlyInAnyOrderElementsOf(range(count));
      }
    }
  }

  @Test
  @Order(3)
  void aNodeRestartedAsSystemdDoesItLosesNoConfirmedPublish() throws Exception {
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    Set<Integer> confirmed = ConcurrentHashMap.newKeySet();
    AtomicInteger sent = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    try (QraftClient client = QraftClient.builder()
        .addresses(hosts.stream().map(Host::grpcAddress).toList())
        .credentials("admin", adminPassword()).deadline(Duration.ofSeconds(90)).build()) {
      String queue = "rolling";
      client.declareQueue(queue, Map.of());
      Host victim = host(leaderOf(client, queue));
      List<CompletableFuture<PublishConfirm>> futures = new CopyOnWriteArrayList<>();
      Thread producer = new Thread(() -> {
        try {
          Publisher publisher = client.publisher(queue, 16);
          while (!stop.get()) {
            int id = sent.getAndIncrement();
            CompletableFuture<PublishConfirm> f = publisher.send(payload(id));
            f.whenComplete((ok, e) -> {
              if (e != null) {
                errors.add(e);
              } else {
                confirmed.add(id);
              }
            });
            futures.add(f);
            Thread.sleep(5);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
          errors.add(e);
        }
      }, "install-test-producer");
      producer.start();
      try {
        awaitCount(confirmed, 100, Duration.ofMinutes(1));

        // What systemctl restart does: SIGTERM, wait for the process to end, start it again.
        Process p = processes.remove(victim.id());
        p.destroy();
        assertThat(p.waitFor(70, TimeUnit.SECONDS)).as(victim.id() + " exits within TimeoutStopSec after SIGTERM")
            .isTrue();
        int sentWhileDown = sent.get();
        Thread.sleep(2000);
        assertThat(sent.get()).as("publishing goes on while " + victim.id() + " is down").isGreaterThan(sentWhileDown);
        start(victim);
        awaitThreeRunning(victim, Duration.ofMinutes(2));
        awaitReady(victim, Duration.ofMinutes(2));
        int afterRestart = sent.get();
        awaitCount(confirmed, afterRestart, Duration.ofMinutes(1));
      } finally {
        stop.set(true);
        producer.join(TimeUnit.MINUTES.toMillis(2));
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).handle((v, e) -> null)
          .get(3, TimeUnit.MINUTES);
      assertThat(errors).as("failed publishes").isEmpty();
      assertThat(confirmed).hasSize(sent.get());

      assertThat(drain(client, queue, confirmed.size())).containsAll(confirmed);
      assertThat(Files.readString(victim.logDir().resolve("qraft.log")))
          .as("the node logs to the log dir given to install.sh and hands over leadership on SIGTERM")
          .contains("handed leadership of");
    }
    for (Host h : hosts) {
      awaitThreeRunning(h, Duration.ofMinutes(1));
    }
  }

  // ---- hosts and processes ----------------------------------------------------------------

  /** 127.0.0.11-13 on the default ports if this machine lets them be bound, else 127.0.0.1 on free ports. */
  static List<Host> plan() throws IOException {
    List<String> addresses = List.of("127.0.0.11", "127.0.0.12", "127.0.0.13");
    boolean own = true;
    for (String a : addresses) {
      for (int port : List.of(5691, 6691, 15691)) {
        own &= canBind(a, port);
      }
    }
    List<Host> planned = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      Path root = dir.resolve("host" + i);
      if (own) {
        planned.add(new Host("n" + i, addresses.get(i - 1), 5691, 6691, 15691, root));
      } else {
        // Fallback: 127.0.0.x cannot be bound here (or the default ports are taken): one address, distinct ports.
        planned.add(new Host("n" + i, "127.0.0.1", FreePorts.next(), FreePorts.next(), FreePorts.next(), root));
      }
    }
    return planned;
  }

  static Host host(String id) {
    return hosts.stream().filter(h -> h.id().equals(id)).findFirst().orElseThrow();
  }

  static String peers() {
    return hosts.stream().map(Host::peer).collect(Collectors.joining(","));
  }

  static Result install(Host h, String... extra) {
    List<String> cmd = new ArrayList<>(List.of("bash", installScript.toString(),
        "--tarball", tarball.toString(),
        "--prefix", h.prefix().toString(),
        "--data-dir", h.dataDir().toString(),
        "--log-dir", h.logDir().toString(),
        "--node-id", h.id(),
        "--advertise", h.address(),
        "--peers", peers(),
        "--grpc-port", Integer.toString(h.grpcPort()),
        "--raft-port", Integer.toString(h.raftPort()),
        "--http-port", Integer.toString(h.httpPort()),
        "--bind", "advertise",
        "--no-systemd", "--no-user"));
    if (h != hosts.get(0)) {
      // The first host generated the administrator's password; the others are given it.
      cmd.addAll(List.of("--admin-password-file", hosts.get(0).prefix().resolve("admin-password").toString()));
    }
    // A later option wins over an earlier one.
    cmd.addAll(List.of(extra));
    return run(dir, cmd, Map.of());
  }

  /** Starts the node as its unit would: the installed qraft-server, in the data directory. */
  static void start(Host h) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(h.bin("qraft-server").toString(), "--config", h.conf().toString())
        .directory(h.dataDir().toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(h.root().resolve("console.log").toFile()));
    environment(pb.environment());
    pb.environment().put("QRAFT_JVM_OPTS", JVM_OPTS);
    processes.put(h.id(), pb.start());
  }

  static void environment(Map<String, String> env) {
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.remove("QRAFT_LOG_DIR");
    env.remove("QRAFT_JVM_OPTS");
    env.remove("QRAFT_CTL_JVM_OPTS");
  }

  static Result run(Path workDir, List<String> command, Map<String, String> env) {
    try {
      Path out = Files.createTempFile(dir, "cmd", ".out");
      Path err = Files.createTempFile(dir, "cmd", ".err");
      ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
          .redirectOutput(out.toFile()).redirectError(err.toFile());
      environment(pb.environment());
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError("timed out: " + command);
      }
      String stdout = Files.readString(out);
      String stderr = Files.readString(err);
      Files.delete(out);
      Files.delete(err);
      return new Result(p.exitValue(), stdout, stdout + stderr);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Waits until this host's qraftctl, asking this host's node, sees three running nodes. */
  static void awaitThreeRunning(Host h, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      Result r = runCtl(h, "cluster_status", "--format", "json");
      last = r.out();
      if (r.exit() == 0) {
        JsonNode nodes = JSON.readTree(r.stdout());
        int running = 0;
        for (JsonNode n : nodes) {
          running += n.path("running").asBoolean(false) ? 1 : 0;
        }
        if (nodes.size() == 3 && running == 3) {
          return;
        }
      }
      assertAlive();
      Thread.sleep(1000);
    }
    throw new AssertionError("qraftctl --node " + h.grpcAddress() + " cluster_status did not show three running "
        + "nodes within " + timeout + "; last answer:\n" + last + "\nlogs under " + dir);
  }

  static Result runCtl(Host h, String... args) {
    List<String> cmd = new ArrayList<>(List.of(h.bin("qraftctl").toString(), "--node", h.grpcAddress(),
        "--timeout", "5"));
    cmd.addAll(List.of(args));
    return run(dir, cmd, Map.of("QRAFT_USER", "admin", "QRAFT_PASSWORD", adminPassword()));
  }

  /** The first administrator's password, as install.sh generated it on the first host. */
  static String adminPassword() {
    try {
      return Files.readString(hosts.get(0).prefix().resolve("admin-password")).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void awaitReady(Host h, Duration timeout) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    URI uri = URI.create("http://" + h.address() + ":" + h.httpPort() + "/ready");
    long deadline = System.nanoTime() + timeout.toNanos();
    int status = -1;
    while (System.nanoTime() < deadline) {
      try {
        status = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status == 200) {
          return;
        }
      } catch (IOException e) {
        status = -1;
      }
      Thread.sleep(500);
    }
    throw new AssertionError(uri + " did not answer 200 within " + timeout + " (last: " + status + ")");
  }

  static void assertAlive() {
    processes.forEach((id, p) -> assertThat(p.isAlive())
        .as(id + " exited; see " + host(id).root().resolve("console.log")).isTrue());
  }

  // ---- messages ---------------------------------------------------------------------------

  /** Consumes (and acks) until every one of count messages has been seen; returns the ids seen. */
  static Set<Integer> drain(QraftClient client, String queue, int count) throws Exception {
    Set<Integer> seen = ConcurrentHashMap.newKeySet();
    List<DeliveryTag> tags = new CopyOnWriteArrayList<>();
    Consumer consumer = client.consume(queue, 100, (Delivery d) -> {
      seen.add(Integer.parseInt(d.getMessage().getBody().toString(UTF_8)));
      tags.add(d.getTag());
    });
    try {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      int acked = 0;
      while (System.nanoTime() < deadline && seen.size() < count) {
        if (tags.size() > acked) {
          List<DeliveryTag> batch = List.copyOf(tags.subList(acked, tags.size()));
          client.ackOutstanding(queue, batch);
          acked += batch.size();
        }
        Thread.sleep(100);
      }
      if (tags.size() > acked) {
        client.ackOutstanding(queue, List.copyOf(tags.subList(acked, tags.size())));
      }
    } finally {
      consumer.close();
    }
    return seen;
  }

  static void awaitCount(Set<Integer> set, int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && set.size() < count) {
      Thread.sleep(100);
    }
    assertThat(set.size()).as("confirmed within " + timeout).isGreaterThanOrEqualTo(count);
  }

  static String leaderOf(QraftClient client, String queue) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      for (QueueInfo q : client.listQueues().getQueuesList()) {
        if (q.getName().equals(queue) && !q.getLeader().isEmpty()) {
          return q.getLeader();
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("queue " + queue + " has no leader");
  }

  static byte[] payload(int id) {
    return Integer.toString(id).getBytes(UTF_8);
  }

  static List<Integer> range(int n) {
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(i);
    }
    return ids;
  }

  // ---- environment ------------------------------------------------------------------------

  static boolean bashRuns() {
    try {
      Process p = new ProcessBuilder("bash", "-c", "exit 0").redirectErrorStream(true).start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static boolean canBind(String address, int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(address), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

}
