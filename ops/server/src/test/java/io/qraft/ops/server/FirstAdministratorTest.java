package io.qraft.ops.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qraft.api.v1.AddUserRequest;
import io.qraft.api.v1.ClusterStatusRequest;
import io.qraft.api.v1.ListUsersRequest;
import io.qraft.client.BasicCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** auth.bootstrap_file: the first administrator of a cluster without users, and nothing else. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FirstAdministratorTest {
  @TempDir
  Path dir;

  @Test
  void aClusterWithoutUsersTakesItsFirstAdministratorFromTheFile() throws Exception {
    Path file = Files.writeString(dir.resolve("first-admin"), "boss:a long pass phrase\n");
    try (OneNodeServer server = OneNodeServer.start(dir, Map.of("auth.enabled", "true",
        "auth.bootstrap_file", file.toString()))) {
      BasicCredentials boss = new BasicCredentials("boss", "a long pass phrase");
      var status = OneNodeServer.whenReady(() -> {
        try {
          return server.admin().withCallCredentials(boss).clusterStatus(ClusterStatusRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
          // Until the leader has read the file the user does not exist: wait as for an election.
          throw e.getStatus().getCode() == Status.Code.UNAUTHENTICATED
              ? Status.UNAVAILABLE.withDescription("not yet").asRuntimeException() : e;
        }
      });
      assertThat(status.getNode()).isEqualTo("n1");
      assertThat(server.admin().withCallCredentials(boss).listUsers(ListUsersRequest.getDefaultInstance())
          .getUsersList()).singleElement().satisfies(u -> {
            assertThat(u.getName()).isEqualTo("boss");
            assertThat(u.getTagsList()).containsExactly("administrator");
          });

      assertThat(server.admin().withCallCredentials(boss).listPermissions(
          io.qraft.api.v1.ListPermissionsRequest.getDefaultInstance()).getPermissionsList()).singleElement()
          .satisfies(p -> assertThat(List.of(p.getUser(), p.getConfigure(), p.getWrite(), p.getRead()))
              .containsExactly("boss", ".*", ".*", ".*"));

      // Once there is a user the file is not read again: a new line in it adds nobody.
      Files.writeString(file, "other:another pass phrase\n");
      Thread.sleep(2_500);
      assertThat(server.admin().withCallCredentials(boss).listUsers(ListUsersRequest.getDefaultInstance())
          .getUsersCount()).isEqualTo(1);
    }
  }

  @Test
  void aFileThatIsNotValidAddsNobodyAndTheBootstrapCallStillWorks() throws Exception {
    Path file = Files.writeString(dir.resolve("first-admin"), "no colon here\n");
    try (OneNodeServer server = OneNodeServer.start(dir, Map.of("auth.enabled", "true",
        "auth.bootstrap_file", file.toString()))) {
      assertThatThrownBy(() -> OneNodeServer.whenReady(() -> server.admin()
          .clusterStatus(ClusterStatusRequest.getDefaultInstance())))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription())
              .contains("no users yet"));
      // Credentials on a node that knows no user: it cannot tell them wrong from not yet heard of
      // (a node catching up), so it sends the client to another node rather than refusing it.
      assertThatThrownBy(() -> server.admin().withCallCredentials(new BasicCredentials("root", "root password"))
          .clusterStatus(ClusterStatusRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(e.getStatus().getDescription()).contains("knows no users yet", "try another node");
          });
      assertThatThrownBy(() -> server.admin().addUser(AddUserRequest.newBuilder().setName("root")
          .setPassword("tab\there").addTags("administrator").build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).contains("control character");
          });
      OneNodeServer.whenReady(() -> server.admin().addUser(AddUserRequest.newBuilder().setName("root")
          .setPassword("root password").addTags("administrator").build()));
      assertThat(server.admin().withCallCredentials(new BasicCredentials("root", "root password"))
          .listUsers(ListUsersRequest.getDefaultInstance()).getUsersCount()).isEqualTo(1);
    }
  }
}
