package io.qraft.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import io.qraft.api.HardLimits;
import io.qraft.api.UserPermissions;
import io.qraft.api.UserPermissions.Kind;
import io.qraft.api.log.v1.ChangePassword;
import io.qraft.api.log.v1.ClearPermissions;
import io.qraft.api.log.v1.DeleteUser;
import io.qraft.api.log.v1.MetaCommand;
import io.qraft.api.log.v1.MetaResult;
import io.qraft.api.log.v1.MetaState;
import io.qraft.api.log.v1.PermissionDef;
import io.qraft.api.log.v1.PutUser;
import io.qraft.api.log.v1.SetPermissions;
import io.qraft.api.log.v1.SetUserTags;
import io.qraft.api.log.v1.UserDef;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Users and their permissions in the metadata: applied, refused, snapshotted, the same on every replica. */
class MetaMachineUsersTest {
  private static final String HASH = "argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";
  private static final String OTHER_HASH = "pbkdf2-sha256$600000$c2FsdA$b3RoZXI";

  private MetaMachine meta;
  private long index;

  @BeforeEach
  void newMachine() {
    meta = new MetaMachine();
    index = 100;
  }

  static MetaCommand putUser(String name, String hash, String... tags) {
    return MetaCommand.newBuilder().setPutUser(PutUser.newBuilder().setName(name).setPasswordHash(hash)
        .addAllTags(List.of(tags))).build();
  }

  static MetaCommand deleteUser(String name) {
    return MetaCommand.newBuilder().setDeleteUser(DeleteUser.newBuilder().setName(name)).build();
  }

  static MetaCommand setTags(String name, String... tags) {
    return MetaCommand.newBuilder().setSetUserTags(SetUserTags.newBuilder().setName(name).addAllTags(List.of(tags)))
        .build();
  }

  static MetaCommand changePassword(String name, String hash) {
    return MetaCommand.newBuilder().setChangePassword(ChangePassword.newBuilder().setName(name).setPasswordHash(hash))
        .build();
  }

  static MetaCommand setPermissions(String user, String configure, String write, String read) {
    return MetaCommand.newBuilder().setSetPermissions(SetPermissions.newBuilder().setUser(user)
        .setConfigure(configure).setWrite(write).setRead(read)).build();
  }

  static MetaCommand clearPermissions(String user) {
    return MetaCommand.newBuilder().setClearPermissions(ClearPermissions.newBuilder().setUser(user)).build();
  }

  /** Applies the command as the next log entry. */
  private MetaResult apply(MetaCommand command) {
    return meta.apply(++index, command);
  }

  private MetaResult applyOk(MetaCommand command) {
    MetaResult r = apply(command);
    assertThat(r.getErrorCode()).as(r.getErrorMessage()).isEqualTo(Status.OK);
    return r;
  }

  private void assertRefused(MetaCommand command, int code, String messagePart) {
    MetaState before = meta.export();
    long version = meta.usersVersion();
    MetaResult r = apply(command);
    assertThat(r.getErrorCode()).as(r.getErrorMessage()).isEqualTo(code);
    assertThat(r.getErrorMessage()).contains(messagePart).doesNotContain("Exception");
    assertThat(meta.export()).as("state after refusing %s", Cmd.describe(command)).isEqualTo(before);
    assertThat(meta.usersVersion()).isEqualTo(version);
  }

  @Test
  void putUserCreatesThenReplacesHashAndTagsKeepingPermissions() {
    assertThat(applyOk(putUser("alice", HASH, "monitoring", "administrator", "monitoring")).getCreated()).isTrue();
    UserDef alice = meta.user("alice");
    assertThat(alice.getName()).isEqualTo("alice");
    assertThat(alice.getPasswordHash()).isEqualTo(HASH);
    assertThat(alice.getTagsList()).as("sorted, each once").containsExactly("administrator", "monitoring");
    assertThat(alice.getCredentialGeneration()).as("the entry's index").isEqualTo(index);
    applyOk(setPermissions("alice", ".*", ".*", ".*"));

    assertThat(applyOk(putUser("alice", OTHER_HASH)).getCreated()).isFalse();
    assertThat(meta.user("alice").getPasswordHash()).isEqualTo(OTHER_HASH);
    assertThat(meta.user("alice").getTagsList()).isEmpty();
    assertThat(meta.user("alice").getCredentialGeneration()).isEqualTo(index).isGreaterThan(alice.getCredentialGeneration());
    assertThat(meta.permissions("alice")).isEqualTo(UserPermissions.of(".*", ".*", ".*"));
  }

  @Test
  void usersAreListedByName() {
    applyOk(putUser("zoe", HASH));
    applyOk(putUser("bob", HASH));
    applyOk(putUser("Ärger", HASH));
    assertThat(meta.users()).extracting(UserDef::getName).containsExactly("bob", "zoe", "Ärger");
    assertThat(meta.user("nobody")).isNull();
  }

  @Test
  void setUserTagsReplacesTagsAndKeepsTheGeneration() {
    applyOk(putUser("alice", HASH, "administrator"));
    long generation = meta.user("alice").getCredentialGeneration();
    applyOk(setTags("alice", "monitoring"));
    assertThat(meta.user("alice").getTagsList()).containsExactly("monitoring");
    applyOk(setTags("alice"));
    assertThat(meta.user("alice").getTagsList()).isEmpty();
    assertThat(meta.user("alice").getCredentialGeneration()).isEqualTo(generation);
    assertThat(meta.user("alice").getPasswordHash()).isEqualTo(HASH);
  }

  @Test
  void changePasswordReplacesTheHashAndRaisesTheGeneration() {
    applyOk(putUser("alice", HASH, "administrator"));
    long first = meta.user("alice").getCredentialGeneration();
    applyOk(changePassword("alice", OTHER_HASH));
    UserDef changed = meta.user("alice");
    assertThat(changed.getPasswordHash()).isEqualTo(OTHER_HASH);
    assertThat(changed.getCredentialGeneration()).isEqualTo(index).isGreaterThan(first);
    assertThat(changed.getTagsList()).containsExactly("administrator");
    applyOk(changePassword("alice", OTHER_HASH));
    assertThat(meta.user("alice").getCredentialGeneration()).as("the same hash again is a change too")
        .isGreaterThan(changed.getCredentialGeneration());
  }

  @Test
  void deletingAUserDeletesItsPermissionsAndAReAddedUserHasAHigherGeneration() {
    applyOk(putUser("alice", HASH));
    long first = meta.user("alice").getCredentialGeneration();
    applyOk(setPermissions("alice", "^a", "^a", "^a"));
    applyOk(deleteUser("alice"));
    assertThat(meta.user("alice")).isNull();
    assertThat(meta.permissions("alice")).isNull();
    assertThat(meta.permissions()).isEmpty();
    assertThat(meta.export().getUsersList()).isEmpty();
    assertThat(meta.export().getPermissionsList()).isEmpty();

    applyOk(putUser("alice", HASH));
    assertThat(meta.permissions("alice")).as("a re-added user starts without permissions").isNull();
    assertThat(meta.user("alice").getCredentialGeneration()).isGreaterThan(first);
  }

  @Test
  void setAndClearPermissions() {
    applyOk(putUser("alice", HASH));
    assertThat(applyOk(setPermissions("alice", "^orders\\.", "", "^(orders|audit)\\.")).getCreated()).isTrue();
    UserPermissions p = meta.permissions("alice");
    assertThat(p.configure()).isEqualTo("^orders\\.");
    assertThat(p.allows(Kind.CONFIGURE, "orders.x")).isTrue();
    assertThat(p.allows(Kind.WRITE, "orders.x")).isFalse();
    assertThat(p.allows(Kind.READ, "audit.1")).isTrue();
    assertThat(meta.permissions()).containsExactly(PermissionDef.newBuilder().setUser("alice")
        .setConfigure("^orders\\.").setWrite("").setRead("^(orders|audit)\\.").build());

    assertThat(applyOk(setPermissions("alice", ".*", ".*", ".*")).getCreated()).as("replaced").isFalse();
    assertThat(meta.permissions("alice").allows(Kind.WRITE, "anything")).isTrue();

    assertThat(applyOk(clearPermissions("alice")).getCreated()).isTrue();
    assertThat(meta.permissions("alice")).isNull();
    assertThat(meta.user("alice")).as("the user stays").isNotNull();
    assertThat(applyOk(clearPermissions("alice")).getCreated()).as("nothing left to clear").isFalse();
  }

  @Test
  void commandsOnAnUnknownUserAreNotFound() {
    applyOk(putUser("alice", HASH));
    assertRefused(deleteUser("bob"), Status.NOT_FOUND, "'bob'");
    assertRefused(setTags("bob", "monitoring"), Status.NOT_FOUND, "add the user first");
    assertRefused(changePassword("bob", HASH), Status.NOT_FOUND, "'bob'");
    assertRefused(setPermissions("bob", ".*", ".*", ".*"), Status.NOT_FOUND, "'bob'");
    assertRefused(clearPermissions("bob"), Status.NOT_FOUND, "'bob'");
  }

  @Test
  void invalidCommandsAreRefusedAndChangeNothing() {
    applyOk(putUser("alice", HASH, "monitoring"));
    applyOk(setPermissions("alice", "^a$", "^a$", "^a$"));
    String big = "x".repeat(HardLimits.PERMISSION_PATTERN_BYTES + 1);
    assertRefused(putUser("", HASH), Status.INVALID_ARGUMENT, "user name is empty");
    assertRefused(putUser("a".repeat(256), HASH), Status.INVALID_ARGUMENT, "256 bytes");
    assertRefused(putUser("é".repeat(128), HASH), Status.INVALID_ARGUMENT, "256 bytes");
    assertRefused(putUser("bob:x", HASH), Status.INVALID_ARGUMENT, "':'");
    assertRefused(putUser("bob\n", HASH), Status.INVALID_ARGUMENT, "control character");
    assertRefused(putUser("bob\u0085", HASH), Status.INVALID_ARGUMENT, "control character");
    assertRefused(putUser("bob\uD800", HASH), Status.INVALID_ARGUMENT, "not valid UTF-8");
    assertRefused(putUser("bob", ""), Status.INVALID_ARGUMENT, "password hash is empty");
    assertRefused(putUser("bob", "h".repeat(HardLimits.PASSWORD_HASH_BYTES + 1)), Status.INVALID_ARGUMENT, "the most is");
    assertRefused(putUser("bob", "plain text"), Status.INVALID_ARGUMENT, "printable ASCII");
    assertRefused(putUser("bob", HASH, "management"), Status.INVALID_ARGUMENT, "unknown user tag 'management'");
    assertRefused(setTags("alice", "administrator", "root"), Status.INVALID_ARGUMENT, "unknown user tag 'root'");
    assertRefused(changePassword("alice", ""), Status.INVALID_ARGUMENT, "password hash is empty");
    assertRefused(setPermissions("alice", "(", ".*", ".*"), Status.INVALID_ARGUMENT, "configure pattern '('");
    assertRefused(setPermissions("alice", ".*", "(a)\\1", ".*"), Status.INVALID_ARGUMENT, "write pattern");
    assertRefused(setPermissions("alice", ".*", ".*", "(?=a)"), Status.INVALID_ARGUMENT, "read pattern");
    assertRefused(setPermissions("alice", big, ".*", ".*"), Status.INVALID_ARGUMENT, "1025 bytes");
    assertRefused(setPermissions("alice", ".*", ".*", "a\uDC00"), Status.INVALID_ARGUMENT, "not valid UTF-8");
    assertRefused(deleteUser(""), Status.INVALID_ARGUMENT, "user name is empty");
    assertRefused(clearPermissions("a:b"), Status.INVALID_ARGUMENT, "':'");
    assertThat(meta.user("alice").getTagsList()).containsExactly("monitoring");
    assertThat(meta.permissions("alice")).isEqualTo(UserPermissions.of("^a$", "^a$", "^a$"));
  }

  @Test
  void theLongestNameIsAccepted() {
    applyOk(putUser("u".repeat(HardLimits.USER_NAME_BYTES), "h".repeat(HardLimits.PASSWORD_HASH_BYTES)));
    applyOk(setPermissions("u".repeat(HardLimits.USER_NAME_BYTES), "p".repeat(HardLimits.PERMISSION_PATTERN_BYTES), "", ""));
  }

  @Test
  void theClusterHoldsAtMostMaxUsers() {
    for (int i = 0; i < HardLimits.MAX_USERS; i++) {
      applyOk(putUser("user-" + i, HASH));
    }
    assertRefused(putUser("one-too-many", HASH), Status.RESOURCE_EXHAUSTED, "delete a user first");
    assertThat(applyOk(putUser("user-7", OTHER_HASH)).getCreated()).as("replacing is no new user").isFalse();
    applyOk(deleteUser("user-0"));
    applyOk(putUser("one-too-many", HASH));
  }

  @Test
  void usersVersionChangesWithEveryAcceptedUserCommand() {
    long v0 = meta.usersVersion();
    applyOk(putUser("alice", HASH));
    long v1 = meta.usersVersion();
    assertThat(v1).isGreaterThan(v0);
    applyOk(setPermissions("alice", ".*", "", ""));
    assertThat(meta.usersVersion()).isGreaterThan(v1);
  }

  /** The same entries in the same order, applied whole, or through a snapshot in the middle: the same state. */
  @Test
  void snapshotInTheMiddleAndAnotherReplicaEndEqual() throws Exception {
    List<MetaCommand> entries = new ArrayList<>(List.of(
        putUser("alice", HASH, "administrator"),
        putUser("bob", HASH),
        setPermissions("alice", ".*", ".*", ".*"),
        setPermissions("bob", "^bob\\.", "^bob\\.", "^(bob|shared)\\."),
        changePassword("bob", OTHER_HASH),
        setTags("bob", "monitoring"),
        putUser("carol", HASH),
        setPermissions("carol", "", "", "^public\\."),
        deleteUser("alice"),
        putUser("alice", OTHER_HASH),
        clearPermissions("carol"),
        deleteUser("nobody"),
        setPermissions("bob", "", "^bob\\.", "^bob\\."),
        changePassword("alice", HASH)));
    MetaMachine whole = new MetaMachine();
    MetaMachine replica = new MetaMachine();
    List<MetaResult> wholeResults = new ArrayList<>();
    List<MetaResult> replicaResults = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      wholeResults.add(whole.apply(i + 1, entries.get(i)));
      replicaResults.add(replica.apply(i + 1, entries.get(i)));
    }
    assertThat(replicaResults).isEqualTo(wholeResults);
    assertThat(replica.export()).isEqualTo(whole.export());

    for (int split = 0; split <= entries.size(); split++) {
      MetaMachine before = new MetaMachine();
      List<MetaResult> results = new ArrayList<>();
      for (int i = 0; i < split; i++) {
        results.add(before.apply(i + 1, entries.get(i)));
      }
      MetaState snapshot = before.export();
      MetaMachine restored = new MetaMachine();
      restored.load(MetaState.parseFrom(snapshot.toByteArray()));
      assertThat(restored.export()).isEqualTo(snapshot);
      for (int i = split; i < entries.size(); i++) {
        results.add(restored.apply(i + 1, entries.get(i)));
      }
      assertThat(results).as("results with a snapshot after entry %d", split).isEqualTo(wholeResults);
      assertThat(restored.export()).as("state with a snapshot after entry %d", split).isEqualTo(whole.export());
      assertThat(restored.users()).isEqualTo(whole.users());
      assertThat(restored.permissions()).isEqualTo(whole.permissions());
      assertThat(restored.permissions("bob")).isEqualTo(whole.permissions("bob"));
      assertThat(restored.permissions("bob").allows(Kind.READ, "bob.q")).isTrue();
      assertThat(restored.permissions("bob").allows(Kind.CONFIGURE, "bob.q")).isFalse();
    }
    assertThat(whole.users()).extracting(UserDef::getName).containsExactly("alice", "bob", "carol");
    assertThat(whole.user("alice").getCredentialGeneration()).isEqualTo(14);
    assertThat(whole.user("bob").getCredentialGeneration()).isEqualTo(5);
    assertThat(whole.permissions("alice")).isNull();
    assertThat(whole.permissions("carol")).isNull();
  }

  @Test
  void withoutAnIndexGenerationsStillOnlyGrow() {
    MetaMachine m = new MetaMachine();
    m.apply(putUser("alice", HASH));
    long first = m.user("alice").getCredentialGeneration();
    m.apply(changePassword("alice", OTHER_HASH));
    long second = m.user("alice").getCredentialGeneration();
    MetaMachine restored = new MetaMachine();
    restored.load(m.export());
    restored.apply(deleteUser("alice"));
    restored.apply(putUser("alice", HASH));
    assertThat(first).isPositive();
    assertThat(second).isGreaterThan(first);
    assertThat(restored.user("alice").getCredentialGeneration()).isGreaterThan(second);
  }

  @Test
  void userCommandsLeaveTheRestOfTheMetadataAlone() {
    meta.apply(++index, MetaMachineTest.add(MetaMachineTest.shard("00000000-0000-0000-0000-000000000001", "n1", false)));
    MetaState before = meta.export();
    applyOk(putUser("alice", HASH));
    applyOk(setPermissions("alice", ".*", ".*", ".*"));
    MetaState after = meta.export();
    assertThat(after.toBuilder().clearUsers().clearPermissions().build()).isEqualTo(before);
  }
}
