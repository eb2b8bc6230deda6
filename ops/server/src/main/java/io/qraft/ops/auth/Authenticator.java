package io.qraft.ops.auth;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qraft.api.log.v1.UserDef;
import io.qraft.client.BasicCredentials;
import io.qraft.log.UserCatalog;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks the credentials of a call against the users of this node's metadata replica. A
 * password is verified (Argon2id, tens of milliseconds) once per credentials and generation:
 * the outcome is cached under the SHA-256 of the header, so the next calls of a connection, and
 * of every connection with the same credentials, pay a map lookup. A changed password or a
 * deleted user makes the entry stale at once (its credential generation moved). Only successes
 * are cached. Thread-safe.
 */
public final class Authenticator {
  /** Entries kept; beyond that the cache starts over (a cost, never a wrong answer). */
  private static final int MAX_CACHED = 10_000;
  private static final String UNKNOWN = "wrong user name or password";

  private final UserCatalog users;
  private final Map<String, Verified> verified = new ConcurrentHashMap<>();

  private record Verified(String user, long generation) {}

  public Authenticator(UserCatalog users) {
    this.users = users;
  }

  /** True while the cluster has no user: only the first administrator may be added. */
  boolean noUsers() {
    return !users.any();
  }

  /** The user of an {@code authorization: Basic ...} header; UNAUTHENTICATED when not valid. */
  Principal basic(String header) {
    BasicCredentials.Pair pair = BasicCredentials.parse(header);
    if (pair == null) {
      throw unauthenticated("the authorization header must be 'Basic base64(user:password)'");
    }
    String name = pair.user();
    String password = pair.password();
    String key = sha256(header);
    Verified hit = verified.get(key);
    UserDef user = users.user(name);
    if (hit != null && user != null && hit.user().equals(name)
        && hit.generation() == user.getCredentialGeneration()) {
      return principal(user);
    }
    if (user == null && noUsers()) {
      // This replica knows no user at all, so it cannot tell a wrong name from one it has not
      // heard of yet (a node whose data was lost, catching up): another node may know. For a
      // cluster that really has none, every node says so, and how to add the first.
      throw knowsNoUsers();
    }
    boolean ok = user == null ? PasswordHash.verifyNobody(password)
        : PasswordHash.verify(password, user.getPasswordHash());
    if (!ok) {
      verified.remove(key);
      throw unauthenticated(UNKNOWN);
    }
    if (verified.size() >= MAX_CACHED) {
      verified.clear();
    }
    verified.put(key, new Verified(name, user.getCredentialGeneration()));
    return principal(user);
  }

  /**
   * The user a verified client certificate names by its subject CN. The certificate is the proof,
   * so there is no password to check; the user must exist now (a deleted user's certificate is
   * refused from the next call on). Nothing to cache: this is a map lookup.
   */
  Principal certificate(ClientCertificate.Subject subject) {
    if (subject.commonName().isEmpty()) {
      throw unauthenticated("the client certificate's subject " + io.qraft.api.Quoted.of(subject.distinguishedName())
          + " has no CN to name a user");
    }
    UserDef user = users.user(subject.commonName());
    if (user == null) {
      throw unauthenticated("no user " + io.qraft.api.Quoted.of(subject.commonName())
          + " for the client certificate's CN (add_user it, or use a certificate of an existing user)");
    }
    return principal(user);
  }

  /**
   * Another node: its secret must be the cluster's; {@code forUser}, when given, is the user
   * whose call it forwards (authenticated by that node), who must still exist here.
   */
  Principal node(String secret, String forUser) {
    ByteString expected = users.clusterSecret();
    byte[] given;
    try {
      given = Base64.getDecoder().decode(secret);
    } catch (IllegalArgumentException e) {
      throw unauthenticated("not a node of this cluster");
    }
    if (expected.isEmpty()) {
      // The caller knows a secret this replica has not applied yet: it is the one behind.
      throw behind("this node has not caught up with the cluster's metadata yet; try another node");
    }
    if (!MessageDigest.isEqual(expected.toByteArray(), given)) {
      throw unauthenticated("not a node of this cluster");
    }
    if (forUser == null || forUser.isEmpty()) {
      return Principal.NODE;
    }
    UserDef user = users.user(forUser);
    if (user == null) {
      throw unauthenticated("user " + io.qraft.api.Quoted.of(forUser) + " does not exist (any more)");
    }
    return principal(user);
  }

  /** The cluster secret as nodes send it, or null before the first user. */
  String secretHeader() {
    ByteString secret = users.clusterSecret();
    return secret.isEmpty() ? null : Base64.getEncoder().encodeToString(secret.toByteArray());
  }

  /** The user's permissions, as the replica knows them now. */
  io.qraft.api.UserPermissions permissions(String user) {
    io.qraft.api.UserPermissions p = users.permissions(user);
    return p == null ? io.qraft.api.UserPermissions.NONE : p;
  }

  private static Principal principal(UserDef user) {
    return new Principal(user.getName(), new HashSet<>(user.getTagsList()), Principal.Kind.USER);
  }

  /**
   * For credentials a node that knows no user cannot check (a password, a certificate): it may
   * be catching up, so the client is sent on to another node rather than refused.
   */
  static StatusRuntimeException knowsNoUsers() {
    return behind("this node knows no users yet: it is catching up with the cluster's metadata "
        + "(try another node), or the cluster has none (add the first administrator from a node's own host)");
  }

  /** UNAVAILABLE: clients try another node. */
  private static StatusRuntimeException behind(String why) {
    return Status.UNAVAILABLE.withDescription(why).asRuntimeException();
  }

  static StatusRuntimeException unauthenticated(String why) {
    return Status.UNAUTHENTICATED.withDescription(why).asRuntimeException();
  }

  private static String sha256(String text) {
    try {
      return Base64.getEncoder().encodeToString(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
