package io.qraft.ops.auth;

import io.grpc.Context;
import io.qraft.api.UserRules;
import java.util.Set;

/**
 * Who makes a call: a user (with its tags), another node of the cluster (acting for a user
 * when it forwards that user's call, else for itself: status only), or the one who adds the
 * first user of a cluster that has none.
 *
 * @param user the user's name; empty for a node acting for itself and for the bootstrap
 * @param tags the user's tags (administrator, monitoring)
 * @param kind what proved the caller
 */
public record Principal(String user, Set<String> tags, Kind kind) {
  /** The principal of the call this thread serves (gRPC's Context). */
  public static final Context.Key<Principal> KEY = Context.key("qraft-principal");

  /** How the caller was recognised. */
  public enum Kind {
    /** A user name and password (or a node forwarding a user's call). */
    USER,
    /** Another node, for itself: the cluster secret and no user. */
    NODE,
    /** No user exists yet; only add_user of an administrator, from the node's own host. */
    BOOTSTRAP
  }

  static final Principal BOOTSTRAP = new Principal("", Set.of(UserRules.ADMINISTRATOR), Kind.BOOTSTRAP);
  static final Principal NODE = new Principal("", Set.of(UserRules.MONITORING), Kind.NODE);

  /** The principal of the current call, or null outside one (or with authentication off). */
  public static Principal current() {
    return KEY.get();
  }

  boolean administrator() {
    return tags.contains(UserRules.ADMINISTRATOR);
  }

  boolean monitoring() {
    return administrator() || tags.contains(UserRules.MONITORING);
  }

  /** How a denial names the caller. */
  String describe() {
    return switch (kind) {
      case USER -> "user " + io.qraft.api.Quoted.of(user);
      case NODE -> "a node of this cluster acting for itself";
      case BOOTSTRAP -> "a caller of a cluster that has no user yet";
    };
  }
}
