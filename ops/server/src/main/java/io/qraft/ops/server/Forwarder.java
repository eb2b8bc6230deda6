package io.qraft.ops.server;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.qraft.log.NodeAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Passes a unary call on to another node of the cluster (its leader, for
 * declare and delete), marked so that the receiver does not pass it on again.
 * One channel per node, made on first use.
 */
final class Forwarder implements AutoCloseable {
  static final Metadata.Key<String> FORWARDED = io.qraft.ops.auth.NodeHeaders.FORWARDED;
  private static final long DEADLINE_S = 60;

  private final Map<String, NodeAddress> members = new ConcurrentHashMap<>();
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final String self;
  private final SslContext tls;
  private volatile io.grpc.ClientInterceptor credentials;

  Forwarder(List<NodeAddress> members, String self) {
    this(members, self, null);
  }

  /**
   * @param tls client TLS for the channels to other nodes (trusting the cluster's CA, presenting
   *     this node's certificate), or null for plaintext
   */
  Forwarder(List<NodeAddress> members, String self, SslContext tls) {
    members.forEach(m -> this.members.put(m.id(), m));
    this.self = self;
    this.tls = tls;
  }

  /**
   * Credentials attached to every call to another node from now on (authentication on);
   * set before the first call.
   */
  void credentials(io.grpc.ClientInterceptor credentials) {
    this.credentials = credentials;
  }

  /** The client address of a node, or null if there is no such member. */
  String addressOf(String nodeId) {
    NodeAddress m = members.get(nodeId);
    return m == null ? null : m.grpcAddress();
  }

  boolean canForwardTo(String nodeId) {
    return nodeId != null && !nodeId.equals(self) && members.containsKey(nodeId);
  }

  ManagedChannel channel(String nodeId) {
    return channels.computeIfAbsent(nodeId, id -> {
      NettyChannelBuilder b = NettyChannelBuilder
          .forAddress(members.get(id).host(), members.get(id).grpcPort())
          .keepAliveTime(30, TimeUnit.SECONDS);
      if (tls == null) {
        b.usePlaintext();
      } else {
        b.sslContext(tls).useTransportSecurity();
      }
      if (credentials != null) {
        b.intercept(credentials);
      }
      return b.build();
    });
  }

  <Q, R> void forward(String nodeId, MethodDescriptor<Q, R> method, Q request, StreamObserver<R> response) {
    Metadata headers = new Metadata();
    headers.put(FORWARDED, self);
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_S, TimeUnit.SECONDS);
    io.grpc.Channel channel = io.grpc.ClientInterceptors.intercept(channel(nodeId),
        MetadataUtils.newAttachHeadersInterceptor(headers));
    ClientCalls.asyncUnaryCall(channel.newCall(method, options), request, response);
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
