package io.qraft.ops.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Argon2id hashes: the right password verifies, others and damaged hashes do not. */
class PasswordHashTest {

  @Test
  void theRightPasswordVerifiesAndAnotherDoesNot() {
    String stored = PasswordHash.hash("s3cret ünïcode");
    assertThat(stored).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
    assertThat(PasswordHash.wellFormed(stored)).isTrue();
    assertThat(PasswordHash.verify("s3cret ünïcode", stored)).isTrue();
    assertThat(PasswordHash.verify("s3cret unicode", stored)).isFalse();
    assertThat(PasswordHash.verify("", stored)).isFalse();
  }

  @Test
  void twoHashesOfOnePasswordDifferBySalt() {
    assertThat(PasswordHash.hash("same")).isNotEqualTo(PasswordHash.hash("same"));
  }

  @Test
  void damagedOrHostileHashesNeverVerify() {
    String stored = PasswordHash.hash("pw");
    assertThat(PasswordHash.verify("pw", null)).isFalse();
    assertThat(PasswordHash.verify("pw", "")).isFalse();
    assertThat(PasswordHash.verify("pw", stored.substring(0, stored.length() - 4))).isFalse();
    assertThat(PasswordHash.verify("pw", stored.replace("m=19456", "m=9999999"))).isFalse();
    assertThat(PasswordHash.verify("pw", stored.replace("t=2", "t=99"))).isFalse();
    assertThat(PasswordHash.verify("pw", stored.replace("argon2id", "argon2i"))).isFalse();
    assertThat(PasswordHash.wellFormed("$sha256$abc")).isFalse();
  }

  @Test
  void anUnknownUserIsAlwaysRefused() {
    assertThat(PasswordHash.verifyNobody("anything")).isFalse();
  }
}
