package io.qraft.ops.auth;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.qraft.api.Quoted;
import io.qraft.client.BasicCredentials;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line in the node's log (logger {@code io.qraft.audit}) for every administrative change
 * a client asks this node for: who (the user the call names; the result says whether it was
 * accepted), what (the call and the names it acts on: queue, user, policy, node), from which
 * address, and the result. Read-only calls are not logged; a call another node forwarded here
 * is logged by that node. Passwords and headers are never written. Thread-safe.
 */
public final class AuditLog implements ServerInterceptor {
  private static final Logger AUDIT = LoggerFactory.getLogger("io.qraft.audit");
  private static final Set<String> CHANGES_OF_QUEUE_SERVICE = Set.of("DeclareQueue", "DeleteQueue", "PurgeQueue");
  private static final List<String> TARGET_FIELDS = List.of("queue", "name", "user", "node", "tags");

  private final boolean certificatesLogIn;

  /** @param certificatesLogIn whether a client certificate's CN names the user (tls.client_auth) */
  public AuditLog(boolean certificatesLogIn) {
    this.certificatesLogIn = certificatesLogIn;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String full = call.getMethodDescriptor().getFullMethodName();
    String method = full.substring(full.indexOf('/') + 1);
    boolean admin = full.startsWith("qraft.v1.AdminService/");
    boolean change = admin ? !AccessRule.READ_ONLY_ADMIN_CALLS.contains(method) : CHANGES_OF_QUEUE_SERVICE.contains(method);
    if (!change || headers.containsKey(NodeHeaders.FORWARDED)) {
      return next.startCall(call, headers);
    }
    String who = claimedUser(call, headers);
    String from = String.valueOf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
    StringBuilder target = new StringBuilder();
    ServerCall<Q, R> audited = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        AUDIT.info("audit user={} from={} call={}{} result={}", who, from, method, target,
            status.isOk() ? "OK" : status.getCode() + (status.getDescription() == null ? ""
                : ": " + status.getDescription()));
        super.close(status, trailers);
      }
    };
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(audited, headers)) {
      @Override
      public void onMessage(Q message) {
        if (target.length() == 0 && message instanceof Message m) {
          for (String field : TARGET_FIELDS) {
            FieldDescriptor f = m.getDescriptorForType().findFieldByName(field);
            if (f != null && (f.isRepeated() ? m.getRepeatedFieldCount(f) > 0 : m.hasField(f))) {
              target.append(' ').append(field).append('=').append(Quoted.of(String.valueOf(m.getField(f))));
            }
          }
        }
        super.onMessage(message);
      }
    };
  }

  /** The user a call names (not yet verified), "node" for another node acting for itself, or "-". */
  private String claimedUser(ServerCall<?, ?> call, Metadata headers) {
    String forUser = headers.get(NodeHeaders.FOR_USER);
    if (forUser != null) {
      return Quoted.of(forUser);
    }
    if (headers.containsKey(NodeHeaders.NODE_SECRET)) {
      return "node";
    }
    BasicCredentials.Pair pair = BasicCredentials.parse(headers.get(BasicCredentials.AUTHORIZATION));
    if (pair != null) {
      return Quoted.of(pair.user());
    }
    ClientCertificate.Subject subject = certificatesLogIn ? ClientCertificate.of(call) : null;
    if (subject != null) {
      return Quoted.of(subject.commonName());
    }
    return "-";
  }
}
