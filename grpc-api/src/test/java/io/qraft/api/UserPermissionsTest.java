package io.qraft.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qraft.api.UserPermissions.Kind;
import io.qraft.api.log.v1.PermissionDef;
import org.junit.jupiter.api.Test;

/** RabbitMQ's meaning: an unanchored search per kind; the empty pattern grants nothing. */
class UserPermissionsTest {
  private static void allows(UserPermissions p, Kind kind, String... queues) {
    for (String q : queues) {
      assertThat(p.allows(kind, q)).as(kind.label() + " on '" + q + "'").isTrue();
    }
  }

  private static void denies(UserPermissions p, Kind kind, String... queues) {
    for (String q : queues) {
      assertThat(p.allows(kind, q)).as(kind.label() + " on '" + q + "'").isFalse();
    }
  }

  @Test
  void aPatternIsFoundAnywhereInTheName() {
    UserPermissions p = UserPermissions.of("orders", "orders", "orders");
    allows(p, Kind.READ, "orders", "my-orders-2");
    denies(p, Kind.READ, "order");
  }

  @Test
  void anchorsLimitTheMatch() {
    UserPermissions p = UserPermissions.of("^orders\\.", "^orders\\.$", "^orders$");
    allows(p, Kind.CONFIGURE, "orders.x");
    denies(p, Kind.CONFIGURE, "old-orders.x", "ordersx");
    allows(p, Kind.WRITE, "orders.");
    denies(p, Kind.WRITE, "orders.x");
    allows(p, Kind.READ, "orders");
    denies(p, Kind.READ, "orders2");
  }

  @Test
  void theEmptyPatternGrantsNothing() {
    UserPermissions p = UserPermissions.of("", ".*", "");
    denies(p, Kind.CONFIGURE, "", "q");
    allows(p, Kind.WRITE, "q");
    denies(p, Kind.READ, "q");
    denies(UserPermissions.NONE, Kind.WRITE, "q");
  }

  @Test
  void eachKindHasItsOwnPattern() {
    UserPermissions p = UserPermissions.of("^c$", "^w$", "^r$");
    allows(p, Kind.CONFIGURE, "c");
    denies(p, Kind.CONFIGURE, "w");
    allows(p, Kind.WRITE, "w");
    allows(p, Kind.READ, "r");
    assertThat(p.pattern(Kind.WRITE)).isEqualTo("^w$");
  }

  @Test
  void re2SyntaxAndSizeAreChecked() {
    assertThat(UserPermissions.problem(".*", "(?i)^Orders\\.\\p{L}+$", "a|b")).isNull();
    assertThat(UserPermissions.problem("(", "", "")).startsWith("configure pattern '('");
    assertThat(UserPermissions.problem("", "(a)\\1", "")).startsWith("write pattern").contains("RE2");
    assertThat(UserPermissions.problem("", "", "a(?!b)")).startsWith("read pattern");
    assertThat(UserPermissions.problem("a{1001}", "", "")).startsWith("configure pattern");
    assertThat(UserPermissions.problem("x".repeat(1_025), "", "")).contains("1025 bytes");
    assertThat(UserPermissions.problem("x".repeat(1_024), "", "")).isNull();
    assertThat(UserPermissions.problem("\uD800", "", "")).contains("not valid UTF-8");
    assertThatThrownBy(() -> UserPermissions.of("", "", "[")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("read pattern");
  }

  @Test
  void aBacktrackingPatternIsMatchedInLinearTime() {
    UserPermissions p = UserPermissions.of("^(a+)+$", "", "");
    assertThat(p.allows(Kind.CONFIGURE, "a".repeat(10_000) + "!")).isFalse();
  }

  @Test
  void roundTripsThroughItsDef() {
    UserPermissions p = UserPermissions.of("^a", "", "b$");
    PermissionDef def = p.toDef("alice");
    assertThat(def.getUser()).isEqualTo("alice");
    assertThat(UserPermissions.fromDef(def)).isEqualTo(p).hasSameHashCodeAs(p);
  }
}
