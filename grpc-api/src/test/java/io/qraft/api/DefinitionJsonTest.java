package io.qraft.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DefinitionJsonTest {

  @Test
  void aDefinitionReadsAndWritesBackAsCompactSortedJson() {
    PolicyDefinition d = DefinitionJson.parse(
        "{\"ha-sync-mode\":\"automatic\", \"ha-mode\":\"nodes\", \"ha-params\":[\"n2\",\"n1\"], \"batch-size\":\"10\"}");

    assertThat(d.values()).containsEntry("ha-params", "n2,n1").containsEntry("batch-size", "10");
    assertThat(DefinitionJson.text(d))
        .isEqualTo("{\"batch-size\":10,\"ha-mode\":\"nodes\",\"ha-params\":[\"n2\",\"n1\"],\"ha-sync-mode\":\"automatic\"}");
    assertThat(DefinitionJson.parse(DefinitionJson.text(d))).isEqualTo(d);
  }

  @Test
  void numbersMayBeJsonNumbersOrStringsWhenWhole() {
    assertThat(DefinitionJson.parse("{\"ha-mode\":\"exactly\",\"ha-params\":2}").values())
        .isEqualTo(DefinitionJson.parse("{\"ha-mode\":\"exactly\",\"ha-params\":\"2\"}").values())
        .isEqualTo(Map.of("ha-mode", "exactly", "ha-params", "2"));
    assertThatThrownBy(() -> DefinitionJson.parse("{\"ha-mode\":\"exactly\",\"ha-params\":2.5}"))
        .hasMessageContaining("whole number");
  }

  @Test
  void textThatIsNotAJsonObjectIsRefusedSayingHowToWriteIt() {
    assertThatThrownBy(() -> DefinitionJson.parse("{\"ha-mode\": all}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll("not valid JSON", "line 1", "'{\"ha-mode\":\"exactly\",\"ha-params\":2}'");
    assertThatThrownBy(() -> DefinitionJson.parse("")).hasMessageContaining("must be a JSON object");
    assertThatThrownBy(() -> DefinitionJson.parse("[1]")).hasMessageContaining("must be a JSON object");
    assertThatThrownBy(() -> DefinitionJson.parse("{\"ack-mode\":\"local\",\"ack-mode\":\"quorum\"}"))
        .hasMessageContainingAll("not valid JSON", "ack-mode");
    assertThatThrownBy(() -> DefinitionJson.parse("{\"ack-mode\":{\"x\":1}}"))
        .hasMessageContainingAll("'ack-mode'", "an object");
  }
}
