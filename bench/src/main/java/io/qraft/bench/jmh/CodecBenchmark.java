package io.qraft.bench.jmh;

import com.google.protobuf.InvalidProtocolBufferException;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.statemachine.LogCodec;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The log-command codec: a ShardCommand (Enqueue) to a Ratis message and back. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dlogback.configurationFile=logback-bench.xml"})
public class CodecBenchmark {
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
