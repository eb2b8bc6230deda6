package io.qraft.ops.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qraft.api.Quoted;
import io.qraft.client.BasicCredentials;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Authenticates every call of the client port and checks what it may do ({@link AccessRule}),
 * before the call reaches an endpoint. A caller is a user (header {@code authorization: Basic
 * base64(user:password)}, accepted only over TLS or from the node's own host, since it carries
 * a password), or, with {@code tls.client_auth} optional or required, the user a verified client
 * certificate names by its subject CN (no password: the CA vouches for the name), or another node
 * of the cluster (the cluster secret in {@code qraft-node}, acting for the user in
 * {@code qraft-user} when it forwards that user's call). In that order: a node's secret first
 * (its node certificate names no user), then an explicit Basic header over the certificate. While the
 * cluster has no user, the only call accepted is add_user of an administrator from the node's
 * own host (or forwarded by another member): the bootstrap of a new cluster.
 *
 * <p>Unknown user, wrong password, no credentials: UNAUTHENTICATED, one message for all.
 * A missing tag or permission: PERMISSION_DENIED naming the user, the operation and the queue.
 * Queue permissions are checked on every request message, so each message of a publish stream
 * is. Thread-safe.
 */
public final class AuthInterceptor implements ServerInterceptor {
  private final Authenticator authenticator;
  private final MemberAddresses members;
  private final boolean certificatesLogIn;

  /**
   * @param members tells whether a peer address is one of the cluster's nodes (bootstrap forwarding)
   * @param certificatesLogIn whether a verified client certificate names the user (tls.client_auth
   *     optional or required)
   */
  public AuthInterceptor(Authenticator authenticator, MemberAddresses members, boolean certificatesLogIn) {
    this.authenticator = authenticator;
    this.members = members;
    this.certificatesLogIn = certificatesLogIn;
  }

  /** Whether an address is a member node's. */
  @FunctionalInterface
  public interface MemberAddresses {
    boolean isMember(java.net.InetAddress address);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    Principal principal;
    try {
      principal = identify(call, headers, method);
      AccessRule rule = AccessRule.of(method);
      if (rule instanceof AccessRule.Tagged tagged) {
        requireTag(principal, tagged);
      } else if (principal.kind() != Principal.Kind.USER) {
        throw denied(principal.describe() + " may not " + ((AccessRule.OnQueue) rule).operation() + " a queue");
      }
      Context context = Context.current().withValue(Principal.KEY, principal);
      ServerCall.Listener<Q> listener = Contexts.interceptCall(context, call, headers, next);
      return rule instanceof AccessRule.OnQueue onQueue ? new QueueCheck<>(listener, call, principal, onQueue) : listener;
    } catch (StatusRuntimeException e) {
      call.close(e.getStatus(), new Metadata());
      return new ServerCall.Listener<>() {};
    }
  }

  private Principal identify(ServerCall<?, ?> call, Metadata headers, String method) {
    String secret = headers.get(NodeHeaders.NODE_SECRET);
    if (secret != null) {
      return authenticator.node(secret, headers.get(NodeHeaders.FOR_USER));
    }
    String authorization = headers.get(BasicCredentials.AUTHORIZATION);
    if (authorization == null) {
      if (authenticator.noUsers()) {
        boolean addUser = method.equals("qraft.v1.AdminService/AddUser");
        boolean local = loopback(call) || (headers.containsKey(NodeHeaders.FORWARDED) && member(call));
        if (addUser && local) {
          return Principal.BOOTSTRAP;
        }
        if (certificatesLogIn && ClientCertificate.of(call) != null) {
          // Credentials this node cannot check yet: as for a password (Authenticator.basic).
          throw Authenticator.knowsNoUsers();
        }
        throw Authenticator.unauthenticated("this cluster has no users yet: add the first administrator from a "
            + "node's own host (qraftctl add_user NAME --tags administrator)");
      }
      ClientCertificate.Subject subject = certificatesLogIn ? ClientCertificate.of(call) : null;
      if (subject != null) {
        return authenticator.certificate(subject);
      }
      throw Authenticator.unauthenticated(certificatesLogIn
          ? "give a user name and password (gRPC metadata authorization: Basic base64(user:password); qraftctl "
              + "--user and --password-file), or a client certificate whose CN names a user (qraftctl --cert-file "
              + "and --key-file)"
          : "give a user name and password (gRPC metadata "
              + "authorization: Basic base64(user:password); qraftctl --user and --password-file)");
    }
    if (call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION) == null && !loopback(call)) {
      throw Authenticator.unauthenticated("a password is accepted only over TLS or from the node's own host; "
          + "enable tls.* on the nodes and connect with TLS");
    }
    return authenticator.basic(authorization);
  }

  /** The bootstrap principal is made for AddUser only (identify), and it carries the administrator tag. */
  private static void requireTag(Principal principal, AccessRule.Tagged rule) {
    boolean ok = rule.readOnly() ? principal.monitoring() : principal.administrator();
    if (!ok) {
      throw denied(principal.describe() + " may not call " + rule.operation() + ": it needs the "
          + (rule.readOnly() ? "monitoring or administrator" : "administrator") + " tag");
    }
  }

  private static StatusRuntimeException denied(String why) {
    return Status.PERMISSION_DENIED.withDescription(why).asRuntimeException();
  }

  private static boolean loopback(ServerCall<?, ?> call) {
    SocketAddress peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    return peer instanceof InetSocketAddress a && a.getAddress() != null && a.getAddress().isLoopbackAddress();
  }

  private boolean member(ServerCall<?, ?> call) {
    SocketAddress peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    return peer instanceof InetSocketAddress a && a.getAddress() != null && members.isMember(a.getAddress());
  }

  /**
   * Checks the queue of every request message; a denied one closes the call and nothing
   * further reaches the endpoint.
   */
  private final class QueueCheck<Q> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {
    private final ServerCall<Q, ?> call;
    private final Principal principal;
    private final AccessRule.OnQueue rule;
    private final AtomicBoolean closed = new AtomicBoolean();
    // The last queue allowed under which permissions: a publish stream names one queue message
    // after message, and this spares each a regex search. Permissions changed since are another
    // object, so the next message is checked afresh. Messages of one call arrive one at a time.
    private io.qraft.api.UserPermissions allowedUnder;
    private String allowedQueue;

    QueueCheck(ServerCall.Listener<Q> delegate, ServerCall<Q, ?> call, Principal principal, AccessRule.OnQueue rule) {
      super(delegate);
      this.call = call;
      this.principal = principal;
      this.rule = rule;
    }

    @Override
    public void onMessage(Q message) {
      if (closed.get()) {
        return;
      }
      String queue = AccessRule.OnQueue.queueOf(message);
      io.qraft.api.UserPermissions permissions = authenticator.permissions(principal.user());
      if (permissions == allowedUnder && queue.equals(allowedQueue)) {
        super.onMessage(message);
        return;
      }
      if (!permissions.allows(rule.kind(), queue)) {
        closed.set(true);
        call.close(denied(principal.describe() + " may not " + rule.operation() + " queue " + Quoted.of(queue)
            + ": it has no " + rule.kind().label() + " permission on it (set_permissions)").getStatus(), new Metadata());
        return;
      }
      allowedUnder = permissions;
      allowedQueue = queue;
      super.onMessage(message);
    }

    @Override
    public void onHalfClose() {
      if (!closed.get()) {
        super.onHalfClose();
      }
    }

    @Override
    public void onReady() {
      if (!closed.get()) {
        super.onReady();
      }
    }
  }
}
