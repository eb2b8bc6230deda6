package io.qraft.ops.config;

import io.qraft.api.HostPort;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One configuration key: its name, its typed default, a one-line doc, and how its text value is
 * read and checked.
 *
 * <p>{@link #parse} only checks the value on its own; rules that tie several keys together live in
 * {@link NodeConfig}. Immutable and thread-safe.
 *
 * @param <T> the type of the value
 */
public final class ConfigKey<T> {

    private final String name;
    private final T defaultValue;
    private final String doc;
    private final String expected;
    private final Function<String, T> parser;
    private final Function<T, String> formatter;

    private ConfigKey(String name, T defaultValue, String doc, String expected,
                      Function<String, T> parser, Function<T, String> formatter) {
        this.name = Objects.requireNonNull(name);
        this.defaultValue = Objects.requireNonNull(defaultValue);
        this.doc = Objects.requireNonNull(doc);
        this.expected = Objects.requireNonNull(expected);
        this.parser = parser;
        this.formatter = formatter;
    }

    /** The key as written in the file, e.g. {@code raft.snapshot_threshold}. */
    public String name() {
        return name;
    }

    /** The value in use when the file does not set the key. */
    public T defaultValue() {
        return defaultValue;
    }

    /** One line saying what the key controls. */
    public String doc() {
        return doc;
    }

    /** What a valid value looks like, phrased to follow "expected". */
    public String expected() {
        return expected;
    }

    /** The default as it would be written in the file. */
    public String defaultText() {
        return format(defaultValue);
    }

    /** A value as it would be written in the file. */
    public String format(T value) {
        return formatter.apply(value);
    }

    /**
     * Reads a value from its text (already trimmed and not empty).
     *
     * @throws IllegalArgumentException when the text is not a valid value; the message, if any,
     *                                  says more precisely what is wrong
     */
    public T parse(String text) {
        return parser.apply(text);
    }

    @Override
    public String toString() {
        return name;
    }

    static ConfigKey<String> string(String name, String defaultValue, Pattern pattern, String expected, String doc) {
        return new ConfigKey<>(name, defaultValue, doc, expected, text -> {
            if (!pattern.matcher(text).matches()) {
                throw new IllegalArgumentException();
            }
            return text;
        }, Function.identity());
    }

    static ConfigKey<Path> path(String name, String defaultValue, String doc) {
        return new ConfigKey<>(name, Path.of(defaultValue), doc, "a file system path", text -> {
            try {
                return Path.of(text);
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException(e.getReason());
            }
        }, Path::toString);
    }

    /** The text of an optional path left unset: TLS and such features are off. */
    public static final String NONE = "none";

    /** A path that may be absent, written {@value #NONE}; the default is absent. */
    static ConfigKey<java.util.Optional<Path>> optionalPath(String name, String doc) {
        return new ConfigKey<>(name, java.util.Optional.empty(), doc, "a file system path, or " + NONE, text -> {
            if (text.equals(NONE)) {
                return java.util.Optional.empty();
            }
            try {
                return java.util.Optional.of(Path.of(text));
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException(e.getReason());
            }
        }, value -> value.map(Path::toString).orElse(NONE));
    }

    /** true or false, nothing else (no yes/on/1: a typo must not read as one of them). */
    static ConfigKey<Boolean> bool(String name, boolean defaultValue, String doc) {
        return new ConfigKey<>(name, defaultValue, doc, "true or false", text -> switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("not true or false");
        }, String::valueOf);
    }

    static ConfigKey<HostPort> hostPort(String name, String defaultValue, String doc) {
        return new ConfigKey<>(name, HostPort.parse(defaultValue), doc,
            "host:port (IPv6 as [addr]:port) with a port in 1..65535", HostPort::parse, HostPort::toString);
    }

    static ConfigKey<List<ClusterMember>> members(String name, String defaultValue, String doc) {
        return new ConfigKey<>(name, ClusterMember.parseList(defaultValue), doc,
            "1 to " + ClusterMember.MAX_NODES + " comma-separated id@host:grpcPort:raftPort entries with unique ids",
            ClusterMember::parseList,
            members -> String.join(",", members.stream().map(ClusterMember::toString).toList()));
    }

    static ConfigKey<Integer> integer(String name, int defaultValue, int min, int max, String doc) {
        return new ConfigKey<>(name, defaultValue, doc, "an integer in " + range(min, max),
            text -> Math.toIntExact(parseLong(text, min, max)), String::valueOf);
    }

    static ConfigKey<Long> longInteger(String name, long defaultValue, long min, long max, String doc) {
        return new ConfigKey<>(name, defaultValue, doc, "an integer in " + range(min, max),
            text -> parseLong(text, min, max), String::valueOf);
    }

    static ConfigKey<Duration> millis(String name, long defaultMillis, long min, long max, String doc) {
        return new ConfigKey<>(name, Duration.ofMillis(defaultMillis), doc,
            "a number of milliseconds in " + range(min, max),
            text -> Duration.ofMillis(parseLong(text, min, max)), d -> String.valueOf(d.toMillis()));
    }

    private static String range(long min, long max) {
        return max == Long.MAX_VALUE ? min + ".." : min + ".." + max;
    }

    // Only plain decimal digits: "1e6", "1_000" or "10k" would each be read differently by someone.
    private static long parseLong(String text, long min, long max) {
        String digits = text.startsWith("-") ? text.substring(1) : text;
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException();
        }
        long value = Long.parseLong(text);
        if (value < min || value > max) {
            throw new IllegalArgumentException();
        }
        return value;
    }
}
