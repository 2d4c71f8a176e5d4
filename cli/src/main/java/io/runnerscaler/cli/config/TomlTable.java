package io.runnerscaler.cli.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A table of config.toml with its path ({@code runners[0].machine}), read with type checks: a value of the
 * wrong type is added to {@code problems} under its path and read as absent, so one pass reports them all.
 */
record TomlTable(JsonNode node, String path, List<String> problems) {

    String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    boolean has(String key) {
        return node.has(key);
    }

    Set<String> keys() {
        var keys = new LinkedHashSet<String>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    String text(String key, String absent) {
        JsonNode value = node.get(key);
        if (value == null) {
            return absent;
        }
        if (!value.isTextual()) {
            problems.add(pathOf(key) + ": expected a string, got " + describe(value));
            return absent;
        }
        return value.textValue();
    }

    int integer(String key, int absent) {
        JsonNode value = node.get(key);
        if (value == null) {
            return absent;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            problems.add(pathOf(key) + ": expected an integer, got " + describe(value));
            return absent;
        }
        return value.intValue();
    }

    int nonNegative(String key, int absent) {
        int value = integer(key, absent);
        if (value < 0) {
            problems.add(pathOf(key) + ": must not be negative, got " + value);
            return absent;
        }
        return value;
    }

    double number(String key, double absent) {
        JsonNode value = node.get(key);
        if (value == null) {
            return absent;
        }
        if (!value.isNumber()) {
            problems.add(pathOf(key) + ": expected a number, got " + describe(value));
            return absent;
        }
        return value.doubleValue();
    }

    boolean bool(String key, boolean absent) {
        JsonNode value = node.get(key);
        if (value == null) {
            return absent;
        }
        if (!value.isBoolean()) {
            problems.add(pathOf(key) + ": expected true or false, got " + describe(value));
            return absent;
        }
        return value.booleanValue();
    }

    /**
     * A Go {@code time.Duration} as GitLab Runner reads it from config.toml: a string for Go's
     * {@code time.ParseDuration} ({@code "20m0s"}, {@code "1h30m"}, {@code "1.5h"}). Empty when absent or wrong.
     */
    Optional<Duration> goDuration(String key) {
        JsonNode value = node.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            problems.add(pathOf(key) + ": expected a duration string like \"20m0s\", got "
                    + (value.isNumber() ? "a number (write the unit: \"" + value.asText() + "s\")" : describe(value)));
            return Optional.empty();
        }
        Optional<Duration> parsed = GoDuration.parse(value.textValue());
        if (parsed.isEmpty()) {
            problems.add(pathOf(key) + ": '" + value.textValue() + "' is not a duration (like \"20m0s\", \"1h30m\","
                    + " \"90s\")");
        } else if (parsed.get().isNegative()) {
            problems.add(pathOf(key) + ": must not be negative, got '" + value.textValue() + "'");
            return Optional.empty();
        }
        return parsed;
    }

    /** The sub-table under {@code key}; an absent one reads as empty, a value of another type is a problem. */
    TomlTable tableOrEmpty(String key) {
        JsonNode value = node.get(key);
        if (value != null && !value.isObject()) {
            problems.add(pathOf(key) + ": expected a table, got " + describe(value));
            value = null;
        }
        return new TomlTable(value == null ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                : value, pathOf(key), problems);
    }

    List<String> strings(String key) {
        JsonNode value = node.get(key);
        if (value == null) {
            return List.of();
        }
        if (!value.isArray()) {
            problems.add(pathOf(key) + ": expected an array of strings, got " + describe(value));
            return List.of();
        }
        var strings = new ArrayList<String>();
        for (int i = 0; i < value.size(); i++) {
            if (value.get(i).isTextual()) {
                strings.add(value.get(i).textValue());
            } else {
                problems.add(pathOf(key) + "[" + i + "]: expected a string, got " + describe(value.get(i)));
            }
        }
        return strings;
    }

    /** The sub-table under {@code key}, or null when absent or not a table (a problem then says so). */
    TomlTable table(String key, String expected) {
        JsonNode value = node.get(key);
        if (value == null || !value.isObject()) {
            problems.add(pathOf(key) + ": " + expected);
            return null;
        }
        return new TomlTable(value, pathOf(key), problems);
    }

    /** The {@code [[key]]} array of tables; absent is empty. */
    List<TomlTable> tables(String key) {
        JsonNode value = node.get(key);
        if (value == null) {
            return List.of();
        }
        if (!value.isArray()) {
            problems.add(pathOf(key) + ": expected [[" + key + "]] tables, got " + describe(value));
            return List.of();
        }
        var tables = new ArrayList<TomlTable>();
        for (int i = 0; i < value.size(); i++) {
            if (value.get(i).isObject()) {
                tables.add(new TomlTable(value.get(i), pathOf(key) + "[" + i + "]", problems));
            } else {
                problems.add(pathOf(key) + "[" + i + "]: expected a table, got " + describe(value.get(i)));
            }
        }
        return tables;
    }

    private static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case STRING -> "a string";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "a table";
            case NUMBER -> node.isIntegralNumber() ? "an integer out of range" : "a decimal number";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
