package io.runnerscaler.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Typed reading of one YAML mapping's fields, for {@link ConfigLoader}: each accessor returns the value, or its
 * fallback after adding a problem that names the field's path and line to the list all fields of a document
 * share. It knows YAML's types and lines, not what a pool is; the loader's rules sit on top of it.
 */
final class YamlFields {

    private static final Pattern MARK = Pattern.compile("^ in '.*', line (\\d+), column (\\d+)");

    private final String base;
    private final YamlNode.Mapping mapping;
    private final List<String> problems;
    private final Set<String> reported = new HashSet<>();

    YamlFields(String base, YamlNode.Mapping mapping, List<String> problems) {
        this.base = base;
        this.mapping = mapping;
        this.problems = problems;
    }

    /**
     * Reads a document into its tree. Duplicate keys go to {@code problems}; a document that is not YAML at all
     * is a {@link ConfigException} with the parser's complaint and position, without the line it quotes.
     */
    static YamlNode read(String yaml, List<String> problems) {
        try {
            return YamlNode.read(yaml == null ? "" : yaml, problems);
        } catch (JsonProcessingException e) {
            throw new ConfigException(List.of(syntaxProblem(e.getOriginalMessage())));
        } catch (IOException e) {
            throw new ConfigException(List.of("config could not be read: " + e.getMessage()));
        }
    }

    /**
     * The YAML parser's complaint without the source line it quotes (which may hold a secret), with the
     * position of the last mark it names.
     */
    static String syntaxProblem(String parserMessage) {
        List<String> parts = new ArrayList<>();
        String position = "";
        for (String line : parserMessage.split("\\R")) {
            var mark = MARK.matcher(line);
            if (mark.find()) {
                position = " (line " + mark.group(1) + ", column " + mark.group(2) + ")";
            } else if (!line.isBlank() && !line.startsWith(" ") && !line.startsWith("\t")) {
                parts.add(line.trim());
            }
        }
        return "config is not valid YAML: " + String.join("; ", parts) + position;
    }

    /** The fields of a mapping nested under this one, reporting to the same list. */
    YamlFields nested(String path, YamlNode.Mapping nested) {
        return new YamlFields(path, nested, problems);
    }

    /** A problem with a node that has no key of its own (a list item): {@code path: message (line n)}. */
    void problemAt(String path, YamlNode node, String message) {
        problems.add(path + ": " + message + " (line " + node.line() + ")");
    }

    /** A problem without a position, for the document as a whole. */
    void problemOfDocument(String message) {
        problems.add(message);
    }

    List<String> problems() {
        return problems;
    }

    String path(String key) {
        return base.isEmpty() ? key : base + "." + key;
    }

    String at(String key, String message) {
        YamlNode.Entry e = mapping.entries().get(key);
        int line = e == null ? mapping.line() : e.keyLine();
        return path(key) + ": " + message + " (line " + line + ")";
    }

    void problem(String key, String message) {
        reported.add(key);
        problems.add(at(key, message));
    }

    void problemAtMapping(String message) {
        problems.add((base.isEmpty() ? "" : base + ".") + message + " (line " + mapping.line() + ")");
    }

    boolean problemReported(String key) {
        return reported.contains(key);
    }

    boolean has(String key) {
        return node(key).isPresent();
    }

    Optional<YamlNode> node(String key) {
        YamlNode.Entry e = mapping.entries().get(key);
        if (e == null || (e.value() instanceof YamlNode.Scalar s && s.isNull())) {
            return Optional.empty();
        }
        return Optional.of(e.value());
    }

    void checkKeys(List<String> known) {
        for (YamlNode.Entry e : mapping.entries().values()) {
            if (!known.contains(e.key())) {
                String hint = Suggestions.nearest(e.key(), known).map(k -> "; did you mean '" + k + "'?")
                        .orElse("; known keys: " + String.join(", ", known));
                problems.add(path(e.key()) + ": unknown key" + hint + " (line " + e.keyLine() + ")");
            }
        }
    }

    Optional<YamlNode.Scalar> scalar(String key, String expected) {
        Optional<YamlNode> node = node(key);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        if (node.get() instanceof YamlNode.Scalar s) {
            return Optional.of(s);
        }
        problem(key, "must be " + expected + ", found " + YamlNode.describe(node.get()));
        return Optional.empty();
    }

    String string(String key, String fallback) {
        return optionalString(key).orElse(fallback);
    }

    Optional<String> optionalString(String key) {
        return scalar(key, "a string").map(YamlNode.Scalar::text).map(String::trim);
    }

    boolean bool(String key, boolean fallback) {
        Optional<YamlNode.Scalar> s = scalar(key, "true or false");
        if (s.isEmpty()) {
            return fallback;
        }
        return switch (s.get().token()) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE -> false;
            default -> {
                problem(key, "must be true or false, found " + YamlNode.describe(s.get()));
                yield fallback;
            }
        };
    }

    int integer(String key, int fallback, int min) {
        Optional<YamlNode.Scalar> s = scalar(key, "a whole number");
        if (s.isEmpty()) {
            return fallback;
        }
        if (s.get().token() != JsonToken.VALUE_NUMBER_INT) {
            problem(key, "must be a whole number, found " + YamlNode.describe(s.get()));
            return fallback;
        }
        long value;
        try {
            value = Long.parseLong(s.get().text());
        } catch (NumberFormatException e) {
            problem(key, "is too large");
            return fallback;
        }
        if (value < min) {
            problem(key, value + " must be at least " + min);
            return fallback;
        }
        if (value > 1_000_000) {
            problem(key, value + " is too large (at most 1000000)");
            return fallback;
        }
        return (int) value;
    }

    double number(String key, double fallback, double min) {
        Optional<YamlNode.Scalar> s = scalar(key, "a number");
        if (s.isEmpty()) {
            return fallback;
        }
        if (s.get().token() != JsonToken.VALUE_NUMBER_INT && s.get().token() != JsonToken.VALUE_NUMBER_FLOAT) {
            problem(key, "must be a number, found " + YamlNode.describe(s.get()));
            return fallback;
        }
        double value = Double.parseDouble(s.get().text());
        if (!(value >= min) || Double.isInfinite(value)) {
            problem(key, s.get().text() + " must be at least " + min);
            return fallback;
        }
        return value;
    }

    Duration duration(String key, Duration fallback) {
        Optional<YamlNode.Scalar> s = scalar(key, "a duration");
        if (s.isEmpty()) {
            return fallback;
        }
        String text = s.get().text();
        if (text.startsWith("-")) {
            problem(key, text + " must not be negative");
            return fallback;
        }
        Optional<Duration> d = s.get().token() == JsonToken.VALUE_NUMBER_FLOAT ? Optional.empty()
                : Durations.parse(text);
        if (d.isEmpty()) {
            problem(key, "'" + text + "' is not a duration; use seconds (300) or units (300s, 5m, 1h30m)");
            return fallback;
        }
        return d.get();
    }

    List<String> strings(String key) {
        Optional<YamlNode> node = node(key);
        if (node.isEmpty()) {
            return List.of();
        }
        if (!(node.get() instanceof YamlNode.Sequence seq)) {
            problem(key, "must be a list, found " + YamlNode.describe(node.get()));
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (YamlNode item : seq.items()) {
            if (item instanceof YamlNode.Scalar s && !s.isNull() && !s.text().isBlank()) {
                out.add(s.text().trim());
            } else {
                problem(key, "must list non-empty strings, found " + YamlNode.describe(item)
                        + " at line " + item.line());
            }
        }
        return out;
    }

    <E> E enumValue(String key, E fallback, E[] values, Function<E, String> id) {
        Optional<String> text = optionalString(key);
        if (text.isEmpty()) {
            return fallback;
        }
        for (E value : values) {
            if (id.apply(value).equals(text.get())) {
                return value;
            }
        }
        List<String> ids = java.util.Arrays.stream(values).map(id).toList();
        problem(key, "'" + text.get() + "' is not one of " + String.join(", ", ids)
                + Suggestions.nearest(text.get(), ids).map(k -> "; did you mean '" + k + "'?").orElse(""));
        return fallback;
    }

    ZoneId zone(String key, ZoneId fallback) {
        Optional<String> text = optionalString(key);
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            return ZoneId.of(text.get());
        } catch (java.time.DateTimeException e) {
            problem(key, "'" + text.get() + "' is not an IANA timezone (like Europe/Berlin or UTC)"
                    + Suggestions.nearest(text.get(), ZoneId.getAvailableZoneIds())
                            .map(k -> "; did you mean '" + k + "'?").orElse(""));
            return fallback;
        }
    }
}
