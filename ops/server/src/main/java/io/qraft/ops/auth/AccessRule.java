package io.qraft.ops.auth;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.qraft.api.UserPermissions;
import java.util.Map;
import java.util.Set;

/**
 * What a call needs, by its gRPC method, as RabbitMQ decides it: queue calls need a permission
 * on the queue they name (configure: declare, delete, purge; write: publish; read: consume,
 * get, ack, nack); read-only admin calls need the monitoring or administrator tag; every other
 * admin call needs administrator. A method not listed here needs administrator: a new call is
 * closed until someone decides otherwise.
 */
sealed interface AccessRule {

  /** A permission on the queue the request names. */
  record OnQueue(UserPermissions.Kind kind, String operation) implements AccessRule {
    /** The queue a request names (every queue request has a field "queue"). */
    static String queueOf(Object request) {
      if (request instanceof Message m) {
        FieldDescriptor field = m.getDescriptorForType().findFieldByName("queue");
        if (field != null) {
          return (String) m.getField(field);
        }
      }
      return "";
    }
  }

  /** A tag: monitoring (or administrator), or administrator. */
  record Tagged(boolean readOnly, String operation) implements AccessRule {}

  Map<String, OnQueue> QUEUE_CALLS = Map.of(
      "qraft.v1.QueueService/DeclareQueue", new OnQueue(UserPermissions.Kind.CONFIGURE, "declare"),
      "qraft.v1.QueueService/DeleteQueue", new OnQueue(UserPermissions.Kind.CONFIGURE, "delete"),
      "qraft.v1.QueueService/PurgeQueue", new OnQueue(UserPermissions.Kind.CONFIGURE, "purge"),
      "qraft.v1.QueueService/Publish", new OnQueue(UserPermissions.Kind.WRITE, "publish to"),
      "qraft.v1.QueueService/PublishStream", new OnQueue(UserPermissions.Kind.WRITE, "publish to"),
      "qraft.v1.QueueService/Consume", new OnQueue(UserPermissions.Kind.READ, "consume from"),
      "qraft.v1.QueueService/Get", new OnQueue(UserPermissions.Kind.READ, "get from"),
      "qraft.v1.QueueService/Ack", new OnQueue(UserPermissions.Kind.READ, "ack on"),
      "qraft.v1.QueueService/Nack", new OnQueue(UserPermissions.Kind.READ, "nack on"));

  Set<String> READ_ONLY_ADMIN_CALLS = Set.of("NodeStatus", "ClusterStatus", "ListQueues", "ListPolicies",
      "ListUsers", "ListPermissions");

  /** The rule of a full method name ("qraft.v1.AdminService/ClusterStatus"). */
  static AccessRule of(String fullMethodName) {
    OnQueue queue = QUEUE_CALLS.get(fullMethodName);
    if (queue != null) {
      return queue;
    }
    String method = fullMethodName.substring(fullMethodName.indexOf('/') + 1);
    return new Tagged(READ_ONLY_ADMIN_CALLS.contains(method), method);
  }
}
