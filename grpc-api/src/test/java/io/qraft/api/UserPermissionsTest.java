package io.qraft.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qraft.api.UserPermissions.Kind;
import io.qraft.api.log.v1.PermissionDef;
import org.junit.jupiter.api.Test;

/** RabbitMQ's meaning: an unanchored search per kind; the empty pattern grants nothing. */
class UserPermissionsTest {
  @Test
  void aPatternIsFoundAnywhereInTheName() {
    UserPermissions p = UserPermissions.of("orders", "orders", "orders");
    assertThat(p.allows(Kind.READ, "orders")).isTrue();
    assertThat(p.allows(Kind.READ, "my-orders-2")).isTrue();
    assertThat(p.allows(Kind.READ, "order")).isFalse();
  }

  @Test
  void anchorsLimitTheMatch() {
    UserPermissions p = UserPermissions.of("^orders\\.", "^orders\\.$", "^orders$");
    assertThat(p.allows(Kind.CONFIGURE, "orders.x")).isTrue();
    assertThat(p.allows(Kind.CONFIGURE, "old-orders.x")).isFalse();
    assertThat(p.allows(Kind.CONFIGURE, "ordersx")).as("the dot is escaped").isFalse();
    assertThat(p.allows(Kind.WRITE, "orders.x")).isFalse();
    assertThat(p.allows(Kind.WRITE, "orders.")).isTrue();
    assertThat(p.allows(Kind.READ, "orders")).isTrue();
    assertThat(p.allows(Kind.READ, "orders2")).isFalse();
  }

  @Test
  void theEmptyPatternGrantsNothing() {
    UserPermissions p = UserPermissions.of("", ".*", "");
    assertThat(p.allows(Kind.CONFIGURE, "")).isFalse();
    assertThat(p.allows(Kind.CONFIGURE, "q")).isFalse();
    assertThat(p.allows(Kind.WRITE, "q")).isTrue();
    assertThat(p.allows(Kind.READ, "q")).isFalse();
    assertThat(UserPermissions.NONE.allows(Kind.WRITE, "q")).isFalse();
  }

  @Test
  void eachKindHasItsOwnPattern() {
    UserPermissions p = UserPermissions.of("^c$", "^w$", "^r$");
    assertThat(p.allows(Kind.CONFIGURE, "c")).isTrue();
    assertThat(p.allows(Kind.CONFIGURE, "w")).isFalse();
    assertThat(p.allows(Kind.WRITE, "w")).isTrue();
    assertThat(p.allows(Kind.READ, "r")).isTrue();
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
