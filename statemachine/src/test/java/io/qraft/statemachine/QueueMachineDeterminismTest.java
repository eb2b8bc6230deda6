package io.qraft.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.TextFormat;
import io.qraft.api.log.v1.QueuePublish;
import io.qraft.api.log.v1.Settle;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.log.v1.ShardResult;
import io.qraft.api.log.v1.StoredMessage;
import io.qraft.api.v1.DeliveryTag;
import io.qraft.api.v1.Message;
import io.qraft.storage.RocksQueueStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every replica reaches the same state from the same entries: two fresh
 * machines given one command list export the same bytes, and so does a
 * machine that took a snapshot (or restarted) part way and went on.
 *
 * <p>The command lists are random but seeded. A failure names its seed;
 * rerun just that seed with {@code -Dqraft.determinism.seed=<seed>
 * -Dqraft.determinism.runs=1}.
 */
class QueueMachineDeterminismTest {
  private static final long BASE_SEED = Long.getLong("qraft.determinism.seed", 0x5EED_2024L);
  private static final int RUNS = Integer.getInteger("qraft.determinism.runs", 150);
  private static final int LENGTH = 160;

  private static final String[] QUEUES = {"a", "b", "long-queue-name", "é/ü", "q\u0000x"};
  private static final String[] CONSUMERS = {"c1", "c2", "get-1"};
  /** Ids that attach; "c1" is also one Deliver uses, so that both kinds of marks meet under one id. */
  private static final String[] ATTACHED = {"w1", "w2", "w3", "c1"};
  /** Mostly small; 0 and past the ceiling are refused. */
  private static final int[] PREFETCH = {1, 1, 2, 3, 5, 0, io.qraft.api.HardLimits.PREFETCH + 1};
  private static final String[] GROUPS = {"g1", "g2"};
  private static final List<Map<String, String>> ARGUMENTS = List.of(
      Map.of(), Map.of("ack-mode", "quorum"), Map.of("ack-mode", "local", "queue-log", "shared"));

  @Test
  void sameCommandsGiveByteIdenticalExportsOnTwoFreshMachines() {
    for (int run = 0; run < RUNS; run++) {
      long seed = BASE_SEED + run;
      List<ShardCommand> commands = generate(seed, LENGTH);
      Run first = runAll(commands);
      Run second = runAll(commands);
      assertThat(second.results).as("results, seed %d", seed).isEqualTo(first.results);
      assertThat(second.events).as("events, seed %d", seed).isEqualTo(first.events);
      assertThat(second.export).as("export, seed %d", seed).isEqualTo(first.export);
    }
  }

  @Test
  void snapshotPartWayThenTheRestGivesTheSameExportAsEverythingAtOnce() {
    for (int run = 0; run < RUNS; run++) {
      long seed = BASE_SEED + run;
      List<ShardCommand> commands = generate(seed, LENGTH);
      Run whole = runAll(commands);
      int split = new Random(seed ^ 0xABCDL).nextInt(commands.size() + 1);

      byte[] snapshot;
      List<String> events;
      try (TestShard prefix = TestShard.inMemory()) {
        commands.subList(0, split).forEach(prefix::apply);
        snapshot = prefix.export();
        events = new ArrayList<>(prefix.events.seen);
      }
      try (TestShard restored = TestShard.restoredFrom(snapshot)) {
        assertThat(restored.index).as("seed %d", seed).isEqualTo(split);
        List<ShardResult> rest = new ArrayList<>();
        commands.subList(split, commands.size()).forEach(c -> rest.add(restored.apply(c)));
        assertThat(rest).as("results after the snapshot at %d, seed %d", split, seed)
            .isEqualTo(whole.results.subList(split, commands.size()));
        assertThat(restored.export()).as("export, snapshot at %d, seed %d", split, seed)
            .isEqualTo(whole.export);
        // Deliveries to attached consumers included: the restored replica hands out the same.
        events.addAll(restored.events.seen);
        assertThat(events).as("events, snapshot at %d, seed %d", split, seed).isEqualTo(whole.events);
      }
    }
  }

  @Test
  void restartPartWayThenTheRestGivesTheSameExportAsEverythingAtOnce() {
    for (int run = 0; run < RUNS; run++) {
      long seed = BASE_SEED + run;
      List<ShardCommand> commands = generate(seed, LENGTH);
      Run whole = runAll(commands);
      Random random = new Random(seed ^ 0x1234L);
      try (TestShard shard = TestShard.inMemory()) {
        for (int i = 0; i < commands.size(); i++) {
          if (random.nextInt(10) == 0) {
            shard.restart();
          }
          assertThat(shard.apply(commands.get(i))).as("result of entry %d, seed %d", i + 1, seed)
              .isEqualTo(whole.results.get(i));
        }
        assertThat(shard.export()).as("export, seed %d", seed).isEqualTo(whole.export);
        assertThat(shard.events.seen).as("events, seed %d", seed).isEqualTo(whole.events);
      }
    }
  }

  @Test
  void rocksDbAndInMemoryStoresAgreeOnRandomCommands(@TempDir Path dir) throws Exception {
    for (int run = 0; run < 5; run++) {
      long seed = BASE_SEED + 10_000 + run;
      List<ShardCommand> commands = generate(seed, LENGTH);
      Run memory = runAll(commands);
      try (TestShard rocks = new TestShard(RocksQueueStore.open(dir.resolve("run" + run)))) {
        List<ShardResult> results = new ArrayList<>();
        int split = commands.size() / 2;
        for (int i = 0; i < commands.size(); i++) {
          if (i == split) {
            rocks.restart();
          }
          results.add(rocks.apply(commands.get(i)));
        }
        rocks.assertConsistent();
        assertThat(results).as("results, seed %d", seed).isEqualTo(memory.results);
        assertThat(rocks.export()).as("export, seed %d", seed).isEqualTo(memory.export);
        assertThat(rocks.events.seen).as("events, seed %d", seed).isEqualTo(memory.events);
      }
    }
  }

  /** The generator exercises what it should: every kind, successes and refusals. */
  @Test
  void generatedCommandsCoverEveryKindAndOutcome() {
    Map<String, Long> kinds = new java.util.TreeMap<>();
    long refusedSettles = 0;
    long okSettles = 0;
    long deliveries = 0;
    long synced = 0;
    long copiedIn = 0;
    long copiesRemoved = 0;
    long handedOut = 0;
    long reannounced = 0;
    long detachedWithDeliveries = 0;
    for (int run = 0; run < 20; run++) {
      List<ShardCommand> commands = generate(BASE_SEED + run, LENGTH);
      Run r = runAll(commands);
      for (int i = 0; i < commands.size(); i++) {
        ShardCommand c = commands.get(i);
        kinds.merge(c.getKindCase().name(), 1L, Long::sum);
        if (c.hasSettle()) {
          if (r.results.get(i).getErrorCode() == Status.OK) {
            okSettles++;
          } else {
            refusedSettles++;
          }
        }
        deliveries += r.results.get(i).getDeliveriesCount();
        synced += r.results.get(i).getSyncedCount();
        if (c.hasSyncIn()) {
          copiedIn += r.results.get(i).getCount();
        }
        if (c.hasSyncDone()) {
          copiesRemoved += r.results.get(i).getCount();
        }
        if (c.hasAttach()) {
          reannounced += r.results.get(i).getCount();
        }
        if (c.hasDetach() && r.results.get(i).getCount() > 0) {
          detachedWithDeliveries++;
        }
      }
      handedOut += r.events.stream().filter(e -> e.startsWith("delivered ") && !e.contains("redelivered")).count();
    }
    assertThat(kinds).containsKeys("CREATE_QUEUE", "DELETE_QUEUE", "ENQUEUE", "DELIVER", "SETTLE",
        "PURGE", "RETURN_DELIVERIES", "KIND_NOT_SET",
        "SEAL_QUEUE", "ADOPT_QUEUE", "SYNC_OUT", "SYNC_IN", "SYNC_DONE", "ATTACH", "DETACH");
    assertThat(okSettles).isGreaterThan(100);
    assertThat(refusedSettles).isGreaterThan(20);
    // Fewer than before Attach: attached consumers take much of what is ready.
    assertThat(deliveries).isGreaterThan(200);
    assertThat(synced).isGreaterThan(10);
    assertThat(copiedIn).isGreaterThan(20);
    assertThat(copiesRemoved).isGreaterThan(0);
    assertThat(handedOut).isGreaterThan(100);
    assertThat(reannounced).isGreaterThan(20);
    assertThat(detachedWithDeliveries).isGreaterThan(10);
  }

  /** What a run answered, the events it told (deliveries to attached consumers included), its store. */
  private record Run(List<ShardResult> results, List<String> events, byte[] export) {}

  private static Run runAll(List<ShardCommand> commands) {
    try (TestShard shard = TestShard.inMemory()) {
      List<ShardResult> results = new ArrayList<>(commands.size());
      commands.forEach(c -> results.add(shard.apply(c)));
      return new Run(results, List.copyOf(shard.events.seen), shard.export());
    }
  }

  /**
   * A random command list. It is built against a scratch machine so that
   * settles mostly name deliveries that are outstanding, with some stale
   * tags, duplicates and unknown queues mixed in; the scratch machine's
   * counters are checked against its store after every entry.
   */
  static List<ShardCommand> generate(long seed, int length) {
    return GENERATED.computeIfAbsent(List.of(seed, (long) length), k -> generateNew(seed, length));
  }

  /** Lists already generated: each test of a seed replays the same list. */
  private static final Map<List<Long>, List<ShardCommand>> GENERATED = new java.util.concurrent.ConcurrentHashMap<>();

  private static List<ShardCommand> generateNew(long seed, int length) {
    Random random = new Random(seed);
    List<ShardCommand> commands = new ArrayList<>(length);
    try (TestShard scratch = TestShard.inMemory()) {
      long time = 1_000_000L;
      for (int i = 0; i < length; i++) {
        time += random.nextInt(50);
        ShardCommand command = next(random, scratch).toBuilder().setLeaderTimeMs(time).build();
        commands.add(command);
        scratch.apply(command);
        try {
          scratch.assertConsistent();
        } catch (AssertionError e) {
          throw new AssertionError("seed " + seed + ", entry " + (i + 1) + ": "
              + TextFormat.shortDebugString(command) + ": " + e.getMessage(), e);
        }
      }
    }
    return List.copyOf(commands);
  }

  private static ShardCommand next(Random random, TestShard scratch) {
    String queue = pick(random, QUEUES);
    if (random.nextInt(12) == 0) {
      return move(random, scratch, queue);
    }
    if (random.nextInt(6) == 0) {
      return consumers(random, scratch, queue);
    }
    int roll = random.nextInt(100);
    if (roll < 8) {
      return Cmd.create(queue, ARGUMENTS.get(random.nextInt(ARGUMENTS.size())));
    }
    if (roll < 11) {
      return Cmd.delete(queue);
    }
    if (roll < 38) {
      List<QueuePublish> publishes = new ArrayList<>();
      int n = 1 + random.nextInt(3);
      for (int p = 0; p < n; p++) {
        String target = random.nextInt(12) == 0 ? "missing" : pick(random, QUEUES);
        QueuePublish.Builder publish = QueuePublish.newBuilder().setQueue(target)
            .setProducerId(random.nextBoolean() ? "" : "p" + random.nextInt(3))
            .setSequence(random.nextInt(100));
        int messages = random.nextInt(5);
        for (int m = 0; m < messages; m++) {
          Message.Builder message = Cmd.message(randomBody(random)).toBuilder();
          if (random.nextInt(4) == 0) {
            message.putHeaders("h" + random.nextInt(3), "v" + random.nextInt(3));
          }
          publish.addMessages(message);
        }
        publishes.add(publish.build());
      }
      return Cmd.enqueue(publishes.toArray(QueuePublish[]::new));
    }
    if (roll < 60) {
      return Cmd.deliver(queue, pick(random, CONSUMERS), random.nextInt(5), random.nextInt(5) == 0);
    }
    if (roll < 87) {
      return settle(random, scratch, queue);
    }
    if (roll < 90) {
      return Cmd.purge(queue);
    }
    if (roll < 96) {
      return Cmd.returnOf(pick(random, CONSUMERS));
    }
    if (roll < 99) {
      return Cmd.returnAll();
    }
    return Cmd.empty();
  }

  /** Attach (new or again), Detach, or a new leader's return that leaves attached consumers theirs. */
  private static ShardCommand consumers(Random random, TestShard scratch, String queue) {
    int roll = random.nextInt(20);
    if (roll < 11) {
      int prefetch = PREFETCH[random.nextInt(PREFETCH.length)];
      List<String> attached = scratch.machine.attachedConsumers().getOrDefault(queue, List.of());
      // Sometimes one attached already (it comes back after a leader change).
      String id = !attached.isEmpty() && random.nextInt(3) == 0
          ? attached.get(random.nextInt(attached.size())) : pick(random, ATTACHED);
      return Cmd.attach(queue, id, prefetch);
    }
    if (roll < 17) {
      // Mostly one that is attached, with what it holds.
      List<String> attached = scratch.machine.attachedConsumers().getOrDefault(queue, List.of());
      String id = !attached.isEmpty() && random.nextInt(4) != 0
          ? attached.get(random.nextInt(attached.size())) : pick(random, ATTACHED);
      return Cmd.detach(queue, id);
    }
    return Cmd.returnAllKeepAttached();
  }

  /** A command of a queue move; a sync takes a queue's messages to itself, which is enough here. */
  private static ShardCommand move(Random random, TestShard scratch, String queue) {
    String group = pick(random, GROUPS);
    switch (random.nextInt(8)) {
      case 0, 7:
        return Cmd.seal(queue);
      case 1: {
        List<io.qraft.api.log.v1.CarriedSequence> carried = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
          carried.add(Cmd.carried("p" + random.nextInt(3), random.nextInt(100), (long) random.nextInt(40)));
        }
        // Mostly a queue that is missing, so that the adopt creates it.
        String target = random.nextInt(4) == 0 ? queue : pickWhere(random, queue, q -> scratch.record(q) == null);
        return Cmd.adopt(target, ARGUMENTS.get(random.nextInt(ARGUMENTS.size())), random.nextInt(40), carried);
      }
      case 2, 3:
        return Cmd.syncOut(pickWhere(random, queue, q -> scratch.record(q) != null && scratch.record(q).getSealed()),
            group, random.nextInt(4));
      case 4, 5: {
        // Mostly an adopted queue, below its floor (stored), sometimes reaching it (skipped).
        queue = pickWhere(random, queue, q -> scratch.record(q) != null && scratch.record(q).getSyncFloor() > 0);
        io.qraft.api.log.v1.QueueRecord record = scratch.record(queue);
        long floor = record == null ? 0 : record.getSyncFloor();
        long top = floor - 1 + (random.nextInt(4) == 0 ? 1 : 0);
        List<io.qraft.api.log.v1.SyncedMessage> messages = new ArrayList<>();
        for (long offset = top; offset >= 0 && offset > top - 1 - random.nextInt(3); offset--) {
          messages.add(Cmd.synced(offset, randomBody(random), 1_000 + random.nextInt(50), random.nextInt(3)));
        }
        return Cmd.syncIn(queue, messages);
      }
      default: {
        // Mostly a queue with messages marked for a copy, and that copy's group.
        String marked = pickWhere(random, queue, q -> scratch.marks(q).values().stream()
            .anyMatch(m -> m.getConsumerId().startsWith(QueueMachine.SYNC_PREFIX)));
        String copy = scratch.marks(marked).values().stream().map(StoredMessage::getConsumerId)
            .filter(id -> id.startsWith(QueueMachine.SYNC_PREFIX)).findFirst().orElse(QueueMachine.SYNC_PREFIX + group);
        boolean other = random.nextInt(4) == 0;
        return Cmd.syncDone(marked, other ? group : copy.substring(QueueMachine.SYNC_PREFIX.length()));
      }
    }
  }

  private static ShardCommand settle(Random random, TestShard scratch, String queue) {
    Settle.Outcome outcome = switch (random.nextInt(4)) {
      case 0, 1 -> Settle.Outcome.ACK;
      case 2 -> Settle.Outcome.REQUEUE;
      default -> Settle.Outcome.DROP;
    };
    // What is outstanding now, read from the scratch store.
    List<DeliveryTag> outstanding = scratch.marks(queue).entrySet().stream()
        .filter(e -> !e.getValue().getConsumerId().isEmpty())
        .map(e -> Cmd.tag(e.getKey(), e.getValue().getDeliveryCount()))
        .collect(Collectors.toCollection(ArrayList::new));
    java.util.Collections.shuffle(outstanding, random);
    List<DeliveryTag> tags = new ArrayList<>(outstanding.subList(0, random.nextInt(Math.min(4, outstanding.size()) + 1)));
    switch (random.nextInt(8)) {
      case 0 -> tags.add(Cmd.tag(random.nextInt(20), 1 + random.nextInt(3))); // maybe stale
      case 1 -> {
        if (!tags.isEmpty()) {
          DeliveryTag t = tags.get(0);
          tags.set(0, Cmd.tag(t.getOffset(), t.getDeliveryCount() + 1)); // wrong delivery count
        }
      }
      case 2 -> {
        if (!tags.isEmpty()) {
          tags.add(tags.get(0)); // duplicate
        }
      }
      default -> { }
    }
    return Cmd.settle(queue, outcome, tags.toArray(DeliveryTag[]::new));
  }

  private static String randomBody(Random random) {
    int length = random.nextInt(12);
    StringBuilder b = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      b.append((char) ('a' + random.nextInt(26)));
    }
    if (random.nextInt(10) == 0) {
      b.append('ß');
    }
    return b.toString();
  }

  /** One of the queues that match, or otherwise the fallback. */
  private static String pickWhere(Random random, String fallback, java.util.function.Predicate<String> match) {
    List<String> matching = java.util.Arrays.stream(QUEUES).filter(match).toList();
    return matching.isEmpty() ? fallback : matching.get(random.nextInt(matching.size()));
  }

  private static String pick(Random random, String[] values) {
    return values[random.nextInt(values.length)];
  }
}
