package io.runnerscaler.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document as a tree that remembers the line of every node, so validation messages can point at
 * it. Duplicate keys are reported, not silently overwritten.
 */
sealed interface YamlNode {

    int line();

    /** A scalar; {@code text} is null for YAML null. {@code token} tells how YAML typed it. */
    record Scalar(String text, JsonToken token, int line) implements YamlNode {
        boolean isNull() {
            return token == JsonToken.VALUE_NULL;
        }
    }

    /** A mapping, in document order. */
    record Mapping(Map<String, Entry> entries, int line) implements YamlNode {
    }

    /** A sequence. */
    record Sequence(List<YamlNode> items, int line) implements YamlNode {
    }

    /** A mapping entry: the key's line and the value. */
    record Entry(String key, int keyLine, YamlNode value) {
    }

    /** A description of the node's kind, for messages ("a list", "a mapping", "'abc'"). */
    static String describe(YamlNode node) {
        return switch (node) {
            case Scalar s when s.isNull() -> "empty";
            case Scalar s -> "'" + s.text() + "'";
            case Mapping m -> "a mapping";
            case Sequence s -> "a list";
        };
    }

    /** Reads a document; duplicate keys go to {@code duplicates} as "path: message". */
    static YamlNode read(String yaml, List<String> duplicates) throws IOException {
        try (JsonParser parser = new YAMLFactory().createParser(yaml)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return new Scalar(null, JsonToken.VALUE_NULL, 1);
            }
            return readValue(parser, "", duplicates);
        }
    }

    private static YamlNode readValue(JsonParser parser, String path, List<String> duplicates) throws IOException {
        int line = parser.currentTokenLocation().getLineNr();
        JsonToken token = parser.currentToken();
        switch (token) {
            case START_OBJECT -> {
                Map<String, Entry> entries = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    int keyLine = parser.currentTokenLocation().getLineNr();
                    parser.nextToken();
                    String childPath = path.isEmpty() ? key : path + "." + key;
                    YamlNode value = readValue(parser, childPath, duplicates);
                    Entry previous = entries.putIfAbsent(key, new Entry(key, keyLine, value));
                    if (previous != null) {
                        duplicates.add(childPath + ": duplicate key, first set on line " + previous.keyLine()
                                + " (line " + keyLine + ")");
                    }
                }
                return new Mapping(entries, line);
            }
            case START_ARRAY -> {
                List<YamlNode> items = new ArrayList<>();
                int i = 0;
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    items.add(readValue(parser, path + "[" + i++ + "]", duplicates));
                }
                return new Sequence(items, line);
            }
            default -> {
                String text = token == JsonToken.VALUE_NULL ? null : parser.getText();
                return new Scalar(text, token, line);
            }
        }
    }
}
