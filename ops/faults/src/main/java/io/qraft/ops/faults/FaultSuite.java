package io.qraft.ops.faults;

import io.qraft.api.v1.GroupStatus;
import io.qraft.api.v1.NodeStatusResponse;
import io.qraft.api.v1.QueueInfo;
import io.qraft.client.QraftClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The fault suite: per run, a fresh three-node cluster (one node per network namespace), a
 * workload, a seeded fault schedule, heal, drain, replica checksums, the queue checker, a
 * report. Runs inside the client namespace (qc); see ops/faults/run.sh, which sets it up.
 *
 * <p>The last line it prints is the verdict:
 * {@code PASS runs=N faults=N confirmed=N lost=N unexpected=N duplicates=N
 * redelivered_after_ack=N divergent_replicas=N report=PATH}; the dead-letter workload adds
 * {@code dead_lettered=N dead_letter_duplicates=N wrong_dead_letters=N} before {@code report}.
 */
public final class FaultSuite {

  static final int NODES = 3;

  /**
   * The queues of a run are fq-0, fq-1, ... and, in the dead-letter workload, their dead-letter
   * queues fq-0-dead, ...; the application user may touch these only.
   */
  static final String QUEUE_PREFIX = "fq-";
  static final String QUEUE_PATTERN = "^fq-[0-9]+(" + Workload.DEAD_SUFFIX + ")?$";

  private final Options options;
  private final List<Map<String, Object>> runSummaries = new ArrayList<>();

  record Options(int runs, long seconds, long seed, Path out, long interval, List<FaultKind> kinds,
      Path distribution, int producers, int queues, long pauseMs, WorkloadKind workload) {}

  FaultSuite(Options options) {
    this.options = options;
  }

  public static void main(String[] args) {
    System.exit(new picocli.CommandLine(new FaultSuiteCommand()).execute(args));
  }

  String runAll() throws IOException {
    Files.createDirectories(options.out());
    long faults = 0;
    long confirmed = 0;
    long lost = 0;
    long unexpected = 0;
    long duplicates = 0;
    long afterAck = 0;
    long divergent = 0;
    long deadLettered = 0;
    long deadDuplicates = 0;
    long wrongDead = 0;
    boolean incomplete = false;
    for (int i = 0; i < options.runs(); i++) {
      long seed = options.seed() + i;
      Path dir = options.out().resolve("run-" + (i + 1) + "-seed-" + seed);
      Run run = new Run(i + 1, seed, dir);
      Map<String, Object> summary;
      try {
        summary = run.execute();
      } catch (RuntimeException e) {
        e.printStackTrace();
        summary = new LinkedHashMap<>();
        summary.put("run", i + 1);
        summary.put("seed", seed);
        summary.put("error", String.valueOf(e));
      } finally {
        run.cleanup();
      }
      runSummaries.add(summary);
      if (summary.containsKey("error")) {
        incomplete = true;
        continue;
      }
      faults += ((Number) summary.get("faults")).longValue();
      confirmed += ((Number) summary.get("confirmed")).longValue();
      lost += ((Number) summary.get("lost")).longValue();
      unexpected += ((Number) summary.get("unexpected")).longValue();
      duplicates += ((Number) summary.get("duplicates")).longValue();
      afterAck += ((Number) summary.get("redelivered_after_ack")).longValue();
      divergent += ((Number) summary.get("divergent_replicas")).longValue();
      deadLettered += ((Number) summary.get("dead_lettered")).longValue();
      deadDuplicates += ((Number) summary.get("dead_letter_duplicates")).longValue();
      wrongDead += ((Number) summary.get("wrong_dead_letters")).longValue();
    }
    Path report = options.out().resolve("report.json");
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("seed", options.seed());
    all.put("runs", runSummaries);
    History.JSON.writerWithDefaultPrettyPrinter().writeValue(report.toFile(), all);
    Report.writeSummaryMarkdown(options.out().resolve("report.md"), runSummaries);
    boolean pass = !incomplete && lost == 0 && unexpected == 0 && afterAck == 0
        && divergent == 0 && wrongDead == 0;
    String deadLetters = options.workload() != WorkloadKind.DEAD_LETTER ? ""
        : " dead_lettered=" + deadLettered + " dead_letter_duplicates=" + deadDuplicates
            + " wrong_dead_letters=" + wrongDead;
    return (pass ? "PASS" : "FAIL") + " runs=" + options.runs() + " faults=" + faults
        + " confirmed=" + confirmed + " lost=" + lost + " unexpected=" + unexpected
        + " duplicates=" + duplicates + " redelivered_after_ack=" + afterAck
        + " divergent_replicas=" + divergent + deadLetters
        + " report=" + options.out().resolve("report.md");
  }

  static void log(String message) {
    System.out.println(java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss.SSS"))
        + " " + message);
    System.out.flush();
  }

  /** One run: its cluster, workload, nemesis, checks. */
  final class Run {
    private final int number;
    private final long seed;
    private final Path dir;
    private final List<SuiteNode> nodes = new ArrayList<>();
    private final Net net;
    private final Certificates certificates;
    private final ClusterAccess access;
    private History history;
    private Workload workload;
    private final List<String> queues = new ArrayList<>();
    private final List<String> crashes = new ArrayList<>();
    private final List<Map<String, Object>> corruption = new ArrayList<>();
    private int faultCount;

    Run(int number, long seed, Path dir) {
      this.number = number;
      this.seed = seed;
      this.dir = dir;
      Map<String, String> config = new LinkedHashMap<>();
      config.put("raft.election_timeout_min", "1000");
      config.put("raft.election_timeout_max", "2000");
      config.put("raft.snapshot_threshold", "2000");
      config.put("raft.log_keep_entries", "500");
      config.put("consumer.get_lease_ms", "10000");
      // As a production cluster runs: every call needs a user (set explicitly, whatever the
      // default), and clients and peers talk TLS.
      config.put("auth.enabled", "true");
      this.certificates = new Certificates(dir.resolve("tls"));
      this.access = ClusterAccess.generate(certificates.caFile());
      for (int k = 1; k <= NODES; k++) {
        Map<String, String> nodeConfig = new LinkedHashMap<>(config);
        nodeConfig.putAll(certificates.nodeConfig("n" + k));
        nodes.add(new SuiteNode(k, dir.resolve("n" + k), options.distribution(), nodeConfig,
            NODES, access));
      }
      this.net = new Net(nodes);
      for (int q = 0; q < options.queues(); q++) {
        queues.add(QUEUE_PREFIX + q);
      }
    }

    Map<String, Object> execute() throws IOException {
      deleteRecursively(dir);
      Files.createDirectories(dir);
      FaultSchedule schedule = new FaultSchedule(seed, options.seconds(), options.interval(),
          options.kinds());
      log("run " + number + " seed " + seed + ": " + schedule.faults().size() + " faults planned, "
          + options.seconds() + " s, " + options.workload().label() + " workload; logs and history under "
          + dir);
      schedule.faults().forEach(f -> log("  planned " + f));
      history = new History(dir.resolve("history.jsonl"));
      net.heal();
      certificates.make(options.distribution(), nodes);
      nodes.forEach(n -> n.start(null));
      // A cluster without users answers nothing but the bootstrap, readiness checks included.
      Users.addAdministrator(nodes, Duration.ofSeconds(120));
      awaitReady(Duration.ofSeconds(120));
      List<String> addresses = nodes.stream().map(SuiteNode::address).toList();
      Users.addApplication(access, addresses, QUEUE_PATTERN, Duration.ofSeconds(60));
      log("cluster ready over TLS; users " + access.administrator() + " (administrator) and "
          + access.application() + " (permissions " + QUEUE_PATTERN + ") added");
      workload = new Workload(addresses, access, options.workload(), queues, history,
          Duration.ofSeconds(8), seed);
      workload.declareQueues();
      log("queues declared; workload starts");
      long start = System.nanoTime();
      history.add(Op.phase("workload-start", history.now(), null));
      workload.start(options.producers(), 1, options.pauseMs());
      for (FaultSchedule.Planned f : schedule.faults()) {
        long wait = f.atMs() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        Cmd.sleep(wait);
        checkAlive();
        inject(f);
        faultCount++;
      }
      Cmd.sleep(options.seconds() * 1000 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      workload.stopProducers();
      long workloadEnd = history.now();
      history.add(Op.phase("workload-end", workloadEnd, null));
      log("workload ended (" + workload.published() + " publishes); healing");
      checkAlive();
      healEverything();
      awaitReady(Duration.ofSeconds(120));
      history.add(Op.phase("healed", history.now(), null));
      Cmd.sleep(3000);
      workload.closeConsumers();
      log("draining");
      List<String> notDrained = workload.drain(180_000);
      history.add(Op.phase("drained", history.now(), "not drained: " + notDrained));
      log("drained" + (notDrained.isEmpty() ? "" : "; NOT drained: " + notDrained));
      Replicas replicas = compareReplicas(Duration.ofSeconds(90));
      workload.close();
      history.close();

      List<Op> ops = History.read(dir.resolve("history.jsonl"));
      QueueChecker.Result result = QueueChecker.check(ops);
      List<Availability.FaultGap> gaps = Availability.perFault(ops, workloadEnd);
      Map<String, Object> summary = Report.runSummary(number, seed, dir, options.workload(), result,
          gaps, replicas, notDrained, crashes, corruption, faultCount);
      Report.writeRun(dir, summary, result, gaps, replicas, ops);
      log("run " + number + ": " + Report.oneLine(summary));
      return summary;
    }

    void cleanup() {
      try {
        if (workload != null) {
          workload.close();
        }
      } catch (RuntimeException e) {
        log("closing clients: " + e);
      }
      try {
        net.heal();
      } catch (RuntimeException e) {
        log("heal: " + e);
      }
      for (SuiteNode n : nodes) {
        try {
          n.shutdown();
        } catch (RuntimeException e) {
          log("stopping " + n.id() + ": " + e);
        }
      }
      if (history != null) {
        try {
          history.close();
        } catch (RuntimeException ignored) {
          // already closed
        }
      }
    }

    /** A node that should be running but is not crashed by itself: record it, restart it. */
    private void checkAlive() {
      for (SuiteNode n : nodes) {
        if (n.pid() > 0 && !n.running()) {
          String what = n.id() + " exited by itself (see " + n.home().resolve("node.log") + ")";
          crashes.add(what);
          log("!! " + what + "; restarting it");
          history.add(Op.phase("crash", history.now(), what));
          n.start(null);
        }
      }
    }

    private void inject(FaultSchedule.Planned f) {
      long t0 = history.now();
      SuiteNode a = nodes.get(f.a());
      String detail;
      String node;
      switch (f.kind()) {
        case ISOLATE -> {
          for (SuiteNode o : nodes) {
            if (o != a) {
              net.cutBoth(a.id(), o.id());
            }
          }
          net.apply();
          node = a.id();
          detail = a.id() + " cut from its peers";
          holdThen(f, net::heal);
        }
        case SPLIT -> {
          for (SuiteNode o : nodes) {
            if (o != a) {
              net.cutBoth(a.id(), o.id());
            }
          }
          net.cutBoth(a.id(), Net.CLIENT);
          net.apply();
          node = a.id();
          detail = a.id() + " | others (clients on the majority side)";
          holdThen(f, net::heal);
        }
        case BRIDGE -> {
          List<SuiteNode> ends = nodes.stream().filter(n -> n != a).toList();
          net.cutBoth(ends.get(0).id(), ends.get(1).id());
          net.apply();
          node = a.id();
          detail = ends.get(0).id() + " x " + ends.get(1).id() + ", bridge " + a.id();
          holdThen(f, net::heal);
        }
        case ONE_WAY -> {
          SuiteNode to = nodes.get((f.a() + 1 + (f.b() % 2)) % NODES);
          net.cutOneWay(a.id(), to.id());
          net.apply();
          node = a.id();
          detail = a.id() + " -> " + to.id() + " dropped";
          holdThen(f, net::heal);
        }
        case KILL_LEADER, KILL_FOLLOWER -> {
          String queue = queues.get(f.c() % queues.size());
          String leader = leaderOf(queue);
          SuiteNode target = f.kind() == FaultKind.KILL_LEADER
              ? node(leader, a) : follower(leader, f.b());
          target.kill9();
          node = target.id();
          detail = "kill -9 " + target.id() + " (leader of " + queue + ": " + leader + ")";
          holdThen(f, () -> target.start(null));
        }
        case CRASH_ALL -> {
          // As close together as three signals go: no node outlives the others to hand anything over.
          for (SuiteNode n : nodes) {
            n.kill9();
          }
          node = "all";
          detail = "kill -9 of every node at once (a power loss), all restarted";
          holdThen(f, () -> nodes.forEach(n -> n.start(null)));
        }
        case PAUSE -> {
          String queue = queues.get(f.c() % queues.size());
          String leader = f.b() == 0 ? null : leaderOf(queue);
          SuiteNode target = node(leader, a);
          target.stop();
          node = target.id();
          detail = "SIGSTOP " + target.id() + (leader == null ? "" : " (leader of " + queue + ")");
          holdThen(f, target::cont);
        }
        case CLOCK_SKEW -> {
          a.kill9();
          a.start(f.skew());
          node = a.id();
          detail = a.id() + " restarted under faketime " + f.skew();
          holdThen(f, () -> {
            a.kill9();
            a.start(null);
          });
        }
        case CORRUPT_LOG, TRUNCATE_LOG -> {
          String queue = queues.get(f.c() % queues.size());
          String leader = leaderOf(queue);
          SuiteNode target = follower(leader, f.b());
          node = target.id();
          detail = corrupt(f, target);
        }
        default -> throw new IllegalStateException(f.kind().toString());
      }
      long t1 = history.now();
      history.add(Op.fault(f.kind().label(), node, t0, t1, detail));
      log("fault " + f + ": " + detail + " (healed after " + (t1 - t0) / 1000 + " ms)");
    }

    private void holdThen(FaultSchedule.Planned f, Runnable heal) {
      Cmd.sleep(f.durationMs());
      heal.run();
    }

    private SuiteNode node(String id, SuiteNode fallback) {
      return nodes.stream().filter(n -> n.id().equals(id)).findFirst().orElse(fallback);
    }

    private SuiteNode follower(String leader, int pick) {
      List<SuiteNode> others = nodes.stream().filter(n -> !n.id().equals(leader)).toList();
      return others.get(pick % others.size());
    }

    /** The leader of the queue's group as the cluster reports it, or null. */
    private String leaderOf(String queue) {
      try (QraftClient c = access.asAdministrator(
          nodes.stream().map(SuiteNode::address).toList())
          .deadline(Duration.ofSeconds(3)).build()) {
        return c.listQueues().getQueuesList().stream().filter(q -> q.getName().equals(queue))
            .map(QueueInfo::getLeader).filter(l -> !l.isEmpty()).findFirst().orElse(null);
      } catch (RuntimeException e) {
        return null;
      }
    }

    /**
     * The opt-in corruption class: the node is stopped, one of its Raft log files damaged,
     * and it is restarted. Observes whether it refuses to start (detected), or starts; then,
     * if it refused, repairs it the only way there is (wipe its data and let it catch up).
     */
    private String corrupt(FaultSchedule.Planned f, SuiteNode target) {
      target.kill9();
      Map<String, Object> record = new LinkedHashMap<>();
      record.put("kind", f.kind().label());
      record.put("node", target.id());
      String damage = Corruption.damage(target.dataDir(), f.kind(), f.c());
      record.put("damage", damage);
      target.start(null);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
      String observed = "started and did not become ready within 40 s";
      while (System.nanoTime() < until) {
        if (!target.running()) {
          observed = "refused to start (process exited): detected";
          break;
        }
        if (target.ready()) {
          observed = "started and became ready (damage not detected at start-up)";
          break;
        }
        Cmd.sleep(500);
      }
      record.put("observed", observed);
      record.put("log_tail", tail(target.home().resolve("node.log"), 8));
      if (!target.running() || !target.ready()) {
        target.kill9();
        deleteRecursively(target.dataDir());
        target.start(null);
        long until2 = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        boolean back = false;
        while (System.nanoTime() < until2 && !(back = target.ready())) {
          Cmd.sleep(500);
        }
        record.put("repair", "data dir wiped by the suite, node restarted: "
            + (back ? "rejoined" : "NOT ready after 60 s"));
      }
      corruption.add(record);
      return damage + "; " + observed
          + (record.containsKey("repair") ? "; " + record.get("repair") : "");
    }

    private void healEverything() {
      net.heal();
      for (SuiteNode n : nodes) {
        if (n.paused()) {
          n.cont();
        }
        if (n.skew() != null) {
          n.kill9();
          n.start(null);
        } else if (!n.running()) {
          n.start(null);
        }
      }
    }

    private void awaitReady(Duration timeout) {
      long until = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < until) {
        if (nodes.stream().allMatch(SuiteNode::ready)) {
          return;
        }
        checkExited();
        Cmd.sleep(500);
      }
      throw new IllegalStateException("cluster not ready within " + timeout + "; logs under "
          + dir);
    }

    private void checkExited() {
      for (SuiteNode n : nodes) {
        if (n.pid() > 0 && !n.running()) {
          String what = n.id() + " exited while the suite waited for readiness (see "
              + n.home().resolve("node.log") + ")";
          crashes.add(what);
          log("!! " + what + "; restarting it");
          n.start(null);
        }
      }
    }

    /**
     * After heal and drain: waits until every replica of each group reports the same
     * state_index, then compares state_checksum.
     */
    private Replicas compareReplicas(Duration timeout) {
      long until = System.nanoTime() + timeout.toNanos();
      Replicas last = null;
      while (System.nanoTime() < until) {
        Map<String, List<GroupStatus>> groups = new TreeMap<>();
        boolean allAnswered = true;
        for (SuiteNode n : nodes) {
          try {
            NodeStatusResponse s = n.status(true, 30_000);
            for (GroupStatus g : s.getLocalGroupsList()) {
              GroupStatus withNode = g.getNode().isEmpty()
                  ? g.toBuilder().setNode(n.id()).build() : g;
              groups.computeIfAbsent(g.getGroup(), k -> new ArrayList<>()).add(withNode);
            }
          } catch (RuntimeException e) {
            allAnswered = false;
          }
        }
        last = new Replicas(groups, allAnswered);
        if (allAnswered && last.converged()) {
          return last;
        }
        Cmd.sleep(1000);
      }
      return last == null ? new Replicas(Map.of(), false) : last;
    }
  }

  /** The replicas' NodeStatus views of every group, after heal and drain. */
  record Replicas(Map<String, List<GroupStatus>> groups, boolean allAnswered) {

    boolean converged() {
      return groups.values().stream().allMatch(l -> l.size() == NODES
          && l.stream().map(GroupStatus::getStateIndex).distinct().count() == 1);
    }

    /**
     * Replicas that disagree with the majority checksum of their group at the same index, plus
     * the replicas of groups that did not converge to one index (or did not answer).
     */
    int divergent() {
      int n = 0;
      for (List<GroupStatus> l : groups.values()) {
        if (l.stream().map(GroupStatus::getStateIndex).distinct().count() != 1) {
          n += (int) (NODES - l.stream().collect(java.util.stream.Collectors.groupingBy(
              GroupStatus::getStateIndex, java.util.stream.Collectors.counting()))
              .values().stream().max(Long::compare).orElse(0L));
          continue;
        }
        Map<Long, Long> counts = l.stream().collect(java.util.stream.Collectors.groupingBy(
            GroupStatus::getStateChecksum, java.util.stream.Collectors.counting()));
        long majority = counts.values().stream().max(Long::compare).orElse(0L);
        n += (int) (NODES - majority);
      }
      return n;
    }
  }

  static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  static void deleteRecursively(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      s.sorted(Comparator.reverseOrder()).forEach(x -> {
        try {
          Files.delete(x);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
