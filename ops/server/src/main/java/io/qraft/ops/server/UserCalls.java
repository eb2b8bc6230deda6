package io.qraft.ops.server;

import io.grpc.stub.StreamObserver;
import io.qraft.api.UserPermissions;
import io.qraft.api.UserRules;
import io.qraft.api.log.v1.PermissionDef;
import io.qraft.api.log.v1.UserDef;
import io.qraft.api.v1.AddUserRequest;
import io.qraft.api.v1.AdminServiceGrpc;
import io.qraft.api.v1.AuthenticateUserRequest;
import io.qraft.api.v1.AuthenticateUserResponse;
import io.qraft.api.v1.ChangePasswordRequest;
import io.qraft.api.v1.ChangePasswordResponse;
import io.qraft.api.v1.ClearPermissionsRequest;
import io.qraft.api.v1.ClearPermissionsResponse;
import io.qraft.api.v1.DeleteUserRequest;
import io.qraft.api.v1.DeleteUserResponse;
import io.qraft.api.v1.ListPermissionsRequest;
import io.qraft.api.v1.ListPermissionsResponse;
import io.qraft.api.v1.ListUsersRequest;
import io.qraft.api.v1.ListUsersResponse;
import io.qraft.api.v1.PermissionsInfo;
import io.qraft.api.v1.SetPermissionsRequest;
import io.qraft.api.v1.SetUserTagsRequest;
import io.qraft.api.v1.UserInfo;
import io.qraft.ops.auth.PasswordHash;
import io.qraft.ops.auth.Principal;
import java.util.function.Supplier;

/**
 * Users and their permissions: add_user, delete_user, change_password, set_user_tags,
 * list_users, authenticate_user, set_permissions, clear_permissions, list_permissions. A
 * request is checked here in full first (names, tags, patterns, password size), so a bad one
 * changes nothing; changes run on the metadata leader, which hashes the password (Argon2id)
 * before appending. Answers never carry a password or a hash. Thread-safe.
 */
final class UserCalls {
  private final AdminContext ctx;

  UserCalls(AdminContext ctx) {
    this.ctx = ctx;
  }

  void addUser(AddUserRequest request, StreamObserver<UserInfo> response) {
    if (Errors.refused(firstProblem(UserRules.nameProblem(request.getName()), passwordProblem(request.getPassword()),
        UserRules.tagsProblem(request.getTagsList()), bootstrapProblem(request)), response)) {
      return;
    }
    ctx.metadataLeader().run(AdminServiceGrpc.getAddUserMethod(), request, response, () -> {
      ctx.log().users().add(request.getName(), hashOf(request.getPassword()),
          UserRules.normalTags(request.getTagsList()));
      return info(ctx.log().users().user(request.getName()));
    });
  }

  void deleteUser(DeleteUserRequest request, StreamObserver<DeleteUserResponse> response) {
    if (Errors.refused(UserRules.nameProblem(request.getName()), response)) {
      return;
    }
    ctx.metadataLeader().run(AdminServiceGrpc.getDeleteUserMethod(), request, response, () -> {
      ctx.log().users().delete(request.getName());
      return DeleteUserResponse.getDefaultInstance();
    });
  }

  void changePassword(ChangePasswordRequest request, StreamObserver<ChangePasswordResponse> response) {
    if (Errors.refused(firstProblem(UserRules.nameProblem(request.getName()),
        passwordProblem(request.getPassword())), response)) {
      return;
    }
    ctx.metadataLeader().run(AdminServiceGrpc.getChangePasswordMethod(), request, response, () -> {
      ctx.log().users().changePassword(request.getName(), hashOf(request.getPassword()));
      return ChangePasswordResponse.getDefaultInstance();
    });
  }

  void setUserTags(SetUserTagsRequest request, StreamObserver<UserInfo> response) {
    if (Errors.refused(firstProblem(UserRules.nameProblem(request.getName()),
        UserRules.tagsProblem(request.getTagsList())), response)) {
      return;
    }
    ctx.metadataLeader().run(AdminServiceGrpc.getSetUserTagsMethod(), request, response, () -> {
      ctx.log().users().setTags(request.getName(), UserRules.normalTags(request.getTagsList()));
      return info(ctx.log().users().user(request.getName()));
    });
  }

  void listUsers(ListUsersRequest request, StreamObserver<ListUsersResponse> response) {
    answer(response, () -> {
      ListUsersResponse.Builder out = ListUsersResponse.newBuilder();
      ctx.log().users().list().forEach(u -> out.addUsers(info(u)));
      return out.build();
    });
  }

  /**
   * Verifies on this node's replica, changing nothing. An unknown user costs the time of a
   * verification too, so that the answer's time does not tell which names exist.
   */
  void authenticateUser(AuthenticateUserRequest request, StreamObserver<AuthenticateUserResponse> response) {
    if (Errors.refused(firstProblem(UserRules.nameProblem(request.getName()),
        passwordProblem(request.getPassword())), response)) {
      return;
    }
    answer(response, () -> {
      UserDef user = ctx.log().users().user(request.getName());
      boolean ok = user == null ? PasswordHash.verifyNobody(request.getPassword())
          : PasswordHash.verify(request.getPassword(), user.getPasswordHash());
      AuthenticateUserResponse.Builder out = AuthenticateUserResponse.newBuilder().setAuthenticated(ok);
      if (ok) {
        out.addAllTags(user.getTagsList());
      }
      return out.build();
    });
  }

  void setPermissions(SetPermissionsRequest request, StreamObserver<PermissionsInfo> response) {
    if (Errors.refused(firstProblem(UserRules.nameProblem(request.getUser()),
        UserPermissions.problem(request.getConfigure(), request.getWrite(), request.getRead())), response)) {
      return;
    }
    UserPermissions permissions = UserPermissions.of(request.getConfigure(), request.getWrite(), request.getRead());
    ctx.metadataLeader().run(AdminServiceGrpc.getSetPermissionsMethod(), request, response, () -> {
      ctx.log().users().setPermissions(request.getUser(), permissions);
      return info(permissions.toDef(request.getUser()));
    });
  }

  void clearPermissions(ClearPermissionsRequest request, StreamObserver<ClearPermissionsResponse> response) {
    if (Errors.refused(UserRules.nameProblem(request.getUser()), response)) {
      return;
    }
    ctx.metadataLeader().run(AdminServiceGrpc.getClearPermissionsMethod(), request, response, () -> {
      ctx.log().users().clearPermissions(request.getUser());
      return ClearPermissionsResponse.getDefaultInstance();
    });
  }

  void listPermissions(ListPermissionsRequest request, StreamObserver<ListPermissionsResponse> response) {
    String user = request.getUser();
    if (!user.isEmpty() && Errors.refused(UserRules.nameProblem(user), response)) {
      return;
    }
    answer(response, () -> {
      if (!user.isEmpty() && ctx.log().users().user(user) == null) {
        throw new io.qraft.log.RequestException(io.qraft.statemachine.Status.NOT_FOUND,
            "no user named " + io.qraft.api.Quoted.of(user) + "; list_users shows the users");
      }
      ListPermissionsResponse.Builder out = ListPermissionsResponse.newBuilder();
      for (PermissionDef p : ctx.log().metadata().permissions()) {
        if (user.isEmpty() || p.getUser().equals(user)) {
          out.addPermissions(info(p));
        }
      }
      return out.build();
    });
  }

  /** The first user of a cluster (added without credentials) must be able to add the others. */
  private static String bootstrapProblem(AddUserRequest request) {
    Principal caller = Principal.current();
    if (caller != null && caller.kind() == Principal.Kind.BOOTSTRAP
        && !request.getTagsList().contains(UserRules.ADMINISTRATOR)) {
      return "the first user of a cluster must be an administrator: add it with --tags administrator";
    }
    return null;
  }

  /** The hash of a password, computed when the leader asks for it. */
  private static Supplier<String> hashOf(String password) {
    return () -> PasswordHash.hash(password);
  }

  /** Passwords: 1..PASSWORD_BYTES bytes without control characters; nothing else is refused (spaces, any script). */
  static String passwordProblem(String password) {
    if (password.isEmpty()) {
      return "the password is empty; give one (qraftctl reads it from standard input or --new-password-file)";
    }
    // RFC 7617 leaves control characters out of Basic credentials, and clients refuse to send
    // them: a user with such a password could never log in.
    if (password.codePoints().anyMatch(Character::isISOControl)) {
      return "the password has a control character (a newline, a tab, ...); Basic credentials cannot carry one";
    }
    int bytes = io.qraft.api.HardLimits.utf8Bytes(password);
    if (bytes > PASSWORD_BYTES) {
      return "the password is " + bytes + " bytes of UTF-8; the limit is " + PASSWORD_BYTES;
    }
    return null;
  }

  /** Longer passwords buy nothing against Argon2id and make each verification a larger input. */
  static final int PASSWORD_BYTES = 1_024;

  private static String firstProblem(String... problems) {
    for (String p : problems) {
      if (p != null) {
        return p;
      }
    }
    return null;
  }

  private <R> void answer(StreamObserver<R> response, Supplier<R> answer) {
    try {
      response.onNext(answer.get());
      response.onCompleted();
    } catch (RuntimeException e) {
      ctx.fail(response, e);
    }
  }

  private static UserInfo info(UserDef user) {
    return UserInfo.newBuilder().setName(user.getName()).addAllTags(user.getTagsList()).build();
  }

  private static PermissionsInfo info(PermissionDef p) {
    return PermissionsInfo.newBuilder().setUser(p.getUser()).setConfigure(p.getConfigure()).setWrite(p.getWrite())
        .setRead(p.getRead()).build();
  }
}
