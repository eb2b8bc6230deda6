package io.qraft.ops.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.qraft.api.QueueArguments;
import io.qraft.api.log.v1.QueueCounters;
import io.qraft.api.log.v1.QueueDef;
import io.qraft.api.log.v1.QueueRecord;
import io.qraft.log.GroupIds;
import io.qraft.log.ReplicatedLog;
import io.qraft.statemachine.RoleListener;
import io.qraft.statemachine.ShardStateMachine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;

/**
 * The meters of one node, exposed in the Prometheus text format by {@link #scrape()}.
 *
 * <p>Series are bounded: per-node series have no queue label; per-queue series exist only when
 * {@code metrics.per_queue} is on, for at most {@code metrics.per_queue_max} queues (first come),
 * and disappear with their queue (what a queue's limits did: {@link QueueLimitSeries}). Raft series
 * are per group (bounded by {@code shards.max_per_node}). Gauges read from the log are refreshed
 * just before each scrape.
 *
 * <p>Thread-safe.
 */
public final class NodeMetrics implements AutoCloseable {
  /** Buckets of the confirm latency histogram, in seconds. */
  private static final Duration[] CONFIRM_BUCKETS = {
      Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2),
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};
  private static final long STORE_SIZE_CACHE_MS = 5_000;

  private final ReplicatedLog log;
  private final boolean perQueue;
  private final int perQueueMax;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();

  private final Counter published;
  private final Counter confirmed;
  private final Counter delivered;
  private final Counter acked;
  private final Counter nacked;
  private final Map<String, Timer> confirmLatency = new ConcurrentHashMap<>();
  private final Map<String, QueueMeters> queues = new ConcurrentHashMap<>();
  private final AtomicLong queuesOverCap = new AtomicLong();
  private final Map<RaftGroupId, Counter> leaderChanges = new ConcurrentHashMap<>();

  private final MultiGauge queueMessages;
  private final MultiGauge queueUnacked;
  private final MultiGauge queueBytes;
  private final QueueLimitSeries queueLimits;
  private final MultiGauge commitIndex;
  private final MultiGauge appliedIndex;
  private final MultiGauge isLeader;
  private final MultiGauge followerLag;

  private final Object refreshLock = new Object();
  private volatile long storeBytes;
  private long storeMeasuredAt;

  public NodeMetrics(ReplicatedLog log, boolean perQueue, int perQueueMax) {
    this.log = log;
    this.perQueue = perQueue;
    this.perQueueMax = perQueueMax;
    registry.config().commonTags("node", log.settings().nodeId());
    // promtool's lint refuses the unit "ns" and a "_count" suffix outside histograms: the CPU time
    // is exposed in seconds (process_cpu_seconds_total, as Prometheus' own clients name it) instead.
    registry.config().meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"));
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
      }
    });

    published = Counter.builder("qraft.messages.published").description("Messages received in publish requests")
        .register(registry);
    confirmed = Counter.builder("qraft.messages.confirmed").description("Messages confirmed to their publishers")
        .register(registry);
    delivered = Counter.builder("qraft.messages.delivered")
        .description("Messages sent to consumers and Get callers by this node").register(registry);
    acked = Counter.builder("qraft.messages.acked").description("Deliveries acked through this node")
        .register(registry);
    nacked = Counter.builder("qraft.messages.nacked").description("Deliveries nacked through this node")
        .register(registry);
    for (String mode : List.of(QueueArguments.ACK_QUORUM, QueueArguments.ACK_LOCAL)) {
      confirmTimer(mode);
    }
    Gauge.builder("qraft.metrics.queues.untracked", queuesOverCap, AtomicLong::get)
        .description("Queues seen without per-queue series because of metrics.per_queue_max").register(registry);

    queueMessages = MultiGauge.builder("qraft.queue.messages")
        .description("Messages in the queue (ready and unacked), on this node's replica").register(registry);
    queueUnacked = MultiGauge.builder("qraft.queue.messages.unacked")
        .description("Messages delivered and not yet acked, on this node's replica").register(registry);
    queueBytes = MultiGauge.builder("qraft.queue.bytes").baseUnit("bytes")
        .description("Message bytes in the queue, on this node's replica").register(registry);
    queueLimits = new QueueLimitSeries(registry);
    commitIndex = MultiGauge.builder("qraft.raft.commit.index")
        .description("Last committed log index of the group on this node").register(registry);
    appliedIndex = MultiGauge.builder("qraft.raft.applied.index")
        .description("Last applied log index of the group on this node").register(registry);
    isLeader = MultiGauge.builder("qraft.raft.leader")
        .description("1 if this node leads the group, else 0").register(registry);
    followerLag = MultiGauge.builder("qraft.raft.follower.lag")
        .description("Entries a follower's match index is behind the commit index (groups this node leads)")
        .register(registry);
    Gauge.builder("qraft.store.size", this, m -> m.storeBytes).baseUnit("bytes")
        .description("Bytes on disk of this node's queue stores (RocksDB), data_dir/store").register(registry);
    FunctionCounter.builder("qraft.raft.leader.loss.elections", log, ReplicatedLog::leaderLossElections)
        .description("Elections this node stood for at once because a leader's Raft port refused connections")
        .register(registry);
    Gauge.builder("qraft.raft.groups", log, l -> l.server().getGroupIds().spliterator().getExactSizeIfKnown())
        .description("Raft groups hosted on this node").register(registry);

    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      FunctionCounter.builder("process.cpu.seconds", os, o -> o.getProcessCpuTime() / 1e9)
          .description("CPU time used by this JVM").register(registry);
    }
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);

    log.addRoleListener(new RoleListener() {
      @Override
      public void leaderChanged(RaftGroupId group, RaftPeerId leader) {
        leaderChangeCounter(group).increment();
      }

      @Override
      public void leaderReady(RaftGroupId group) {}
    });
  }

  private Counter leaderChangeCounter(RaftGroupId group) {
    return leaderChanges.computeIfAbsent(group, g -> Counter.builder("qraft.raft.leader.changes")
        .description("Leader changes of the group seen by this node").tags(groupTags(g))
        .register(registry));
  }

  private static Tags groupTags(RaftGroupId id) {
    return Tags.of("group", GroupIds.text(id), "kind", id.equals(GroupIds.METADATA) ? "metadata" : "shard");
  }

  private Timer confirmTimer(String ackMode) {
    return confirmLatency.computeIfAbsent(ackMode, mode -> Timer.builder("qraft.confirm.latency")
        .description("From a publish request received to its confirm sent, by the queue's ack mode")
        .tag("ack_mode", mode).serviceLevelObjectives(CONFIRM_BUCKETS).register(registry));
  }

  /** The registry, for tests and further binders. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The effective ack mode of a queue (declare arguments over its policy) as this node's metadata knows it. */
  public String ackModeOf(String queue) {
    QueueDef def = queue == null ? null : log.metadata().queue(queue);
    return def == null ? QueueArguments.ACK_QUORUM : log.effectivePolicy(def).ackMode();
  }

  public void published(String queue, int messages) {
    published.increment(messages);
    QueueMeters q = queue(queue);
    if (q != null) {
      q.published.increment(messages);
    }
  }

  public void confirmed(String queue, int messages, String ackMode, long nanos) {
    confirmed.increment(messages);
    confirmTimer(ackMode).record(Duration.ofNanos(nanos));
    QueueMeters q = queue(queue);
    if (q != null) {
      q.confirmed.increment(messages);
    }
  }

  public void delivered(String queue, int messages) {
    if (messages <= 0) {
      return;
    }
    delivered.increment(messages);
    QueueMeters q = queue(queue);
    if (q != null) {
      q.delivered.increment(messages);
    }
  }

  public void acked(String queue, int messages) {
    if (messages <= 0) {
      return;
    }
    acked.increment(messages);
    QueueMeters q = queue(queue);
    if (q != null) {
      q.acked.increment(messages);
    }
  }

  public void nacked(String queue, int messages) {
    if (messages <= 0) {
      return;
    }
    nacked.increment(messages);
    QueueMeters q = queue(queue);
    if (q != null) {
      q.nacked.increment(messages);
    }
  }

  /** The per-queue meters, created on first use; null when per-queue series are off or capped. */
  private QueueMeters queue(String name) {
    if (!perQueue || name == null || name.isEmpty()) {
      return null;
    }
    QueueMeters q = queues.get(name);
    if (q != null) {
      return q;
    }
    synchronized (queues) {
      q = queues.get(name);
      if (q == null) {
        if (queues.size() >= perQueueMax || log.metadata().queue(name) == null) {
          if (log.metadata().queue(name) != null) {
            queuesOverCap.incrementAndGet();
          }
          return null;
        }
        q = new QueueMeters(name);
        queues.put(name, q);
      }
      return q;
    }
  }

  private boolean tracked(String queue) {
    if (!perQueue) {
      return false;
    }
    if (queues.containsKey(queue)) {
      return true;
    }
    return queue(queue) != null;
  }

  private final class QueueMeters {
    final Counter published;
    final Counter confirmed;
    final Counter delivered;
    final Counter acked;
    final Counter nacked;

    QueueMeters(String queue) {
      published = Counter.builder("qraft.queue.messages.published").tag("queue", queue)
          .description("Messages received in publish requests for the queue").register(registry);
      confirmed = Counter.builder("qraft.queue.messages.confirmed").tag("queue", queue)
          .description("Messages of the queue confirmed to their publishers").register(registry);
      delivered = Counter.builder("qraft.queue.messages.delivered").tag("queue", queue)
          .description("Messages of the queue sent to consumers and Get callers by this node").register(registry);
      acked = Counter.builder("qraft.queue.messages.acked").tag("queue", queue)
          .description("Deliveries of the queue acked through this node").register(registry);
      nacked = Counter.builder("qraft.queue.messages.nacked").tag("queue", queue)
          .description("Deliveries of the queue nacked through this node").register(registry);
    }

    void remove() {
      for (Meter m : List.of(published, confirmed, delivered, acked, nacked)) {
        registry.remove(m);
      }
    }
  }

  /** Reads the gauges from the log and the disk; called before each scrape. */
  public void refresh() {
    synchronized (refreshLock) {
      refreshQueues();
      refreshRaft();
      refreshStoreSize();
    }
  }

  private void refreshQueues() {
    // Deleted queues lose their series and free their place under the cap.
    for (String name : List.copyOf(queues.keySet())) {
      if (log.metadata().queue(name) == null) {
        QueueMeters q = queues.remove(name);
        if (q != null) {
          q.remove();
        }
      }
    }
    List<MultiGauge.Row<?>> messages = new ArrayList<>();
    List<MultiGauge.Row<?>> unacked = new ArrayList<>();
    List<MultiGauge.Row<?>> bytes = new ArrayList<>();
    Map<String, QueueCounters> limitCounters = new HashMap<>();
    if (perQueue) {
      for (Map.Entry<RaftGroupId, ShardStateMachine> e : log.localShards().entrySet()) {
        ShardStateMachine sm = e.getValue();
        for (QueueDef def : log.metadata().queues()) {
          if (!def.getGroup().equals(GroupIds.text(e.getKey())) || !tracked(def.getName())) {
            continue;
          }
          QueueRecord record = sm.queueRecord(def.getName());
          if (record == null) {
            continue;
          }
          Tags tags = Tags.of("queue", def.getName());
          messages.add(MultiGauge.Row.of(tags, record.getMessages()));
          unacked.add(MultiGauge.Row.of(tags, record.getUnacked()));
          bytes.add(MultiGauge.Row.of(tags, record.getBytes()));
          limitCounters.put(def.getName(), record.getCounters());
        }
      }
    }
    queueMessages.register(messages, true);
    queueUnacked.register(unacked, true);
    queueBytes.register(bytes, true);
    queueLimits.refresh(limitCounters);
  }

  private void refreshRaft() {
    List<MultiGauge.Row<?>> commits = new ArrayList<>();
    List<MultiGauge.Row<?>> applied = new ArrayList<>();
    List<MultiGauge.Row<?>> leaders = new ArrayList<>();
    List<MultiGauge.Row<?>> lags = new ArrayList<>();
    List<RaftGroupId> present = new ArrayList<>();
    for (RaftGroupId id : log.server().getGroupIds()) {
      RaftServer.Division d = log.division(id).orElse(null);
      if (d == null) {
        continue;
      }
      present.add(id);
      String group = GroupIds.text(id);
      Tags tags = groupTags(id);
      long commit = Math.max(0, d.getRaftLog().getLastCommittedIndex());
      commits.add(MultiGauge.Row.of(tags, commit));
      applied.add(MultiGauge.Row.of(tags, Math.max(0, io.qraft.log.AppliedIndex.of(d))));
      boolean leads = d.getInfo().isLeader();
      leaders.add(MultiGauge.Row.of(tags, leads ? 1 : 0));
      leaderChangeCounter(id);
      if (leads) {
        addFollowerLags(d, tags, commit, lags);
      }
    }
    commitIndex.register(commits, true);
    appliedIndex.register(applied, true);
    isLeader.register(leaders, true);
    followerLag.register(lags, true);
    leaderChanges.entrySet().removeIf(e -> {
      if (present.contains(e.getKey())) {
        return false;
      }
      registry.remove(e.getValue());
      return true;
    });
  }

  /**
   * Ratis lists the followers' match indices and their ids in the same order (both walk the
   * leader's log appenders); a change in between shows as different lengths, and then this
   * scrape skips the group.
   */
  private static void addFollowerLags(RaftServer.Division d, Tags group, long commit,
      List<MultiGauge.Row<?>> out) {
    long[] match = d.getInfo().getFollowerMatchIndices();
    RaftProtos.RoleInfoProto role = d.getInfo().getRoleInfoProto();
    if (match == null || !role.hasLeaderInfo()) {
      return;
    }
    List<RaftProtos.ServerRpcProto> followers = role.getLeaderInfo().getFollowerInfoList();
    if (followers.size() != match.length) {
      return;
    }
    for (int i = 0; i < match.length; i++) {
      String follower = followers.get(i).getId().getId().toStringUtf8();
      out.add(MultiGauge.Row.of(group.and("follower", follower), Math.max(0, commit - match[i])));
    }
  }

  private void refreshStoreSize() {
    long now = System.currentTimeMillis();
    if (storeMeasuredAt != 0 && now - storeMeasuredAt < STORE_SIZE_CACHE_MS) {
      return;
    }
    storeMeasuredAt = now;
    storeBytes = sizeOnDisk(log.settings().dataDir().resolve("store"));
  }

  /** Bytes of the regular files under dir (0 if it does not exist); files vanishing meanwhile are skipped. */
  static long sizeOnDisk(Path dir) {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    AtomicLong total = new AtomicLong();
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (attrs.isRegularFile()) {
            total.addAndGet(attrs.size());
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      // A partial sum is still the better answer than none.
    }
    return total.get();
  }

  /** Refreshes the gauges and writes every series in the Prometheus text format (0.0.4). */
  public String scrape() {
    refresh();
    return registry.scrape();
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
