package io.runnerscaler.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The lines {@link EmfMetrics} writes, parsed and held to the CloudWatch embedded metric format
 * specification: what CloudWatch Logs accepts is what becomes a metric, and a line it rejects is lost
 * silently (only the AWS/Logs EMFValidationErrors count shows it).
 */
class EmfMetricsTest {

    private static final Instant NOW = Instant.parse("2026-11-23T09:00:05.123Z");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The units CloudWatch accepts (MetricDatum.Unit). */
    private static final Set<String> UNITS = Set.of("Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes",
            "Megabytes", "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent",
            "Count", "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
            "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second",
            "None");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final EmfMetrics metrics = new EmfMetrics(new PrintStream(out, true, StandardCharsets.UTF_8),
            Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void aCountWithDimensionsIsOneValidEmfDocument() throws Exception {
        metrics.count("LaunchFailures", Map.of("Pool", "docker", "Reason", "CAPACITY"), 2);

        JsonNode line = onlyLine();
        assertThat(problems(line)).isEmpty();
        JsonNode directive = line.at("/_aws/CloudWatchMetrics/0");
        assertThat(line.at("/_aws/Timestamp").asLong()).as("milliseconds since the epoch").isEqualTo(NOW.toEpochMilli());
        assertThat(directive.get("Namespace").asText()).isEqualTo("RunnerScaler");
        assertThat(directive.get("Dimensions").toString()).isEqualTo("[[\"Pool\",\"Reason\"]]");
        assertThat(directive.get("Metrics").toString()).isEqualTo("[{\"Name\":\"LaunchFailures\",\"Unit\":\"Count\"}]");
        assertThat(line.get("Pool").asText()).isEqualTo("docker");
        assertThat(line.get("Reason").asText()).isEqualTo("CAPACITY");
        assertThat(line.get("LaunchFailures").asDouble()).isEqualTo(2.0);
    }

    @Test
    void aDurationIsInMillisecondsAndACountWithoutDimensionsHasOneEmptyDimensionSet() throws Exception {
        metrics.milliseconds("JobWaitMs", Map.of("Pool", "docker", "Forge", "gitlab"), 1234.5);
        metrics.count("ConfigRejected", Map.of());

        List<JsonNode> lines = lines();
        assertThat(lines).hasSize(2).allSatisfy(l -> assertThat(problems(l)).isEmpty());
        assertThat(lines.get(0).at("/_aws/CloudWatchMetrics/0/Metrics/0/Unit").asText()).isEqualTo("Milliseconds");
        assertThat(lines.get(0).get("JobWaitMs").asDouble()).isEqualTo(1234.5);
        assertThat(lines.get(1).at("/_aws/CloudWatchMetrics/0/Dimensions").toString()).isEqualTo("[[]]");
        assertThat(lines.get(1).get("ConfigRejected").asDouble()).isEqualTo(1.0);
    }

    @Test
    void dimensionValuesAreWrittenAsStringsEvenWhenTheyLookLikeNumbers() throws Exception {
        metrics.count("WebhookResponses", Map.of("Status", "202", "Forge", "github"));

        JsonNode line = onlyLine();
        assertThat(problems(line)).isEmpty();
        assertThat(line.get("Status").isTextual()).isTrue();
    }

    @Test
    void theCheckerRejectsWhatCloudWatchWouldReject() throws Exception {
        metrics.count("LaunchFailures", Map.of("Pool", "docker"));
        JsonNode valid = onlyLine();

        var noTarget = valid.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) noTarget).remove("Pool");
        var secondsTimestamp = valid.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) secondsTimestamp.get("_aws")).put("Timestamp",
                NOW.getEpochSecond());
        var badUnit = JSON.readTree(valid.toString().replace("\"Count\"", "\"count\""));
        var tooManyDimensions = JSON.readTree(valid.toString().replace("[[\"Pool\"]]", "[" + JSON.writeValueAsString(
                IntStream.range(0, 31).mapToObj(i -> "D" + i).toList()) + "]"));

        assertThat(problems(noTarget)).anyMatch(p -> p.contains("dimension 'Pool' has no top-level member"));
        assertThat(problems(secondsTimestamp)).anyMatch(p -> p.contains("Timestamp"));
        assertThat(problems(badUnit)).anyMatch(p -> p.contains("unit 'count'"));
        assertThat(problems(tooManyDimensions)).anyMatch(p -> p.contains("31 dimensions"));
    }

    private JsonNode onlyLine() throws Exception {
        List<JsonNode> lines = lines();
        assertThat(lines).hasSize(1);
        return lines.get(0);
    }

    private List<JsonNode> lines() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            assertThat(line).as("one JSON object per line, nothing around it").startsWith("{").endsWith("}");
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    /**
     * What the EMF specification (CloudWatch_Embedded_Metric_Format_Specification) requires of one
     * document, as messages; empty when the document is valid.
     */
    static List<String> problems(JsonNode root) {
        List<String> problems = new ArrayList<>();
        JsonNode aws = root.get("_aws");
        if (aws == null || !aws.isObject()) {
            return List.of("no _aws metadata object");
        }
        Set<String> awsMembers = new HashSet<>();
        aws.fieldNames().forEachRemaining(awsMembers::add);
        awsMembers.removeAll(Set.of("Timestamp", "CloudWatchMetrics", "LogGroupName"));
        if (!awsMembers.isEmpty()) {
            problems.add("_aws has members the specification does not define: " + awsMembers);
        }
        JsonNode timestamp = aws.get("Timestamp");
        // Milliseconds since the epoch: anything before 2001 (10^12 ms) is a timestamp in seconds.
        if (timestamp == null || !timestamp.isIntegralNumber() || timestamp.asLong() < 1_000_000_000_000L) {
            problems.add("_aws.Timestamp must be milliseconds since the epoch, was " + timestamp);
        }
        JsonNode directives = aws.get("CloudWatchMetrics");
        if (directives == null || !directives.isArray() || directives.isEmpty()) {
            return append(problems, "_aws.CloudWatchMetrics must be a non-empty array");
        }
        for (JsonNode directive : directives) {
            JsonNode namespace = directive.get("Namespace");
            if (namespace == null || !namespace.isTextual() || namespace.asText().isEmpty()
                    || namespace.asText().length() > 255) {
                problems.add("Namespace must be a string of 1 to 255 characters, was " + namespace);
            }
            JsonNode dimensions = directive.get("Dimensions");
            if (dimensions == null || !dimensions.isArray()) {
                problems.add("Dimensions must be an array of dimension sets");
            } else {
                for (JsonNode set : dimensions) {
                    if (!set.isArray()) {
                        problems.add("a dimension set must be an array of dimension names, was " + set);
                        continue;
                    }
                    if (set.size() > 30) {
                        problems.add("a dimension set has " + set.size() + " dimensions; at most 30");
                    }
                    for (JsonNode key : set) {
                        JsonNode value = root.get(key.asText());
                        if (value == null) {
                            problems.add("dimension '" + key.asText() + "' has no top-level member");
                        } else if (!value.isTextual() || value.asText().isEmpty() || value.asText().length() > 1024) {
                            problems.add("dimension '" + key.asText() + "' must be a string of 1 to 1024 characters");
                        }
                    }
                }
            }
            JsonNode definitions = directive.get("Metrics");
            if (definitions == null || !definitions.isArray()) {
                problems.add("Metrics must be an array");
                continue;
            }
            if (definitions.size() > 100) {
                problems.add("a directive has " + definitions.size() + " metrics; at most 100");
            }
            for (JsonNode definition : definitions) {
                String name = definition.path("Name").asText("");
                JsonNode value = root.get(name);
                if (name.isEmpty() || name.length() > 255) {
                    problems.add("metric Name must be a string of 1 to 255 characters, was " + definition);
                } else if (value == null) {
                    problems.add("metric '" + name + "' has no top-level member");
                } else if (!(value.isNumber() || value.isArray() && value.size() <= 100
                        && java.util.stream.StreamSupport.stream(value.spliterator(), false).allMatch(JsonNode::isNumber))) {
                    problems.add("metric '" + name + "' must be a number or an array of at most 100 numbers");
                }
                if (definition.has("Unit") && !UNITS.contains(definition.get("Unit").asText())) {
                    problems.add("metric '" + name + "' has unit '" + definition.get("Unit").asText()
                            + "', which CloudWatch does not know");
                }
            }
        }
        return problems;
    }

    private static List<String> append(List<String> problems, String problem) {
        problems.add(problem);
        return problems;
    }
}
