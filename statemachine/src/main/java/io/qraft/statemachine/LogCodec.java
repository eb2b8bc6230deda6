package io.qraft.statemachine;

import com.google.protobuf.InvalidProtocolBufferException;
import io.qraft.api.log.v1.MetaCommand;
import io.qraft.api.log.v1.MetaResult;
import io.qraft.api.log.v1.ShardCommand;
import io.qraft.api.log.v1.ShardResult;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * Where the two protobuf worlds meet: our commands and results (protobuf-java)
 * to and from Ratis messages (Ratis's relocated protobuf). Nowhere else
 * converts between them.
 */
public final class LogCodec {
  private LogCodec() {}

  public static Message message(com.google.protobuf.MessageLite proto) {
    return Message.valueOf(UnsafeByteOperations.unsafeWrap(proto.toByteArray()));
  }

  public static ShardCommand shardCommand(ByteString bytes) throws InvalidProtocolBufferException {
    return ShardCommand.parseFrom(bytes.asReadOnlyByteBuffer());
  }

  public static ShardResult shardResult(Message reply) throws InvalidProtocolBufferException {
    return ShardResult.parseFrom(reply.getContent().asReadOnlyByteBuffer());
  }

  public static MetaCommand metaCommand(ByteString bytes) throws InvalidProtocolBufferException {
    return MetaCommand.parseFrom(bytes.asReadOnlyByteBuffer());
  }

  public static MetaResult metaResult(Message reply) throws InvalidProtocolBufferException {
    return MetaResult.parseFrom(reply.getContent().asReadOnlyByteBuffer());
  }
}
