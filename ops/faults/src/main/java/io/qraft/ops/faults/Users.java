package io.qraft.ops.faults;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qraft.api.v1.AddUserRequest;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.SetPermissionsRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The users of a run's cluster, set up as an operator would before any application runs. */
final class Users {

  private Users() {}

  /**
   * Adds the administrator: tries the bootstrap on the nodes in turn until the administrator
   * is accepted by one of them. Checking the login, not the bootstrap's answer, also covers a
   * bootstrap that worked but whose answer was lost (a retry would then be refused).
   */
  static void addAdministrator(List<SuiteNode> nodes, Duration timeout) {
    long until = System.nanoTime() + timeout.toNanos();
    String last = "no attempt";
    for (int attempt = 0; System.nanoTime() < until; attempt++) {
      if (nodes.stream().anyMatch(Users::acceptsAdministrator)) {
        return;
      }
      SuiteNode n = nodes.get(attempt % nodes.size());
      Cmd.Result r = n.addFirstAdministrator();
      if (r.exit() == 0) {
        continue;
      }
      // Until the metadata group has a leader the call cannot be applied; try again.
      last = n.id() + ": " + r.output();
      Cmd.sleep(1000);
    }
    throw new IllegalStateException("could not add the first administrator within " + timeout
        + "; last: " + last);
  }

  private static boolean acceptsAdministrator(SuiteNode n) {
    try {
      n.status(false, 3000);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Adds the application user, as the administrator over TLS, with configure, write and read
   * permissions on the queues that match {@code queues} (a regular expression) and no tag.
   */
  static void addApplication(ClusterAccess access, List<String> addresses, String queues,
      Duration timeout) {
    long until = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    for (int attempt = 0; System.nanoTime() < until; attempt++) {
      ManagedChannel channel = access.channel(addresses.get(attempt % addresses.size()));
      try {
        AdminServiceGrpc.AdminServiceBlockingStub admin = AdminServiceGrpc.newBlockingStub(channel)
            .withCallCredentials(access.administrator().credentials());
        try {
          admin.withDeadlineAfter(10, TimeUnit.SECONDS).addUser(AddUserRequest.newBuilder()
              .setName(access.application().name())
              .setPassword(access.application().password()).build());
        } catch (StatusRuntimeException e) {
          // An earlier attempt that was applied but whose answer was lost.
          if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
            throw e;
          }
        }
        admin.withDeadlineAfter(10, TimeUnit.SECONDS).setPermissions(SetPermissionsRequest
            .newBuilder().setUser(access.application().name())
            .setConfigure(queues).setWrite(queues).setRead(queues).build());
        return;
      } catch (RuntimeException e) {
        last = e;
        Cmd.sleep(500);
      } finally {
        channel.shutdownNow();
      }
    }
    throw new IllegalStateException("could not add the application user within " + timeout, last);
  }
}
