package io.qraft.ops.ctl;

import io.qraft.api.HostPort;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads qraftctl option values; a value that does not convert is a usage error (exit code 2)
 * whose message says what was expected. Stateless; thread-safe.
 */
final class Converters {

    private Converters() {
    }

    /** {@code host:port}, as for {@code cluster.nodes}. */
    static final class HostPortConverter implements ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            try {
                return HostPort.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("expected HOST:PORT but was '" + value + "': " + e.getMessage());
            }
        }
    }

    /** {@code table} or {@code json}, in any case. */
    static final class FormatConverter implements ITypeConverter<Format> {
        @Override
        public Format convert(String value) {
            return oneOf(Format.class, value);
        }
    }

    /** A column name of list_queues. */
    static final class QueueColumnConverter implements ITypeConverter<QueueColumn> {
        @Override
        public QueueColumn convert(String value) {
            return oneOf(QueueColumn.class, value);
        }
    }

    /** An integer of at least 1. */
    static final class PositiveInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return atLeast(1, value);
        }
    }

    /** An integer of at least 0. */
    static final class NonNegativeInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return atLeast(0, value);
        }
    }

    private static int atLeast(int min, String value) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below, with the range
        }
        throw new TypeConversionException("expected an integer of at least " + min + " but was '" + value + "'");
    }

    private static <E extends Enum<E>> E oneOf(Class<E> type, String value) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value.trim())) {
                return e;
            }
        }
        String names = Arrays.stream(type.getEnumConstants())
            .map(e -> e.name().toLowerCase(Locale.ROOT))
            .collect(Collectors.joining(", "));
        throw new TypeConversionException("expected one of " + names + " but was '" + value + "'");
    }
}
