package io.qraft.ops.faults;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.qraft.client.BasicCredentials;
import io.qraft.client.QraftClient;
import io.qraft.client.TlsCredentials;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/**
 * How the suite's clients reach a run's cluster, set up as a production cluster is: over TLS
 * (trusting the run's CA) and as a user. The administrator does what an operator would (node
 * status, queue leaders, users); the application user does what the workload does (declare,
 * publish, consume, ack) and may touch the suite's queues only.
 */
record ClusterAccess(Path caFile, User administrator, User application) {

  /** A user and its password, made per run; the password is never written to a file. */
  record User(String name, String password) {
    BasicCredentials credentials() {
      return new BasicCredentials(name, password);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** Fresh random passwords for the run's cluster, whose CA certificate is {@code caFile}. */
  static ClusterAccess generate(Path caFile) {
    return new ClusterAccess(caFile, new User("qf-admin", password()),
        new User("qf-app", password()));
  }

  private static String password() {
    byte[] bytes = new byte[18];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** An SDK client as the application user. */
  QraftClient.Builder asApplication(List<String> addresses) {
    return QraftClient.builder().addresses(addresses).tls(caFile)
        .credentials(application.credentials());
  }

  /** An SDK client as the administrator. */
  QraftClient.Builder asAdministrator(List<String> addresses) {
    return QraftClient.builder().addresses(addresses).tls(caFile)
        .credentials(administrator.credentials());
  }

  /** A raw gRPC channel to one node over TLS; calls on it add their own credentials. */
  ManagedChannel channel(String address) {
    return NettyChannelBuilder.forTarget(address, TlsCredentials.trusting(caFile)).build();
  }
}
