package io.qraft.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import io.qraft.api.log.v1.QueueRecord;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.log.v1.ShardResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Replays of a list of entries on fresh shards, for tests that replicas agree: straight through;
 * with the replica restarted before any one entry (memory rebuilt from its store); restored from
 * a snapshot taken before any one entry. A restarted or restored replica must answer, tell and
 * store exactly what the straight one did.
 */
final class Replays {
  private Replays() {}

  /** What a replica answered, told its listener, and stored. */
  record Run(List<ShardResult> results, List<String> events, byte[] export) {}

  static Run straight(List<ShardCommand> commands) {
    try (TestShard s = TestShard.inMemory()) {
      List<ShardResult> results = new ArrayList<>();
      commands.forEach(c -> results.add(s.apply(c)));
      s.assertConsistent();
      return new Run(results, List.copyOf(s.events.seen), s.export());
    }
  }

  /** For every split point: a restart there changes nothing a client or another replica could see. */
  static void assertRestartAnywhereAgrees(List<ShardCommand> commands) {
    Run straight = straight(commands);
    for (int split = 0; split <= commands.size(); split++) {
      try (TestShard s = TestShard.inMemory()) {
        List<ShardResult> results = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
          if (i == split) {
            Map<String, List<String>> consumers = s.machine.attachedConsumers();
            List<QueueRecord> records = s.machine.records();
            s.restart();
            assertThat(s.machine.attachedConsumers()).as("consumers after a restart at %d", split).isEqualTo(consumers);
            assertThat(s.machine.records()).as("records after a restart at %d", split).isEqualTo(records);
            s.assertConsistent();
          }
          results.add(s.apply(commands.get(i)));
        }
        assertThat(results).as("results, restart before entry %d", split + 1).isEqualTo(straight.results);
        assertThat(s.events.seen).as("events, restart before entry %d", split + 1).isEqualTo(straight.events);
        assertThat(s.export()).as("export, restart before entry %d", split + 1).isEqualTo(straight.export);
      }
    }
  }

  /** For every split point: a replica restored from a snapshot there goes on as the straight one. */
  static void assertSnapshotAnywhereAgrees(List<ShardCommand> commands) {
    Run straight = straight(commands);
    for (int split = 0; split <= commands.size(); split++) {
      byte[] snapshot;
      List<String> eventsBefore;
      try (TestShard prefix = TestShard.inMemory()) {
        commands.subList(0, split).forEach(prefix::apply);
        snapshot = prefix.export();
        eventsBefore = List.copyOf(prefix.events.seen);
      }
      try (TestShard restored = TestShard.restoredFrom(snapshot)) {
        restored.assertConsistent();
        List<ShardResult> rest = new ArrayList<>();
        commands.subList(split, commands.size()).forEach(c -> rest.add(restored.apply(c)));
        assertThat(rest).as("results after a snapshot at %d", split)
            .isEqualTo(straight.results.subList(split, commands.size()));
        List<String> events = new ArrayList<>(eventsBefore);
        events.addAll(restored.events.seen);
        assertThat(events).as("events, snapshot at %d", split).isEqualTo(straight.events);
        assertThat(restored.export()).as("export, snapshot at %d", split).isEqualTo(straight.export);
      }
    }
  }
}
