package io.qraft.bench.jmh;

import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.log.v1.ShardResult;
import io.qraft.api.v1.Delivery;
import io.qraft.api.v1.DeliveryTag;
import io.qraft.statemachine.QueueMachine;
import io.qraft.statemachine.ShardEvents;
import io.qraft.storage.InMemoryQueueStore;
import io.qraft.storage.QueueStore;
import io.qraft.storage.RocksQueueStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The state machine's apply, per command type, over the in-memory store and RocksDB (a temp
 * dir): what one replica spends applying a log entry, without Raft. A fresh store per
 * iteration keeps the queue from growing without bound.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-Dlogback.configurationFile=logback-bench.xml"})
public class ApplyBenchmark extends MicroBenchmark {
  private static final String QUEUE = "q";

  @Param({"memory", "rocks"})
  public String store;

  /** Messages per Enqueue entry (the publish batch a leader gathered into one entry). */
  @Param({"1", "16"})
  public int messages;

  @Param({"100"})
  public int size;

  private Path dir;
  private QueueStore queueStore;
  private QueueMachine machine;
  private long index;
  private long sequence;
  private int created;

  @Setup(Level.Iteration)
  public void open() throws IOException {
    if (store.equals("rocks")) {
      dir = TempDirs.create("qraft-jmh-apply");
      queueStore = RocksQueueStore.open(dir.resolve("db"));
    } else {
      queueStore = new InMemoryQueueStore();
    }
    machine = new QueueMachine(queueStore, ShardEvents.NONE);
    index = 0;
    sequence = 0;
    machine.apply(++index, Commands.create(QUEUE));
  }

  @TearDown(Level.Iteration)
  public void close() throws Exception {
    queueStore.close();
    TempDirs.delete(dir);
  }

  /** One Enqueue entry of {@code messages} messages. */
  @Benchmark
  public ShardResult enqueue() {
    return machine.apply(++index, Commands.enqueue(QUEUE, "p", ++sequence, messages, size));
  }

  /** Enqueue, Deliver and Settle(ack) of the same messages: three entries, queue stays empty. */
  @Benchmark
  public ShardResult enqueueDeliverAck() {
    machine.apply(++index, Commands.enqueue(QUEUE, "p", ++sequence, messages, size));
    ShardResult delivered = machine.apply(++index, Commands.deliver(QUEUE, "c", messages));
    List<DeliveryTag> tags = new ArrayList<>(delivered.getDeliveriesCount());
    for (Delivery d : delivered.getDeliveriesList()) {
      tags.add(d.getTag());
    }
    return machine.apply(++index, Commands.ack(QUEUE, tags));
  }

  /** CreateQueue of a new queue (the queue index grows during the iteration). */
  @Benchmark
  public ShardResult createQueue() {
    return machine.apply(++index, Commands.create("q-" + (++created)));
  }

}
