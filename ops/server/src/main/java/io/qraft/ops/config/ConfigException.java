package io.qraft.ops.config;

/**
 * A node configuration that cannot be used: a malformed line, an unknown key, a value out of
 * range, or keys that contradict each other.
 *
 * <p>The message is meant for the person who wrote the file and always says where
 * (file, line, key), what was expected and what was found, for example:
 * <pre>qraft.conf, line 7, key 'raft.election_timeout_max': expected more than
 * raft.election_timeout_min (1500 ms, line 6), found '1000'</pre>
 * A line of 0 means the key was not set in the file and its default is in use.
 *
 * <p>Immutable.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;
    private final String key;
    private final String expected;
    private final String found;

    /**
     * @param source   the file (or other source) name
     * @param line     1-based line number; 0 when the key was not set in the file
     * @param key      the key concerned, or null when the line could not be split into one
     * @param expected what would have been accepted
     * @param found    what was there instead
     * @param hint     an optional suggestion appended to the message, or null
     */
    public ConfigException(String source, int line, String key, String expected, String found, String hint) {
        super(format(source, line, key, expected, found, hint));
        this.source = source;
        this.line = line;
        this.key = key;
        this.expected = expected;
        this.found = found;
    }

    public ConfigException(String source, int line, String key, String expected, String found) {
        this(source, line, key, expected, found, null);
    }

    /** The file (or other source) name. */
    public String source() {
        return source;
    }

    /** The 1-based line number, or 0 when the key was not set in the file. */
    public int line() {
        return line;
    }

    /** The key concerned, or null for a line that is not {@code key = value}. */
    public String key() {
        return key;
    }

    public String expected() {
        return expected;
    }

    public String found() {
        return found;
    }

    private static String format(String source, int line, String key, String expected, String found, String hint) {
        StringBuilder s = new StringBuilder(source);
        if (line > 0) {
            s.append(", line ").append(line);
        }
        if (key != null) {
            s.append(", key '").append(key).append('\'');
            if (line <= 0) {
                s.append(" (not set, default in use)");
            }
        }
        s.append(": expected ").append(expected).append(", found ").append(found);
        if (hint != null) {
            s.append("; ").append(hint);
        }
        return s.toString();
    }
}
