package io.qraft.ops.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class OutputTest {

    private final StringWriter text = new StringWriter();

    private Output output(Format format) {
        return new Output(format, new PrintWriter(text));
    }

    @Test
    void aTableAlignsTextToTheLeftAndNumbersToTheRightUnderAHeader() {
        output(Format.TABLE).rows(List.of("name", "messages", "replicas"), List.of(
            Output.row("name", "orders", "messages", 12L, "replicas", List.of("n1", "n2")),
            Output.row("name", "q", "messages", 1234L, "replicas", List.of("n3"))));

        assertThat(text.toString()).isEqualTo(String.join(System.lineSeparator(),
            "name    messages  replicas",
            "orders        12  n1,n2",
            "q           1234  n3",
            ""));
    }

    @Test
    void anEmptyListingPrintsOnlyTheHeaderOrAnEmptyArray() {
        output(Format.TABLE).rows(List.of("name", "leader"), List.of());
        assertThat(text.toString()).isEqualTo("name  leader" + System.lineSeparator());

        text.getBuffer().setLength(0);
        output(Format.JSON).rows(List.of("name", "leader"), List.of());
        assertThat(text.toString().strip()).isEqualTo("[ ]");
    }

    @Test
    void jsonListingIsAnArrayOfObjectsKeyedByColumnInColumnOrderWithTypedValues() throws Exception {
        output(Format.JSON).rows(List.of("name", "leader", "replicas", "messages", "running", "arguments"), List.of(
            Output.row("messages", 3L, "name", "q", "leader", "n1", "replicas", List.of("n1", "n2"),
                "running", true, "arguments", Map.of("ack-mode", "quorum"))));

        JsonNode array = new ObjectMapper().readTree(text.toString());
        assertThat(array.isArray()).isTrue();
        JsonNode queue = array.get(0);
        assertThat(queue.fieldNames()).toIterable()
            .containsExactly("name", "leader", "replicas", "messages", "running", "arguments");
        assertThat(queue.get("messages").isNumber()).isTrue();
        assertThat(queue.get("running").isBoolean()).isTrue();
        assertThat(queue.get("replicas").get(1).asText()).isEqualTo("n2");
        assertThat(queue.get("arguments").get("ack-mode").asText()).isEqualTo("quorum");
    }

    @Test
    void aSingleRowIsOneJsonObjectOrATableOfOneLine() throws Exception {
        output(Format.JSON).row(List.of("queue", "messages_purged"), Output.row("queue", "q", "messages_purged", 5L));
        JsonNode object = new ObjectMapper().readTree(text.toString());
        assertThat(object.isObject()).isTrue();
        assertThat(object.get("messages_purged").asLong()).isEqualTo(5);

        text.getBuffer().setLength(0);
        output(Format.TABLE).row(List.of("queue", "messages_purged"), Output.row("queue", "q", "messages_purged", 5L));
        assertThat(text.toString().lines()).containsExactly("queue  messages_purged", "q                    5");
    }

    @Test
    void tableCellsStayOnOneLine() {
        assertThat(Output.text("two\nlines\tand\u0001")).isEqualTo("two\\nlines\\tand\\u0001");
        assertThat(Output.text(new TreeMap<>(Map.of("b", "2", "a", "1")))).isEqualTo("a=1,b=2");
        assertThat(Output.text(null)).isEmpty();
        assertThat(Output.text(new BigDecimal("1E+3"))).isEqualTo("1000");
    }

    @Test
    void jsonKeepsUtf8AndControlCharactersIntactAndDecimalsPlain() throws Exception {
        output(Format.JSON).row(List.of("body", "seconds"),
            Output.row("body", "h\u00e9\nllo", "seconds", new BigDecimal("0.0001")));

        JsonNode object = new ObjectMapper().readTree(text.toString());
        assertThat(object.get("body").asText()).isEqualTo("h\u00e9\nllo");
        assertThat(text.toString()).contains("0.0001");
    }
}
