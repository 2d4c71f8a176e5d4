package io.runnerscaler.core.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.NumberOutput;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON document read with Jackson's streaming parser, for the webhook's path: data binding ({@code ObjectMapper},
 * {@code JsonNode}) is about 500 classes a fresh webhook would load to read a dozen fields
 * (benchmarks/COLDSTART.md). Jackson's parser does the reading and its checks (syntax, nesting depth, number
 * and string lengths); this only holds the values. Each accessor answers as the {@code JsonNode} method of the
 * same name does on what {@code ObjectMapper.readTree} builds (jackson-databind 2.21: {@code IntNode},
 * {@code LongNode}, {@code BigIntegerNode}, {@code DoubleNode}, {@code TextNode}, ...), so code moved off a tree
 * keeps its behaviour, down to the text of a number and the last of two fields of one name.
 */
public sealed interface JsonValue {

    /** What {@link #path} answers for a field that is not there, as {@code MissingNode}. */
    Missing MISSING = new Missing();

    record JsonObject(Map<String, JsonValue> fields) implements JsonValue {
        public JsonObject {
            fields = Collections.unmodifiableMap(fields);
        }
    }

    record JsonArray(List<JsonValue> elements) implements JsonValue {
        public JsonArray {
            elements = List.copyOf(elements);
        }
    }

    record JsonText(String value) implements JsonValue {
    }

    /**
     * A number as readTree keeps it: an integer as {@code Integer}, {@code Long} or {@code BigInteger} by its
     * size, anything with a fraction or exponent as {@code Double}.
     */
    record JsonNumber(Number value) implements JsonValue {
    }

    record JsonBoolean(boolean value) implements JsonValue {
    }

    record JsonNull() implements JsonValue {
    }

    record Missing() implements JsonValue {
    }

    /**
     * The first JSON value of {@code in}, {@link #MISSING} when there is none; what follows it is not read, as
     * readTree does not. Syntax errors surface as Jackson's {@code JsonProcessingException}s.
     */
    static JsonValue read(JsonFactory json, byte[] in) throws IOException {
        try (JsonParser p = json.createParser(in)) {
            return read(p);
        }
    }

    static JsonValue read(JsonFactory json, InputStream in) throws IOException {
        try (JsonParser p = json.createParser(in)) {
            return read(p);
        }
    }

    /** The next value of {@code p}, from a parser that has not started or stands between values. */
    static JsonValue read(JsonParser p) throws IOException {
        JsonToken first = p.nextToken();
        return first == null ? MISSING : value(p, first);
    }

    /** Nesting is bounded by the parser's own limit (StreamReadConstraints, 1,000 levels by default). */
    private static JsonValue value(JsonParser p, JsonToken token) throws IOException {
        return switch (token) {
            case START_OBJECT -> {
                var fields = new LinkedHashMap<String, JsonValue>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    // A repeated name keeps its first place and its last value, as ObjectNode does.
                    fields.put(name, value(p, p.nextToken()));
                }
                yield new JsonObject(fields);
            }
            case START_ARRAY -> {
                var elements = new java.util.ArrayList<JsonValue>();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    elements.add(value(p, t));
                }
                yield new JsonArray(elements);
            }
            case VALUE_STRING -> new JsonText(p.getText());
            case VALUE_NUMBER_INT -> new JsonNumber(p.getNumberValue());
            case VALUE_NUMBER_FLOAT -> new JsonNumber(p.getDoubleValue());
            case VALUE_TRUE -> new JsonBoolean(true);
            case VALUE_FALSE -> new JsonBoolean(false);
            case VALUE_NULL -> new JsonNull();
            default -> throw new JsonParseException(p, "unexpected token " + token);
        };
    }

    /** The field's value; {@link #MISSING} when absent or when this is not an object. */
    default JsonValue path(String field) {
        return this instanceof JsonObject o ? o.fields().getOrDefault(field, MISSING) : MISSING;
    }

    default boolean isObject() {
        return this instanceof JsonObject;
    }

    default boolean isArray() {
        return this instanceof JsonArray;
    }

    default boolean isTextual() {
        return this instanceof JsonText;
    }

    default boolean isNull() {
        return this instanceof JsonNull;
    }

    default boolean isMissingNode() {
        return this instanceof Missing;
    }

    default boolean isIntegralNumber() {
        return this instanceof JsonNumber n && !(n.value() instanceof Double);
    }

    /**
     * A number in the range of a long: any int or long, no big integer (one is read only beyond that range), a
     * double between the bounds (as {@code DoubleNode} answers: whether it is integral is another question).
     */
    default boolean canConvertToLong() {
        if (!(this instanceof JsonNumber n)) {
            return false;
        }
        return switch (n.value()) {
            case Integer i -> true;
            case Long l -> true;
            case Double d -> d >= Long.MIN_VALUE && d <= Long.MAX_VALUE;
            default -> false;
        };
    }

    /** A number's long value (a double truncated, a big integer's low 64 bits); 0 for anything else here. */
    default long asLong() {
        return this instanceof JsonNumber n ? n.value().longValue() : 0L;
    }

    /** The string, or null for anything else. */
    default String textValue() {
        return this instanceof JsonText t ? t.value() : null;
    }

    /** A scalar's text (a number as Jackson writes it), "null" for null, "" for containers and missing. */
    default String asText() {
        return switch (this) {
            case JsonText t -> t.value();
            case JsonNumber n -> switch (n.value()) {
                case Integer i -> NumberOutput.toString(i);
                case Long l -> NumberOutput.toString(l);
                case Double d -> NumberOutput.toString(d);
                case BigInteger b -> b.toString();
                default -> n.value().toString();
            };
            case JsonBoolean b -> b.value() ? "true" : "false";
            case JsonNull n -> "null";
            case JsonObject o -> "";
            case JsonArray a -> "";
            case Missing m -> "";
        };
    }

    /** {@link #asText()}, but {@code fallback} for null and missing. */
    default String asText(String fallback) {
        return this instanceof JsonNull || this instanceof Missing ? fallback : asText();
    }

    /** A boolean; an integer is true unless 0, the text "true" or "false" (trimmed) counts; else the fallback. */
    default boolean asBoolean(boolean fallback) {
        return switch (this) {
            case JsonBoolean b -> b.value();
            case JsonNumber n when n.value() instanceof BigInteger b -> !b.equals(BigInteger.ZERO);
            case JsonNumber n when !(n.value() instanceof Double) -> n.value().longValue() != 0;
            case JsonText t when t.value().trim().equals("true") -> true;
            case JsonText t when t.value().trim().equals("false") -> false;
            default -> fallback;
        };
    }

    /** An array's elements; none for anything else. */
    default List<JsonValue> elements() {
        return this instanceof JsonArray a ? a.elements() : List.of();
    }

    /** An object's fields in document order; none for anything else. */
    default Map<String, JsonValue> properties() {
        return this instanceof JsonObject o ? o.fields() : Map.of();
    }

    /** The kind in lower case, as {@code JsonNodeType}'s names: object, array, string, number, ... */
    default String typeName() {
        return switch (this) {
            case JsonObject o -> "object";
            case JsonArray a -> "array";
            case JsonText t -> "string";
            case JsonNumber n -> "number";
            case JsonBoolean b -> "boolean";
            case JsonNull n -> "null";
            case Missing m -> "missing";
        };
    }
}
