package io.qraft.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class UserRulesTest {
  @Test
  void names() {
    assertThat(UserRules.nameProblem("alice")).isNull();
    assertThat(UserRules.nameProblem("Jürgen Müller@example.com")).isNull();
    assertThat(UserRules.nameProblem("u".repeat(255))).isNull();
    assertThat(UserRules.nameProblem("")).contains("empty");
    assertThat(UserRules.nameProblem("u".repeat(256))).contains("256 bytes");
    assertThat(UserRules.nameProblem("a:b")).contains("':'").contains("Basic");
    assertThat(UserRules.nameProblem("a\tb")).contains("control character").contains("U+0009");
    assertThat(UserRules.nameProblem("a\u007f")).contains("control character");
    assertThat(UserRules.nameProblem("a\uDC00")).contains("not valid UTF-8");
  }

  @Test
  void hashes() {
    assertThat(UserRules.hashProblem("argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA")).isNull();
    assertThat(UserRules.hashProblem("")).contains("empty");
    assertThat(UserRules.hashProblem("h".repeat(1_025))).contains("the most is 1024");
    assertThat(UserRules.hashProblem("h".repeat(1_024))).isNull();
    assertThat(UserRules.hashProblem("has space")).contains("printable ASCII");
    assertThat(UserRules.hashProblem("hé")).contains("printable ASCII").doesNotContain("hé");
  }

  @Test
  void tags() {
    assertThat(UserRules.tagsProblem(List.of())).isNull();
    assertThat(UserRules.tagsProblem(List.of("administrator", "monitoring", "administrator"))).isNull();
    assertThat(UserRules.tagsProblem(List.of("policymaker"))).isEqualTo(
        "unknown user tag 'policymaker': the tags are administrator, monitoring");
    assertThat(UserRules.normalTags(List.of("monitoring", "administrator", "monitoring")))
        .containsExactly("administrator", "monitoring");
  }
}
