package io.qraft.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.TextFormat;
import io.qraft.api.log.v1.AttachedConsumer;
import io.qraft.api.log.v1.QueueRecord;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.log.v1.ShardResult;
import io.qraft.api.log.v1.StoredMessage;
import io.qraft.api.v1.Delivery;
import io.qraft.storage.InMemoryQueueStore;
import io.qraft.storage.QueueStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A store, the QueueMachine over it and the next log index: what the Ratis
 * adapter does for one shard, without Ratis. Also reads the store back, for
 * assertions that look past the machine at what is durable.
 */
final class TestShard implements AutoCloseable {
  final QueueStore store;
  final RecordingEvents events = new RecordingEvents();
  QueueMachine machine;
  /** The index of the last entry applied through this harness (or the store's at start). */
  long index;

  TestShard(QueueStore store) {
    this.store = store;
    this.index = store.lastAppliedIndex();
    this.machine = new QueueMachine(store, events);
  }

  static TestShard inMemory() {
    return new TestShard(new InMemoryQueueStore());
  }

  /** A fresh in-memory shard holding the import of an export. */
  static TestShard restoredFrom(byte[] export) {
    InMemoryQueueStore store = new InMemoryQueueStore();
    importInto(store, export);
    return new TestShard(store);
  }

  /** Applies the next entry. */
  ShardResult apply(ShardCommand command) {
    return machine.apply(++index, command);
  }

  /** Applies the next entry and asserts it was not refused. */
  ShardResult applyOk(ShardCommand command) {
    ShardResult result = apply(command);
    assertThat(result.getErrorCode()).as("error of %s: %s", TextFormat.shortDebugString(command),
        result.getErrorMessage()).isEqualTo(Status.OK);
    return result;
  }

  List<Delivery> deliver(String queue, String consumer, int max) {
    return applyOk(Cmd.deliver(queue, consumer, max)).getDeliveriesList();
  }

  /** A new machine over the same store, as after a restart of the replica. */
  void restart() {
    machine = new QueueMachine(store, events);
  }

  QueueRecord record(String queue) {
    return machine.snapshotOf(queue);
  }

  byte[] export() {
    return export(store);
  }

  static byte[] export(QueueStore store) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      store.exportTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static void importInto(QueueStore store, byte[] export) {
    try {
      store.importFrom(new ByteArrayInputStream(export));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Offsets of the queue's stored messages (ready and outstanding), ascending. */
  List<Long> storedOffsets(String queue) {
    List<Long> out = new ArrayList<>();
    store.scanMessages(queue, 0, (offset, value) -> out.add(offset));
    return out;
  }

  StoredMessage storedMessage(String queue, long offset) {
    byte[] bytes = store.message(queue, offset);
    return bytes == null ? null : parseMessage(bytes);
  }

  /** The queue's unacked marks by offset: consumer id (empty once returned) and delivery count. */
  Map<Long, StoredMessage> marks(String queue) {
    Map<Long, StoredMessage> out = new TreeMap<>();
    store.scanUnacked(queue, (offset, value) -> {
      out.put(offset, parseMessage(value));
      return true;
    });
    return out;
  }

  /** The queue record as stored (not the machine's copy). */
  QueueRecord storedRecord(String queue) {
    byte[] bytes = store.queue(queue);
    if (bytes == null) {
      return null;
    }
    try {
      return QueueRecord.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Every record of the store, readable, without the applied index: for
   * "nothing changed" checks across entries (an export also differs by index).
   */
  List<String> dump() {
    return dump(store);
  }

  static List<String> dump(QueueStore store) {
    List<String> out = new ArrayList<>();
    store.forEachQueue((name, bytes) -> {
      try {
        out.add("Q " + name + " " + TextFormat.shortDebugString(QueueRecord.parseFrom(bytes)));
      } catch (InvalidProtocolBufferException e) {
        throw new UncheckedIOException(e);
      }
      store.scanMessages(name, 0, (offset, value) -> out.add(
          "M " + name + " " + offset + " " + TextFormat.shortDebugString(parseMessage(value))));
      store.scanUnacked(name, (offset, value) -> out.add(
          "U " + name + " " + offset + " " + TextFormat.shortDebugString(parseMessage(value))));
      return true;
    });
    return out;
  }

  /**
   * The counters of every queue agree with what the store holds, and the
   * machine's records are the stored ones:
   * messages = stored messages, unacked = marks held by a consumer,
   * bytes = sum of the bodies, every mark belongs to a stored message,
   * every offset is below next_offset.
   */
  void assertConsistent() {
    List<QueueRecord> stored = new ArrayList<>();
    store.forEachQueue((name, bytes) -> {
      stored.add(storedRecord(name));
      return true;
    });
    List<QueueRecord> inMemory = new ArrayList<>(machine.records());
    Comparator<QueueRecord> byName = Comparator.comparing(QueueRecord::getName);
    stored.sort(byName);
    inMemory.sort(byName);
    assertThat(inMemory).as("machine records vs stored records").isEqualTo(stored);
    assertThat(machine.queueCount()).isEqualTo(stored.size());
    Map<String, List<String>> attached = new TreeMap<>();
    for (QueueRecord r : stored) {
      String q = r.getName();
      List<Long> offsets = storedOffsets(q);
      long bytes = 0;
      for (long offset : offsets) {
        bytes += storedMessage(q, offset).getMessage().getBody().size();
        assertThat(offset).as("offset of %s below next_offset", q).isLessThan(r.getNextOffset());
      }
      Map<Long, StoredMessage> marks = marks(q);
      long held = marks.values().stream().filter(m -> !m.getConsumerId().isEmpty()).count();
      // Delayed requeues and dead-lettered messages are neither ready nor out.
      long waiting = marks.values().stream()
          .filter(m -> m.getConsumerId().isEmpty() && (m.getReadyAtMs() > 0 || !m.getDeadReason().isEmpty())).count();
      assertThat(offsets).as("marks of %s belong to stored messages", q).containsAll(marks.keySet());
      assertThat(r.getMessages()).as("messages of %s", q).isEqualTo(offsets.size());
      assertThat(r.getUnacked()).as("unacked of %s", q).isEqualTo(held);
      assertThat(r.getBytes()).as("bytes of %s", q).isEqualTo(bytes);
      assertThat(machine.hasReady(q)).as("hasReady of %s", q).isEqualTo(offsets.size() > held + waiting);
      assertConsumersConsistent(r, marks, offsets.size() > held + waiting);
      if (!r.getConsumersList().isEmpty()) {
        attached.put(q, r.getConsumersList().stream().map(AttachedConsumer::getId).toList());
      }
    }
    assertThat(machine.attachedConsumers()).as("attachedConsumers() vs the records").isEqualTo(attached);
    assertThat(machine.lastAppliedIndex()).isEqualTo(store.lastAppliedIndex());
  }

  /**
   * The attached consumers of a record are distinct, their prefetch and attach index in range,
   * and (checkout ran after the last entry) none has credit left while a message is ready.
   */
  private void assertConsumersConsistent(QueueRecord r, Map<Long, StoredMessage> marks, boolean ready) {
    String q = r.getName();
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (AttachedConsumer c : r.getConsumersList()) {
      assertThat(ids.add(c.getId())).as("consumer %s attached once to %s", c.getId(), q).isTrue();
      assertThat(Integer.toUnsignedLong(c.getPrefetch())).as("prefetch of %s", c.getId())
          .isBetween(1L, (long) io.qraft.api.HardLimits.PREFETCH);
      assertThat(c.getAttachedAt()).as("attach index of %s", c.getId()).isBetween(1L, store.lastAppliedIndex());
      long held = marks.values().stream().filter(m -> m.getConsumerId().equals(c.getId())).count();
      // With a single active consumer only the first attached one takes messages.
      boolean takes = !r.getLimits().getSingleActiveConsumer() || c.equals(r.getConsumers(0));
      if (ready && takes) {
        assertThat(held).as("%s has credit while %s has ready messages", c.getId(), q)
            .isGreaterThanOrEqualTo(c.getPrefetch());
      }
    }
    assertThat(r.getConsumersCount()).as("consumers of %s", q).isLessThanOrEqualTo(QueueMachine.MAX_CONSUMERS);
  }

  static StoredMessage parseMessage(byte[] bytes) {
    try {
      return StoredMessage.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    store.close();
  }

  /** A delivery the shard handed to an attached consumer. */
  record Handed(String consumerId, Delivery delivery) {
    long offset() {
      return delivery.getTag().getOffset();
    }

    int count() {
      return delivery.getTag().getDeliveryCount();
    }

    /** The body it carried, or null when left to the store. */
    String body() {
      return delivery.hasMessage() ? delivery.getMessage().getBody().toStringUtf8() : null;
    }
  }

  /**
   * The events of the apply loop, in order, as short strings; deliveries to attached consumers
   * also whole, in {@link #delivered}.
   */
  static final class RecordingEvents implements ShardEvents {
    final List<String> seen = new ArrayList<>();
    final List<Handed> delivered = new ArrayList<>();

    @Override
    public void messagesReady(String queue) {
      seen.add("ready " + queue);
    }

    @Override
    public void deliveriesSettled(String queue, String consumerId, int count) {
      seen.add("settled " + queue + " " + consumerId + " " + count);
    }

    @Override
    public void queueDeleted(String queue) {
      seen.add("deleted " + queue);
    }

    @Override
    public void deadLettered(String queue) {
      seen.add("dead " + queue);
    }

    @Override
    public void consumerTimedOut(String queue, String consumerId) {
      seen.add("timed out " + queue + " " + consumerId);
    }

    /** As "delivered CONSUMER QUEUE offset/count[ redelivered][ body=BODY]". */
    @Override
    public void delivered(String consumerId, Delivery delivery) {
      delivered.add(new Handed(consumerId, delivery));
      seen.add("delivered " + consumerId + " " + delivery.getQueue() + " " + delivery.getTag().getOffset() + "/"
          + delivery.getTag().getDeliveryCount() + (delivery.getRedelivered() ? " redelivered" : "")
          + (delivery.hasMessage() ? " body=" + delivery.getMessage().getBody().toStringUtf8() : ""));
    }

    /** The deliveries to attached consumers since the last call. */
    List<Handed> drainDelivered() {
      List<Handed> out = List.copyOf(delivered);
      delivered.clear();
      return out;
    }

    List<String> drain() {
      List<String> out = List.copyOf(seen);
      seen.clear();
      return out;
    }
  }
}
