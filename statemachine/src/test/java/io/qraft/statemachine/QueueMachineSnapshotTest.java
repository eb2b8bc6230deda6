package io.qraft.statemachine;

import static io.qraft.statemachine.Cmd.tag;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qraft.api.log.v1.ShardCommand;
import io.qraft.storage.InMemoryQueueStore;
import io.qraft.storage.RocksQueueStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot of a shard is its store's export at the snapshot's index: a
 * machine over a store that imported it has the same records and, given the
 * same further entries, the same results and the same bytes.
 */
class QueueMachineSnapshotTest {

  /** Several queues, outstanding, returned and requeued deliveries, a deleted queue. */
  static final List<ShardCommand> BEFORE = List.of(
      Cmd.create("orders", Map.of("ack-mode", "quorum")),
      Cmd.create("audit"),
      Cmd.create("gone"),
      Cmd.create("日本"),
      Cmd.enqueue(Cmd.publishOf("orders", "o0", "o1", "o2", "o3"), Cmd.publishOf("audit", "a0")),
      Cmd.publish("gone", "g0", "g1"),
      Cmd.publish("日本", "n0"),
      Cmd.deliver("orders", "c1", 2),
      Cmd.deliver("audit", "c2", 1),
      Cmd.deliver("gone", "c2", 1),
      Cmd.requeue("orders", tag(1, 1)),
      Cmd.deliver("orders", "c3", 1), // offset 1 again, second delivery
      Cmd.ack("orders", tag(0, 1)),
      Cmd.returnOf("c2"),
      Cmd.delete("gone"),
      Cmd.deliver("日本", "c1", 1));

  /** Uses what the snapshot must carry: delivery counts, outstanding tags, offsets. */
  static final List<ShardCommand> AFTER = List.of(
      Cmd.ack("orders", tag(1, 1)), // stale: refused on both
      Cmd.ack("orders", tag(1, 2)),
      Cmd.deliver("audit", "c4", 5), // redelivered (returned)
      Cmd.publish("orders", "o4"),
      Cmd.returnAll(),
      Cmd.deliver("orders", "c4", 10),
      Cmd.deliver("日本", "c4", 10),
      Cmd.create("gone"),
      Cmd.publish("gone", "fresh"),
      Cmd.purge("orders"),
      Cmd.drop("日本", tag(0, 2)),
      Cmd.empty());

  @Test
  void restoredMachineHasTheSameRecordsAndBehavesTheSame() {
    try (TestShard a = TestShard.inMemory()) {
      BEFORE.forEach(a::apply);
      byte[] snapshot = a.export();

      try (TestShard b = TestShard.restoredFrom(snapshot)) {
        assertThat(b.store.lastAppliedIndex()).isEqualTo(BEFORE.size());
        assertThat(b.machine.records()).isEqualTo(a.machine.records());
        assertThat(b.dump()).isEqualTo(a.dump());
        assertThat(b.export()).isEqualTo(snapshot);
        b.assertConsistent();

        for (ShardCommand c : AFTER) {
          assertThat(b.apply(c)).as("result of entry %d", b.index + 1).isEqualTo(a.apply(c));
          assertThat(b.export()).as("export after entry %d", b.index).isEqualTo(a.export());
        }
        b.assertConsistent();
        assertThat(b.machine.records()).isEqualTo(a.machine.records());
      }
    }
  }

  @Test
  void snapshotCarriesDeliveryCountsAndTheRedeliveredFlag() {
    try (TestShard a = TestShard.inMemory()) {
      BEFORE.forEach(a::apply);
      try (TestShard b = TestShard.restoredFrom(a.export())) {
        assertThat(b.applyOk(Cmd.ack("orders", tag(1, 2))).getCount()).isEqualTo(1);
        assertThat(b.deliver("audit", "c4", 5)).singleElement().satisfies(d -> {
          assertThat(d.getRedelivered()).isTrue();
          assertThat(d.getTag()).isEqualTo(tag(0, 2));
        });
        assertThat(b.record("orders").getNextOffset()).isEqualTo(4);
        assertThat(b.record("gone")).isNull();
      }
    }
  }

  @Test
  void importIntoAStoreWithOtherContentReplacesItAfterReload() {
    try (TestShard a = TestShard.inMemory(); TestShard b = TestShard.inMemory()) {
      BEFORE.forEach(a::apply);
      // b is ahead and has queues a does not have: the snapshot still wins whole.
      b.applyOk(Cmd.create("stale"));
      for (int i = 0; i < 30; i++) {
        b.applyOk(Cmd.publish("stale", "s" + i));
      }

      TestShard.importInto(b.store, a.export());
      b.machine.reload();
      b.index = b.store.lastAppliedIndex();

      assertThat(b.store.lastAppliedIndex()).isEqualTo(a.store.lastAppliedIndex());
      assertThat(b.record("stale")).isNull();
      assertThat(b.machine.records()).isEqualTo(a.machine.records());
      for (ShardCommand c : AFTER) {
        assertThat(b.apply(c)).isEqualTo(a.apply(c));
      }
      assertThat(b.export()).isEqualTo(a.export());
    }
  }

  @Test
  void snapshotMovesBetweenInMemoryAndRocksDbStores(@TempDir Path dir) throws IOException {
    try (TestShard memory = TestShard.inMemory();
        TestShard rocks = new TestShard(RocksQueueStore.open(dir.resolve("rocks")))) {
      BEFORE.forEach(memory::apply);

      TestShard.importInto(rocks.store, memory.export());
      rocks.machine.reload();
      rocks.index = rocks.store.lastAppliedIndex();

      assertThat(rocks.export()).isEqualTo(memory.export());
      for (ShardCommand c : AFTER) {
        assertThat(rocks.apply(c)).isEqualTo(memory.apply(c));
      }
      assertThat(rocks.export()).isEqualTo(memory.export());
      rocks.assertConsistent();

      try (TestShard back = TestShard.restoredFrom(rocks.export())) {
        assertThat(back.export()).isEqualTo(memory.export());
        assertThat(back.machine.records()).isEqualTo(memory.machine.records());
      }
    }
  }

  @Test
  void tornSnapshotIsRefusedAndTheMachineGoesOnUnchanged() {
    try (TestShard a = TestShard.inMemory(); TestShard b = TestShard.inMemory()) {
      BEFORE.forEach(a::apply);
      b.applyOk(Cmd.create("mine"));
      b.applyOk(Cmd.publish("mine", "x"));
      byte[] before = b.export();
      byte[] snapshot = a.export();
      byte[] torn = Arrays.copyOf(snapshot, snapshot.length - 5);

      assertThatThrownBy(() -> b.store.importFrom(new ByteArrayInputStream(torn)))
          .isInstanceOf(IOException.class);
      b.machine.reload();

      assertThat(b.export()).isEqualTo(before);
      assertThat(b.applyOk(Cmd.publish("mine", "y")).getPublishes(0).getOffsetsList()).containsExactly(1L);
    }
  }

  @Test
  void emptyStoreExportRestoresToAnEmptyMachine() {
    try (TestShard a = TestShard.inMemory()) {
      a.applyOk(Cmd.create("q"));
      a.applyOk(Cmd.delete("q"));
      try (TestShard b = TestShard.restoredFrom(a.export())) {
        assertThat(b.machine.queueCount()).isZero();
        assertThat(b.store.lastAppliedIndex()).isEqualTo(2);
        assertThat(b.apply(Cmd.publish("q", "x")).getPublishes(0).getErrorCode()).isEqualTo(Status.NOT_FOUND);
      }
    }
  }

  @Test
  void freshStoreExportsIndexZero() {
    InMemoryQueueStore store = new InMemoryQueueStore();
    try (TestShard restored = TestShard.restoredFrom(TestShard.export(store))) {
      assertThat(restored.store.lastAppliedIndex()).isZero();
      assertThat(restored.machine.queueCount()).isZero();
    } finally {
      store.close();
    }
  }
}
