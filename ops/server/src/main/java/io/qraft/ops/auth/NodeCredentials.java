package io.qraft.ops.auth;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

/**
 * What a node attaches to its calls to other nodes (forwarded calls, node status, stop_node):
 * the cluster secret, and the user of the call being served, if any, so that the receiver
 * applies that user's rights. Nothing before the first user exists (then no node checks).
 * Thread-safe.
 */
public final class NodeCredentials implements ClientInterceptor {
  private final Authenticator authenticator;

  public NodeCredentials(Authenticator authenticator) {
    this.authenticator = authenticator;
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
      @Override
      public void start(Listener<R> listener, Metadata headers) {
        String secret = authenticator.secretHeader();
        if (secret != null) {
          headers.put(NodeHeaders.NODE_SECRET, secret);
          Principal principal = Principal.current();
          if (principal != null && principal.kind() == Principal.Kind.USER) {
            headers.put(NodeHeaders.FOR_USER, principal.user());
          }
        }
        super.start(listener, headers);
      }
    };
  }
}
