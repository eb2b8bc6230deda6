package io.qraft.log;

import io.qraft.api.HardLimits;
import io.qraft.api.UserPermissions;
import io.qraft.api.log.v1.ChangePassword;
import io.qraft.api.log.v1.ClearPermissions;
import io.qraft.api.log.v1.DeleteUser;
import io.qraft.api.log.v1.MetaCommand;
import io.qraft.api.log.v1.MetaResult;
import io.qraft.api.log.v1.PutUser;
import io.qraft.api.log.v1.SetClusterSecret;
import io.qraft.api.log.v1.SetPermissions;
import io.qraft.api.log.v1.SetUserTags;
import io.qraft.api.log.v1.UserDef;
import io.qraft.statemachine.Status;
import java.util.List;
import java.util.function.Supplier;

/**
 * Adds, changes and removes users and their permissions. Runs on the metadata leader, as
 * policies do, so that an operator's calls apply in the order they were answered; the checks
 * that need the current users (a name taken, a user missing) are made there, under this
 * object's lock, before the entry is appended. Passwords arrive hashed (the hash is computed
 * only once this node is known to lead, since it costs tens of milliseconds): the log never
 * sees a password.
 */
public final class UserCatalog {
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
  private final ReplicatedLog log;

  UserCatalog(ReplicatedLog log) {
    this.log = log;
  }

  /** A new user; ALREADY_EXISTS when the name is taken. */
  public synchronized void add(String name, Supplier<String> passwordHash, List<String> tags) {
    requireMetadataLeader();
    if (log.metadata().user(name) != null) {
      throw new RequestException(Status.ALREADY_EXISTS, "user '" + name + "' exists already; change_password "
          + "and set_user_tags change it");
    }
    if (log.metadata().clusterSecret().isEmpty()) {
      // The first user turns authentication on; from then nodes prove membership to each other
      // with this secret (drawn here, on the leader, and stamped into the entry).
      byte[] secret = new byte[HardLimits.CLUSTER_SECRET_BYTES];
      RANDOM.nextBytes(secret);
      submit(MetaCommand.newBuilder().setSetClusterSecret(SetClusterSecret.newBuilder()
          .setSecret(com.google.protobuf.ByteString.copyFrom(secret))).build());
    }
    submit(MetaCommand.newBuilder().setPutUser(PutUser.newBuilder().setName(name).setPasswordHash(passwordHash.get())
        .addAllTags(tags)).build());
  }

  /**
   * The first user of a cluster, an administrator with every permission on every queue, when
   * it has none yet; false (and nothing
   * appended) when it has users already. Checked and added under this object's lock, so that it
   * cannot race an add_user on the same leader.
   */
  public synchronized boolean addFirstAdministrator(String name, Supplier<String> passwordHash) {
    requireMetadataLeader();
    if (any()) {
      return false;
    }
    add(name, passwordHash, List.of(io.qraft.api.UserRules.ADMINISTRATOR));
    // As RabbitMQ's default user: every queue, so that the cluster is usable right away.
    setPermissions(name, UserPermissions.of(".*", ".*", ".*"));
    return true;
  }

  /** @throws RequestException NOT_FOUND when there is no such user */
  public synchronized void delete(String name) {
    requireMetadataLeader();
    submit(MetaCommand.newBuilder().setDeleteUser(DeleteUser.newBuilder().setName(name)).build());
  }

  public synchronized void changePassword(String name, Supplier<String> passwordHash) {
    requireMetadataLeader();
    if (log.metadata().user(name) == null) {
      throw new RequestException(Status.NOT_FOUND, "no user named '" + name + "'; list_users shows the users");
    }
    submit(MetaCommand.newBuilder().setChangePassword(ChangePassword.newBuilder().setName(name)
        .setPasswordHash(passwordHash.get())).build());
  }

  public synchronized void setTags(String name, List<String> tags) {
    requireMetadataLeader();
    submit(MetaCommand.newBuilder().setSetUserTags(SetUserTags.newBuilder().setName(name).addAllTags(tags)).build());
  }

  public synchronized void setPermissions(String user, UserPermissions permissions) {
    requireMetadataLeader();
    submit(MetaCommand.newBuilder().setSetPermissions(SetPermissions.newBuilder().setUser(user)
        .setConfigure(permissions.configure()).setWrite(permissions.write()).setRead(permissions.read())).build());
  }

  public synchronized void clearPermissions(String user) {
    requireMetadataLeader();
    submit(MetaCommand.newBuilder().setClearPermissions(ClearPermissions.newBuilder().setUser(user)).build());
  }

  /** The user as this node's metadata replica knows it, or null. */
  public UserDef user(String name) {
    return log.metadata().user(name);
  }

  /** Whether this node's metadata replica knows any user. */
  public boolean any() {
    return log.metadata().hasUsers();
  }

  /** The users as this node's metadata replica knows them, sorted by name. */
  public List<UserDef> list() {
    return log.metadata().users();
  }

  /** The user's permissions as this node's replica knows them, or null when it has none. */
  public UserPermissions permissions(String user) {
    return log.metadata().permissions(user);
  }

  /** The nodes' shared secret as this replica knows it; empty before the first user. */
  public com.google.protobuf.ByteString clusterSecret() {
    return log.metadata().clusterSecret();
  }

  /** Changes whenever a user, a password, tags or permissions change on this replica. */
  public long version() {
    return log.metadata().usersVersion();
  }

  private MetaResult submit(MetaCommand command) {
    return Answers.ok(Answers.await(log.submitMeta(command)));
  }

  private void requireMetadataLeader() {
    if (!log.isLeader(GroupIds.METADATA)) {
      throw new LeaderElsewhereException("users are changed on the metadata leader", log.leaderOf(GroupIds.METADATA));
    }
  }
}
