package io.runnerscaler.core.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each line is the one data binding wrote for the same fields, whichever writer takes them. */
class JsonLinesLogTest {

    private static final Instant NOW = Instant.parse("2026-11-23T09:00:05.123Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    record Pool(String name, int limit) {
    }

    enum Kind { IDLE }

    static Stream<Map<String, ?>> fields() {
        var withNull = new HashMap<String, Object>();
        withNull.put("instance", null);
        var nested = new LinkedHashMap<String, Object>();
        nested.put("pool", "docker \"large\" ü\n");
        nested.put("counts", Map.of("idle", 2));
        nested.put("labels", List.of("linux", "x64"));
        nested.put("ms", 12.5);
        nested.put("ok", true);
        nested.put("job", 30433642001L);
        return Stream.of(Map.of(), Map.of("forge", "gitlab", "status", 202), withNull, nested,
                Map.of("labels", Set.of("docker")), Map.of("nan", Double.NaN),
                // Not plain: left to data binding, whatever it makes of them.
                Map.of("pool", new Pool("docker", 3)), Map.of("kind", Kind.IDLE), Map.of("after", Duration.ofSeconds(3)),
                Map.of("when", NOW), Map.of("maybe", Optional.of("x")), Map.of("chars", Arrays.asList('a', 'b')),
                Map.of("mixed", List.of("a", new Pool("p", 1))), Map.of("byKind", Map.of(Kind.IDLE, 1)));
    }

    @ParameterizedTest
    @MethodSource("fields")
    void theLineIsTheOneDataBindingWrote(Map<String, ?> fields) throws Exception {
        var out = new ByteArrayOutputStream();
        new JsonLinesLog(new PrintStream(out, true, StandardCharsets.UTF_8), Clock.fixed(NOW, ZoneOffset.UTC))
                .warn("pool.decided", fields);

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(asDataBindingWroteIt("WARN", "pool.decided", fields)
                + System.lineSeparator());
    }

    private static String asDataBindingWroteIt(String level, String event, Map<String, ?> fields) {
        var line = new LinkedHashMap<String, Object>();
        line.put("time", NOW.toString());
        line.put("level", level);
        line.put("event", event);
        line.putAll(fields);
        try {
            return JSON.writeValueAsString(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return "{\"level\":\"WARN\",\"event\":\"log.unserialisable\",\"for\":\"" + event + "\"}";
        }
    }
}
