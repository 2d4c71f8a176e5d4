package io.runnerscaler.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link JsonValue} answers every accessor as the {@code JsonNode} that {@code ObjectMapper.readTree} builds from
 * the same bytes: the webhook's parsers moved from one to the other and must decide the same way on any body.
 */
class JsonValueTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory FACTORY = new JsonFactory();

    static Stream<String> documents() throws IOException {
        List<String> docs = new ArrayList<>(List.of("{}", "[]", "\"text\"", "42", "null", "true", "",
                "{\"a\":1,\"a\":\"two\"}", "{\"n\":-0,\"m\":1.50,\"e\":1e3,\"big\":123456789012345678901234567890,"
                        + "\"long\":9007199254740993,\"min\":-9223372036854775808,\"inf\":1e999,\"neg\":-2.5E-3}",
                "{\"b\":[true,false,null,\" true \",\"false\",\"yes\",0,7,0.0,1.5,-1,99999999999999999999]}",
                "{\"s\":\"caf\\u00e9 \\\"q\\\" \\n \\ud83d\\ude00\",\"o\":{\"p\":{\"q\":[[],{}]}}}",
                "{\"a\":1} trailing", "{\"a\":1}{\"b\":2}"));
        Path payloads = payloads();
        try (Stream<Path> forges = Files.list(payloads)) {
            for (Path forge : forges.toList()) {
                try (Stream<Path> files = Files.list(forge)) {
                    for (Path file : files.sorted().toList()) {
                        docs.add(Files.readString(file));
                    }
                }
            }
        }
        return docs.stream();
    }

    @ParameterizedTest
    @MethodSource("documents")
    void everyAccessorAnswersAsReadTreesNode(String document) throws IOException {
        byte[] bytes = document.getBytes(StandardCharsets.UTF_8);
        JsonNode tree = MAPPER.readTree(bytes);
        JsonValue value = JsonValue.read(FACTORY, bytes);

        assertSame(tree, value, "$");
    }

    @Property
    void generatedDocumentsReadTheSame(@ForAll("json") String document) throws IOException {
        byte[] bytes = document.getBytes(StandardCharsets.UTF_8);
        assertSame(MAPPER.readTree(bytes), JsonValue.read(FACTORY, bytes), "$");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":", "{\"a\" 1}", "[1,]", "{'a':1}", "tru", "{\"a\":01}", "\"unterminated"})
    void whatReadTreeRefusesIsRefusedWithTheSameMessage(String document) {
        byte[] bytes = document.getBytes(StandardCharsets.UTF_8);
        String expected;
        try {
            MAPPER.readTree(bytes);
            throw new AssertionError("readTree accepted " + document);
        } catch (JsonProcessingException e) {
            expected = e.getOriginalMessage();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertThatThrownBy(() -> JsonValue.read(FACTORY, bytes)).isInstanceOf(JsonProcessingException.class)
                .satisfies(e -> assertThat(((JsonProcessingException) e).getOriginalMessage()).isEqualTo(expected));
    }

    @Provide
    Arbitrary<String> json() {
        return Arbitraries.recursive(this::scalar, inner -> Arbitraries.oneOf(
                inner.list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]"),
                Arbitraries.of("a", "b", "id", "labels", "").flatMap(k -> inner.list().ofMaxSize(4)
                        .map(vs -> {
                            var fields = new ArrayList<String>();
                            for (int i = 0; i < vs.size(); i++) {
                                // Repeated names on purpose: the last value wins in both.
                                fields.add("\"" + (i % 2 == 0 ? k : k + i) + "\":" + vs.get(i));
                            }
                            return "{" + String.join(",", fields) + "}";
                        }))), 3);
    }

    private Arbitrary<String> scalar() {
        return Arbitraries.oneOf(
                Arbitraries.of("null", "true", "false", "0", "-0", "1.0", "1e2", "-7", "2147483648",
                        "9223372036854775808", "\"true\"", "\" false\"", "\"\"", "\"2026-11-23T09:00:00Z\""),
                Arbitraries.longs().map(l -> Long.toString(l)),
                Arbitraries.doubles().map(d -> Double.toString(d)).filter(s -> !s.contains("N") && !s.contains("I")),
                Arbitraries.strings().ofMaxLength(8).map(JsonValueTest::quote));
    }

    private static String quote(String s) {
        try {
            return MAPPER.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertSame(JsonNode tree, JsonValue value, String where) {
        assertThat(value.typeName()).as(where + " type").isEqualTo(tree.getNodeType().name().toLowerCase(Locale.ROOT));
        assertThat(value.isObject()).as(where).isEqualTo(tree.isObject());
        assertThat(value.isArray()).as(where).isEqualTo(tree.isArray());
        assertThat(value.isTextual()).as(where).isEqualTo(tree.isTextual());
        assertThat(value.isNull()).as(where).isEqualTo(tree.isNull());
        assertThat(value.isMissingNode()).as(where).isEqualTo(tree.isMissingNode());
        assertThat(value.isIntegralNumber()).as(where + " integral").isEqualTo(tree.isIntegralNumber());
        assertThat(value.canConvertToLong()).as(where + " long").isEqualTo(tree.canConvertToLong());
        if (tree.isNumber()) {
            assertThat(value.asLong()).as(where + " asLong").isEqualTo(tree.asLong());
        }
        assertThat(value.textValue()).as(where + " textValue").isEqualTo(tree.textValue());
        assertThat(value.asText()).as(where + " asText").isEqualTo(tree.asText());
        assertThat(value.asText("fallback")).as(where + " asText(fallback)").isEqualTo(tree.asText("fallback"));
        assertThat(value.asBoolean(false)).as(where + " asBoolean(false)").isEqualTo(tree.asBoolean(false));
        assertThat(value.asBoolean(true)).as(where + " asBoolean(true)").isEqualTo(tree.asBoolean(true));
        assertThat(value.path("a").isMissingNode()).as(where + ".a").isEqualTo(tree.path("a").isMissingNode());
        assertThat(value.elements()).as(where + " elements").hasSize(tree.isArray() ? tree.size() : 0);
        for (int i = 0; i < value.elements().size(); i++) {
            assertSame(tree.get(i), value.elements().get(i), where + "[" + i + "]");
        }
        assertThat(value.properties().keySet()).as(where + " fields")
                .containsExactlyElementsOf(tree.isObject() ? tree.properties().stream().map(e -> e.getKey()).toList()
                        : List.of());
        for (var field : value.properties().entrySet()) {
            assertSame(tree.get(field.getKey()), field.getValue(), where + "." + field.getKey());
            assertSame(tree.path(field.getKey()), value.path(field.getKey()), where + "." + field.getKey());
        }
    }

    private static Path payloads() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("functions/testkit"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("functions/testkit not found above " + Path.of("").toAbsolutePath());
        }
        return dir.resolve("functions/testkit/src/main/resources/payloads");
    }
}
