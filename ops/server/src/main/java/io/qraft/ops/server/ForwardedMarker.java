package io.qraft.ops.server;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/** Remembers, for the duration of a call, whether another node forwarded it here. */
final class ForwardedMarker implements ServerInterceptor {
  static final Context.Key<Boolean> FORWARDED = Context.key("qraft-forwarded");

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    boolean forwarded = headers.containsKey(Forwarder.FORWARDED);
    return Contexts.interceptCall(Context.current().withValue(FORWARDED, forwarded), call, headers, next);
  }

  static boolean isForwarded() {
    return Boolean.TRUE.equals(FORWARDED.get());
  }
}
