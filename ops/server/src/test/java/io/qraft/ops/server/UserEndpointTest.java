package io.qraft.ops.server;

import static io.qraft.ops.server.OneNodeServer.whenReady;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qraft.api.v1.AddUserRequest;
import io.qraft.api.v1.AuthenticateUserRequest;
import io.qraft.api.v1.ChangePasswordRequest;
import io.qraft.api.v1.DeleteUserRequest;
import io.qraft.api.v1.ListPermissionsRequest;
import io.qraft.api.v1.ListUsersRequest;
import io.qraft.api.v1.PermissionsInfo;
import io.qraft.api.v1.SetPermissionsRequest;
import io.qraft.api.v1.SetUserTagsRequest;
import io.qraft.api.v1.UserInfo;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The user and permission calls of the admin API on a one-node cluster in this JVM, over gRPC. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class UserEndpointTest extends OnOneNode {

  private UserInfo add(String name, String password, String... tags) throws InterruptedException {
    return whenReady(() -> server.admin().addUser(AddUserRequest.newBuilder().setName(name).setPassword(password)
        .addAllTags(java.util.List.of(tags)).build()));
  }

  private boolean authenticates(String name, String password) {
    return server.admin().authenticateUser(AuthenticateUserRequest.newBuilder().setName(name).setPassword(password)
        .build()).getAuthenticated();
  }

  private static void refused(ThrowingCallable call, Status.Code code, String reason) {
    assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(code);
      assertThat(e.getStatus().getDescription()).contains(reason);
    });
  }

  @Test
  void aUserIsAddedAuthenticatedChangedAndDeleted() throws Exception {
    UserInfo alice = add("alice", "first password", "monitoring", "administrator");
    assertThat(alice.getTagsList()).containsExactly("administrator", "monitoring");
    refused(() -> add("alice", "other"), Status.Code.ALREADY_EXISTS, "exists already");

    assertThat(authenticates("alice", "first password")).isTrue();
    assertThat(authenticates("alice", "First password")).isFalse();
    assertThat(authenticates("nobody", "first password")).isFalse();

    server.admin().changePassword(ChangePasswordRequest.newBuilder().setName("alice").setPassword("second").build());
    assertThat(authenticates("alice", "first password")).isFalse();
    assertThat(authenticates("alice", "second")).isTrue();

    UserInfo retagged = server.admin().setUserTags(SetUserTagsRequest.newBuilder().setName("alice").build());
    assertThat(retagged.getTagsList()).isEmpty();
    assertThat(server.admin().listUsers(ListUsersRequest.getDefaultInstance()).getUsersList())
        .extracting(UserInfo::getName).contains("alice");

    server.admin().deleteUser(DeleteUserRequest.newBuilder().setName("alice").build());
    assertThat(authenticates("alice", "second")).isFalse();
    refused(() -> server.admin().deleteUser(DeleteUserRequest.newBuilder().setName("alice").build()),
        Status.Code.NOT_FOUND, "alice");
    refused(() -> server.admin().changePassword(ChangePasswordRequest.newBuilder().setName("alice")
        .setPassword("x").build()), Status.Code.NOT_FOUND, "alice");
  }

  @Test
  void permissionsAreSetListedAndGoWithTheirUser() throws Exception {
    add("bob", "pw");
    PermissionsInfo set = server.admin().setPermissions(SetPermissionsRequest.newBuilder().setUser("bob")
        .setConfigure("^bob\\.").setWrite("").setRead(".*").build());
    assertThat(set.getRead()).isEqualTo(".*");
    assertThat(server.admin().listPermissions(ListPermissionsRequest.newBuilder().setUser("bob").build())
        .getPermissionsList()).containsExactly(set);

    refused(() -> server.admin().setPermissions(SetPermissionsRequest.newBuilder().setUser("bob")
        .setConfigure("(a)\\1").build()), Status.Code.INVALID_ARGUMENT, "configure");
    assertThat(server.admin().listPermissions(ListPermissionsRequest.newBuilder().setUser("bob").build())
        .getPermissionsList()).as("a refused pattern changes nothing").containsExactly(set);
    refused(() -> server.admin().setPermissions(SetPermissionsRequest.newBuilder().setUser("carol")
        .setRead(".*").build()), Status.Code.NOT_FOUND, "carol");
    refused(() -> server.admin().listPermissions(ListPermissionsRequest.newBuilder().setUser("carol").build()),
        Status.Code.NOT_FOUND, "carol");

    server.admin().deleteUser(DeleteUserRequest.newBuilder().setName("bob").build());
    assertThat(server.admin().listPermissions(ListPermissionsRequest.getDefaultInstance()).getPermissionsList())
        .extracting(PermissionsInfo::getUser).doesNotContain("bob");
  }

  @Test
  void badRequestsAreRefusedWithTheReasonAndChangeNothing() throws Exception {
    refused(() -> add("a:b", "pw"), Status.Code.INVALID_ARGUMENT, "':'");
    refused(() -> add("", "pw"), Status.Code.INVALID_ARGUMENT, "");
    refused(() -> add("dave", ""), Status.Code.INVALID_ARGUMENT, "password is empty");
    refused(() -> add("dave", "x".repeat(UserCalls.PASSWORD_BYTES + 1)), Status.Code.INVALID_ARGUMENT, "limit");
    refused(() -> add("dave", "pw", "superuser"), Status.Code.INVALID_ARGUMENT, "superuser");
    assertThat(server.admin().listUsers(ListUsersRequest.getDefaultInstance()).getUsersList())
        .extracting(UserInfo::getName).doesNotContain("dave", "a:b");
  }
}
