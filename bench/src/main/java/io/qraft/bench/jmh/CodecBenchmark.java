package io.qraft.bench.jmh;

import com.google.protobuf.InvalidProtocolBufferException;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.statemachine.LogCodec;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/** The log-command codec: a ShardCommand (Enqueue) to a Ratis message and back. */
public class CodecBenchmark extends MicroBenchmark {
  @Param({"1", "16", "128"})
  public int messages;

  @Param({"100", "1000"})
  public int size;

  private ShardCommand command;
  private ByteString bytes;

  @Setup
  public void setup() {
    command = Commands.enqueue("orders", "producer-0123456789", 42, messages, size);
    bytes = LogCodec.message(command).getContent();
  }

  @Benchmark
  public Message serialize() {
    return LogCodec.message(command);
  }

  @Benchmark
  public ShardCommand parse() throws InvalidProtocolBufferException {
    return LogCodec.shardCommand(bytes);
  }
}
