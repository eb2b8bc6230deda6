package io.qraft.ops.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Splits the text of a configuration file into settings, one {@code key = value} per line, and
 * rejects what is not one: a line without '=', a key that is not known, a key set twice, an empty
 * value.
 *
 * <p>Comments take a whole line ({@code #} as the first non-blank character); a '#' after a value
 * is part of the value, as in rabbitmq.conf. Values are not interpreted here. Stateless;
 * thread-safe.
 */
final class ConfigFileReader {

    /** One {@code key = value} line of the file. */
    record Setting(String key, String value, int line) {
    }

    private static final Pattern KEY_SHAPE = Pattern.compile("[A-Za-z0-9_.-]+");

    private ConfigFileReader() {
    }

    /** The settings by key, in file order. */
    static Map<String, Setting> read(String text, String source) {
        Map<String, Setting> settings = new LinkedHashMap<>();
        String[] lines = text.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNumber = i + 1;
            String line = (i == 0 ? stripByteOrderMark(lines[i]) : lines[i]).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            String key = eq < 0 ? "" : line.substring(0, eq).strip();
            if (eq < 0 || !KEY_SHAPE.matcher(key).matches()) {
                throw new ConfigException(source, lineNumber, null, "'key = value'", quote(line));
            }
            if (NodeConfigKeys.find(key).isEmpty()) {
                throw new ConfigException(source, lineNumber, key, "a known key", "an unknown key",
                    "did you mean '" + NodeConfigKeys.closest(key).name() + "'?");
            }
            Setting earlier = settings.get(key);
            if (earlier != null) {
                throw new ConfigException(source, lineNumber, key,
                    "each key set at most once", "it set again (first set on line " + earlier.line() + ")");
            }
            String value = line.substring(eq + 1).strip();
            if (value.isEmpty()) {
                throw new ConfigException(source, lineNumber, key,
                    NodeConfigKeys.find(key).get().expected(), "an empty value");
            }
            settings.put(key, new Setting(key, value, lineNumber));
        }
        return settings;
    }

    static String quote(String text) {
        return "'" + text + "'";
    }

    private static String stripByteOrderMark(String line) {
        return line.startsWith("\uFEFF") ? line.substring(1) : line;
    }
}
