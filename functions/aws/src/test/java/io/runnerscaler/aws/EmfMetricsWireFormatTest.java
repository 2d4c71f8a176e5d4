package io.runnerscaler.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each EMF line is the one written when it was built as a Jackson tree, byte for byte. */
class EmfMetricsWireFormatTest {

    private static final Instant NOW = Instant.parse("2026-11-23T09:00:05.123Z");

    record Case(String name, Map<String, String> dimensions, double value) {
    }

    static Stream<Case> cases() {
        return Stream.of(new Case("WebhookResponses", Map.of("Status", "202", "Forge", "gitlab"), 1),
                new Case("ConfigRejected", Map.of(), 1), new Case("JobWaitMs", Map.of("Pool", "dö\"cker"), 1234.5),
                new Case("Status", Map.of("Status", "202", "Forge", "gitlab"), 2),
                new Case("Launches", Map.of("_aws", "x", "Pool", "p"), 0.1));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void theLineIsTheOneTheTreeWrote(Case c) {
        var out = new ByteArrayOutputStream();
        new EmfMetrics(new PrintStream(out, true, StandardCharsets.UTF_8), Clock.fixed(NOW, ZoneOffset.UTC))
                .count(c.name(), c.dimensions(), c.value());

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(asTheTreeWroteIt(c) + System.lineSeparator());
    }

    private static String asTheTreeWroteIt(Case c) {
        var dims = new TreeMap<>(c.dimensions());
        ObjectNode line = new ObjectMapper().createObjectNode();
        ObjectNode aws = line.putObject("_aws");
        aws.put("Timestamp", NOW.toEpochMilli());
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
        directive.put("Namespace", EmfMetrics.NAMESPACE);
        var dimensionSet = directive.putArray("Dimensions").addArray();
        dims.keySet().forEach(dimensionSet::add);
        directive.putArray("Metrics").addObject().put("Name", c.name()).put("Unit", "Count");
        dims.forEach(line::put);
        line.put(c.name(), c.value());
        return line.toString();
    }
}
