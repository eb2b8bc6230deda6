package io.qraft.ops.launch;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One qraft node as a separate JVM: writes its {@code qraft.conf}, starts
 * {@code io.qraft.ops.server.ServerMain} and appends its output to {@code HOME/node.log}; stops it
 * with SIGTERM, kills it with SIGKILL, pauses it with SIGSTOP. The one way the process tests, the
 * fault suite and the JMH cluster start nodes (the distribution's {@code bin/qraft-server} does
 * the same in shell).
 *
 * <p>Not thread-safe by itself; its users start and stop a node from one thread at a time (the
 * methods are synchronized so that a status thread may still ask {@link #running()}).
 */
public final class NodeProcess {
  /** Heap and JIT sized so that three nodes and a test or load JVM share two cores. */
  public static final List<String> SMALL_JVM = List.of("-Xms64m", "-Xmx256m",
      "-XX:MaxDirectMemorySize=256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  private final String id;
  private final Path home;
  private final Options options;
  private Process process;
  private boolean paused;

  /** How to run the JVM; every field has a default fit for a test on loopback. */
  public static final class Options {
    List<String> prefix = List.of();
    List<String> jvm = SMALL_JVM;
    String classPath = currentClassPath();
    Path logback;
    Map<String, String> environment = Map.of();

    /** Words before {@code java}, e.g. {@code ip netns exec qn1}. */
    public Options prefix(List<String> words) {
      this.prefix = List.copyOf(words);
      return this;
    }

    public Options jvm(List<String> options) {
      this.jvm = List.copyOf(options);
      return this;
    }

    /** The node's class path; by default this JVM's, without test classes. */
    public Options classPath(String classPath) {
      this.classPath = classPath;
      return this;
    }

    /** A logback configuration file; by default a console one written beside the node. */
    public Options logback(Path file) {
      this.logback = file;
      return this;
    }

    /** Variables added to the process's environment (e.g. LD_PRELOAD for libfaketime). */
    public Options environment(Map<String, String> variables) {
      this.environment = Map.copyOf(variables);
      return this;
    }
  }

  public NodeProcess(String id, Path home, Options options) {
    this.id = id;
    this.home = home;
    this.options = options;
  }

  public String id() {
    return id;
  }

  public Path home() {
    return home;
  }

  public Path dataDir() {
    return home.resolve("data");
  }

  public Path logFile() {
    return home.resolve("node.log");
  }

  public synchronized boolean running() {
    return process != null && process.isAlive();
  }

  public synchronized boolean paused() {
    return paused;
  }

  /** The pid of the current or last process, -1 before the first start. */
  public synchronized long pid() {
    return process == null ? -1 : process.pid();
  }

  /**
   * Writes {@code HOME/qraft.conf} from {@code config} (in its order) and starts the node;
   * {@code extraEnvironment} is added to the options' environment for this start only.
   */
  public synchronized void start(Map<String, String> config, Map<String, String> extraEnvironment,
      String banner) {
    if (running()) {
      throw new IllegalStateException(id + " is already running");
    }
    try {
      Files.createDirectories(home);
      Path conf = home.resolve("qraft.conf");
      Files.writeString(conf, config.entrySet().stream()
          .map(e -> e.getKey() + " = " + e.getValue() + "\n").collect(Collectors.joining()));
      Path logback = options.logback != null ? options.logback : defaultLogback(home.getParent());
      List<String> command = new ArrayList<>(options.prefix);
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(options.jvm);
      command.addAll(List.of("-Dlogback.configurationFile=" + logback.toAbsolutePath(),
          "-Dqraft.log.dir=" + home.resolve("log").toAbsolutePath(),
          "-cp", options.classPath,
          "io.qraft.ops.server.ServerMain", "--config", conf.toAbsolutePath().toString()));
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
      builder.environment().putAll(options.environment);
      builder.environment().putAll(extraEnvironment);
      Files.writeString(logFile(), "\n===== " + Instant.now() + " starting " + id
          + (banner.isEmpty() ? "" : " " + banner) + "\n",
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      process = builder.start();
      paused = false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void start(Map<String, String> config) {
    start(config, Map.of(), "");
  }

  /** SIGTERM, and waits for the process to end (SIGKILL after {@code grace}): a clean stop. */
  public synchronized void stop(long graceSeconds) {
    if (process == null) {
      return;
    }
    if (paused) {
      resume();
    }
    process.destroy();
    try {
      if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    paused = false;
  }

  /** SIGKILL: the process gets no chance to flush or hand anything over. */
  public synchronized void kill() {
    if (process == null) {
      return;
    }
    if (paused) {
      signal("CONT");
    }
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    paused = false;
  }

  /** SIGSTOP: the process freezes with its sockets open, as a node in a long GC pause. */
  public synchronized void pause() {
    signal("STOP");
    paused = true;
  }

  public synchronized void resume() {
    signal("CONT");
    paused = false;
  }

  /** Sends a signal by name (TERM, STOP, CONT, ...) to a running process. */
  public synchronized void signal(String signal) {
    if (process == null || !process.isAlive()) {
      return;
    }
    try {
      new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start()
          .waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits up to {@code seconds} for the process to end on its own; true if it did. */
  public boolean awaitExit(long seconds) throws InterruptedException {
    Process p;
    synchronized (this) {
      p = process;
    }
    return p != null && p.waitFor(seconds, TimeUnit.SECONDS);
  }

  /** The exit status of the last process, which must have ended. */
  public synchronized int exitValue() {
    return process.exitValue();
  }

  /** Everything the node printed so far, or "" when it has no log yet. */
  public String log() {
    try {
      return Files.readString(logFile());
    } catch (IOException e) {
      return "";
    }
  }

  /** The node's threads now (jstack), for a failed test's report. */
  public String threadDump() {
    if (!running()) {
      return "(" + id + " is not running)";
    }
    try {
      Process jstack = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "jstack").toString(), Long.toString(pid()))
          .redirectErrorStream(true).start();
      return new String(jstack.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no thread dump of " + id + ": " + e.getMessage() + ")";
    }
  }

  /** A config map with the keys every node needs, in the order qraft.conf lists them. */
  public static Map<String, String> baseConfig(String id, Path home, String grpc, String raft,
      String clusterNodes) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("node.id", id);
    config.put("node.data_dir", home.resolve("data").toAbsolutePath().toString());
    config.put("listeners.grpc", grpc);
    config.put("listeners.raft", raft);
    config.put("cluster.nodes", clusterNodes);
    return config;
  }

  /**
   * This JVM's class path without test classes: a node needs none, and they would bring the
   * test logback configuration along.
   */
  public static String currentClassPath() {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) {
      cp = System.getProperty("java.class.path");
    }
    return Arrays.stream(cp.split(File.pathSeparator))
        .filter(e -> !e.endsWith("test-classes"))
        .collect(Collectors.joining(File.pathSeparator));
  }

  /** The launcher's logback configuration (console only, INFO, Ratis at WARN) in {@code dir}. */
  private static Path defaultLogback(Path dir) throws IOException {
    Path file = dir.resolve("node-logback.xml");
    if (!Files.exists(file)) {
      try (InputStream in = NodeProcess.class.getResourceAsStream("node-logback.xml")) {
        if (in == null) {
          throw new IOException("node-logback.xml is missing from the class path");
        }
        Files.createDirectories(dir);
        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return file;
  }
}
