package io.qraft.client;

import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One gRPC channel per node address, made on first use and kept until {@link #close()}.
 *
 * <p>Addresses come from the configuration and from leader redirects, so a channel may be
 * made for a node the application never named. Every call of the client goes through a channel
 * from here, so this is where the client's call credentials, if any, are attached to each call.
 * Thread-safe.
 */
final class ChannelPool implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ChannelPool.class);
  private static final long SHUTDOWN_GRACE_MILLIS = 5_000;

  private final Function<String, ManagedChannel> factory;
  private final ClientInterceptor credentials;
  private final ConcurrentMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private volatile boolean closed;

  ChannelPool(Function<String, ManagedChannel> factory) {
    this(factory, null);
  }

  /** @param credentials attached to every call; null for none */
  ChannelPool(Function<String, ManagedChannel> factory, CallCredentials credentials) {
    this.factory = factory;
    this.credentials = credentials == null ? null : new AttachCredentials(credentials);
  }

  /**
   * The channel to the address, attaching the credentials to every call made on it.
   *
   * @throws QraftException with CANCELLED once the pool is closed
   */
  Channel channel(String address) {
    ManagedChannel channel = managedChannel(address);
    return credentials == null ? channel : ClientInterceptors.intercept(channel, credentials);
  }

  private ManagedChannel managedChannel(String address) {
    if (closed) {
      throw closedError();
    }
    ManagedChannel channel = channels.computeIfAbsent(address, factory);
    // A channel made while close() ran would otherwise never be shut down.
    if (closed) {
      channel.shutdownNow();
      throw closedError();
    }
    return channel;
  }

  static QraftException closedError() {
    return new QraftException(Status.Code.CANCELLED, "the client is closed");
  }

  /** Shuts every channel down, waiting a few seconds for calls in flight to end. */
  @Override
  public void close() {
    closed = true;
    channels.values().forEach(ManagedChannel::shutdown);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SHUTDOWN_GRACE_MILLIS);
    for (ManagedChannel channel : channels.values()) {
      try {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !channel.awaitTermination(left, TimeUnit.NANOSECONDS)) {
          channel.shutdownNow();
        }
      } catch (InterruptedException e) {
        channel.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    channels.values().forEach(ManagedChannel::shutdownNow);
    log.debug("closed {} channel(s)", channels.size());
  }

  private static final class AttachCredentials implements ClientInterceptor {
    private final CallCredentials credentials;

    AttachCredentials(CallCredentials credentials) {
      this.credentials = credentials;
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method,
        CallOptions options, Channel next) {
      return next.newCall(method, options.withCallCredentials(credentials));
    }
  }
}
