package io.qraft.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class QueueNamesTest {
  private static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void anEmptyOrMissingNameIsRefusedWithTheRule() {
    assertThat(QueueNames.problem("")).contains("empty").contains("1 to 255 bytes");
    assertThat(QueueNames.problem(null)).contains("empty");
  }

  @Test
  void aNameOf255AsciiBytesIsValidAnd256IsNot() {
    assertThat(QueueNames.problem("q")).isNull();
    assertThat(QueueNames.problem("a".repeat(255))).isNull();
    assertThat(QueueNames.problem("a".repeat(256))).contains("256 bytes").contains("255");
  }

  @Test
  void multibyteCharactersCountInBytesNotChars() {
    String twoByte = "é".repeat(127) + "a";
    assertThat(utf8(twoByte)).isEqualTo(255);
    assertThat(QueueNames.problem(twoByte)).isNull();

    String tooLong = "é".repeat(128);
    assertThat(tooLong).hasSize(128);
    assertThat(QueueNames.problem(tooLong)).contains("256 bytes");

    assertThat(QueueNames.problem("€".repeat(85))).isNull();
    assertThat(QueueNames.problem("€".repeat(86))).contains("258 bytes");
  }

  @Test
  void aSurrogatePairIsOneFourByteCharacter() {
    String emoji = "\uD83D\uDE00";
    assertThat(utf8(emoji)).isEqualTo(4);
    assertThat(QueueNames.problem(emoji.repeat(63) + "abc")).isNull();
    assertThat(QueueNames.problem(emoji.repeat(64))).contains("256 bytes");
  }

  @Test
  void loneSurrogatesAreRefusedBecauseTheyAreNotUtf8() {
    assertThat(QueueNames.problem("a\uD800")).contains("lone surrogate at char 1");
    assertThat(QueueNames.problem("\uD800b")).contains("lone surrogate at char 0");
    assertThat(QueueNames.problem("ab\uDC00")).contains("lone surrogate at char 2");
    assertThat(QueueNames.problem("\uDE00\uD83D")).as("a pair in the wrong order").contains("lone surrogate at char 0");
    assertThat(QueueNames.problem("\uD83D\uD83D\uDE00")).contains("lone surrogate at char 0");
  }
}
