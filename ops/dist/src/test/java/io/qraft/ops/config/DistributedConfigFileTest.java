package io.qraft.ops.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Keeps conf/qraft.conf of the distribution in step with {@link NodeConfigKeys}. */
class DistributedConfigFileTest {

    // Tests run in the module directory.
    private static final Path FILE = Path.of("src/dist/conf/qraft.conf");

    @Test
    void theShippedFileParsesToTheDefaults() {
        assertThat(NodeConfig.load(FILE)).isEqualTo(NodeConfig.defaults());
    }

    @Test
    void everyKeyAppearsCommentedOutAtItsDefaultBelowItsDoc() throws Exception {
        List<String> lines = Files.readAllLines(FILE);
        for (ConfigKey<?> key : NodeConfigKeys.ALL) {
            int at = lines.indexOf("# " + key.name() + " = " + key.defaultText());
            assertThat(at).as("line '# %s = %s'", key.name(), key.defaultText()).isPositive();
            assertThat(lines.get(at - 1)).as("the doc line above %s", key.name()).isEqualTo("# " + key.doc());
        }
    }

    @Test
    void uncommentingEveryKeyGivesAValidConfigurationEqualToTheDefaults() throws Exception {
        String uncommented = Files.readAllLines(FILE).stream()
            .map(line -> NodeConfigKeys.ALL.stream().anyMatch(k -> line.startsWith("# " + k.name() + " = "))
                ? line.substring(2) : line)
            .collect(Collectors.joining("\n"));

        NodeConfig config = NodeConfig.parse(uncommented, FILE.toString());

        assertThat(config).isEqualTo(NodeConfig.defaults());
        for (ConfigKey<?> key : NodeConfigKeys.ALL) {
            assertThat(config.lineOf(key)).as(key.name()).isPositive();
        }
    }
}
