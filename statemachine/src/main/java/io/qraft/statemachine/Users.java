package io.qraft.statemachine;

import io.qraft.api.HardLimits;
import io.qraft.api.UserPermissions;
import io.qraft.api.UserRules;
import io.qraft.api.log.v1.ChangePassword;
import io.qraft.api.log.v1.ClearPermissions;
import io.qraft.api.log.v1.DeleteUser;
import io.qraft.api.log.v1.MetaResult;
import io.qraft.api.log.v1.MetaState;
import io.qraft.api.log.v1.PermissionDef;
import io.qraft.api.log.v1.PutUser;
import io.qraft.api.log.v1.SetPermissions;
import io.qraft.api.log.v1.SetUserTags;
import io.qraft.api.log.v1.UserDef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cluster's users and their permissions, part of the metadata ({@link MetaMachine}): what the
 * user commands change, and what an authenticator reads. The commands arrive checked by
 * {@link MetaCommandCheck}; what is refused here depends on the state (unknown user, the cap).
 *
 * <p>Invariants: every permission belongs to an existing user; a user's credential generation
 * is the index of the entry that last set its password, so it only grows, across a delete and a
 * re-add too. Sorted maps, so that exports are the same on every replica.
 *
 * <p>Not thread-safe: the owning {@link MetaMachine} guards it.
 */
final class Users {
  private final Map<String, UserDef> users = new TreeMap<>();
  // Compiled once when set or loaded: an authenticator asks on every call.
  private final Map<String, UserPermissions> permissions = new TreeMap<>();

  MetaResult put(long index, PutUser c) {
    UserDef existing = users.get(c.getName());
    if (existing == null && users.size() >= HardLimits.MAX_USERS) {
      return MetaMachine.error(Status.RESOURCE_EXHAUSTED, "the cluster holds " + users.size() + " users, the most"
          + " it may: delete a user first");
    }
    users.put(c.getName(), UserDef.newBuilder().setName(c.getName()).setPasswordHash(c.getPasswordHash())
        .addAllTags(UserRules.normalTags(c.getTagsList())).setCredentialGeneration(next(existing, index)).build());
    return MetaResult.newBuilder().setCreated(existing == null).build();
  }

  MetaResult delete(DeleteUser c) {
    if (users.remove(c.getName()) == null) {
      return MetaMachine.error(Status.NOT_FOUND, "no user named " + io.qraft.api.Quoted.of(c.getName())
          + " to delete: check the name");
    }
    permissions.remove(c.getName());
    return MetaResult.getDefaultInstance();
  }

  MetaResult setTags(SetUserTags c) {
    UserDef existing = users.get(c.getName());
    if (existing == null) {
      return notFound(c.getName());
    }
    // Tags are not credentials: the generation stays.
    users.put(c.getName(), existing.toBuilder().clearTags().addAllTags(UserRules.normalTags(c.getTagsList())).build());
    return MetaResult.getDefaultInstance();
  }

  MetaResult changePassword(long index, ChangePassword c) {
    UserDef existing = users.get(c.getName());
    if (existing == null) {
      return notFound(c.getName());
    }
    users.put(c.getName(), existing.toBuilder().setPasswordHash(c.getPasswordHash())
        .setCredentialGeneration(next(existing, index)).build());
    return MetaResult.getDefaultInstance();
  }

  MetaResult setPermissions(SetPermissions c) {
    if (!users.containsKey(c.getUser())) {
      return notFound(c.getUser());
    }
    UserPermissions granted;
    try {
      granted = UserPermissions.of(c.getConfigure(), c.getWrite(), c.getRead());
    } catch (IllegalArgumentException e) {
      return MetaMachine.error(Status.INVALID_ARGUMENT, e.getMessage());
    }
    boolean created = permissions.put(c.getUser(), granted) == null;
    return MetaResult.newBuilder().setCreated(created).build();
  }

  /** Clearing a user's absent permissions is not an error: the user is left as asked, created false. */
  MetaResult clearPermissions(ClearPermissions c) {
    if (!users.containsKey(c.getUser())) {
      return notFound(c.getUser());
    }
    return MetaResult.newBuilder().setCreated(permissions.remove(c.getUser()) != null).build();
  }

  /**
   * The entry's index, or one past the user's generation should the index not be above it (an
   * index-less apply, see {@link MetaMachine#apply(MetaCommand)}): a generation never repeats.
   */
  private static long next(UserDef existing, long index) {
    return existing == null ? index : Math.max(index, existing.getCredentialGeneration() + 1);
  }

  private static MetaResult notFound(String name) {
    return MetaMachine.error(Status.NOT_FOUND, "no user named " + io.qraft.api.Quoted.of(name)
        + ": check the name, or add the user first");
  }

  int count() {
    return users.size();
  }

  List<UserDef> list() {
    return new ArrayList<>(users.values());
  }

  UserDef get(String name) {
    return users.get(name);
  }

  UserPermissions permissions(String user) {
    return permissions.get(user);
  }

  List<PermissionDef> permissionDefs() {
    List<PermissionDef> out = new ArrayList<>(permissions.size());
    permissions.forEach((user, p) -> out.add(p.toDef(user)));
    return out;
  }

  /** The highest credential generation held, 0 without users. */
  long highestGeneration() {
    long max = 0;
    for (UserDef u : users.values()) {
      max = Math.max(max, u.getCredentialGeneration());
    }
    return max;
  }

  void exportTo(MetaState.Builder state) {
    state.addAllUsers(users.values()).addAllPermissions(permissionDefs());
  }

  void load(MetaState state) {
    users.clear();
    permissions.clear();
    state.getUsersList().forEach(u -> users.put(u.getName(), u));
    // A snapshot this machine wrote holds only patterns it accepted, so they compile again.
    state.getPermissionsList().forEach(p -> permissions.put(p.getUser(), UserPermissions.fromDef(p)));
  }
}
