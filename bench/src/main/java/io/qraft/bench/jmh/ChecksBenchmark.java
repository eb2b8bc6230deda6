package io.qraft.bench.jmh;

import io.qraft.api.log.v1.QueuePublish;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.v1.Message;
import io.qraft.statemachine.ShardCommandCheck;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * What a replica spends checking an Enqueue entry before it applies it (names, producer id,
 * header count and bytes of every message against the hard limits): the cost the "apply never
 * throws" checks add to every entry, beside {@link ApplyBenchmark}'s whole apply of the same entry.
 */
public class ChecksBenchmark extends MicroBenchmark {
  /** Messages per Enqueue entry. */
  @Param({"1", "16"})
  public int messages;

  /** Headers per message. */
  @Param({"0", "4"})
  public int headers;

  private ShardCommand command;

  @Setup
  public void setup() {
    ShardCommand plain = Commands.enqueue("orders", "producer-0123456789", 42, messages, 100);
    QueuePublish.Builder publish = plain.getEnqueue().getPublishes(0).toBuilder().clearMessages();
    for (Message m : plain.getEnqueue().getPublishes(0).getMessagesList()) {
      Message.Builder b = m.toBuilder();
      for (int h = 0; h < headers; h++) {
        b.putHeaders("header-" + h, "value-" + h);
      }
      publish.addMessages(b);
    }
    command = plain.toBuilder().setEnqueue(plain.getEnqueue().toBuilder().setPublishes(0, publish)).build();
  }

  @Benchmark
  public String checkEnqueue() {
    String problem = ShardCommandCheck.problem(command);
    for (QueuePublish p : command.getEnqueue().getPublishesList()) {
      String q = ShardCommandCheck.publishProblem(p);
      problem = problem == null ? q : problem;
    }
    return problem;
  }
}
