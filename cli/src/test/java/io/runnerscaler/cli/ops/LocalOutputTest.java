package io.runnerscaler.cli.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What `local` shows of the functions' output: readable decisions on the console, metrics in a file. */
class LocalOutputTest {

    private static final String DECISION = "{\"time\":\"2026-11-23T09:00:05.123Z\",\"level\":\"INFO\","
            + "\"event\":\"job.queued\",\"job\":\"gitlab:1977\",\"pool\":\"docker\",\"queued\":1,\"labels\":[\"docker\"]}";
    private static final String METRIC = "{\"_aws\":{\"Timestamp\":1796284349449,\"CloudWatchMetrics\":[{\"Namespace\":"
            + "\"RunnerScaler\",\"Dimensions\":[[\"Forge\"]],\"Metrics\":[{\"Name\":\"JobsQueued\"}]}]},\"Forge\":"
            + "\"gitlab\",\"JobsQueued\":1.0}";

    @TempDir
    Path dir;

    @Test
    void decisionsArePrintedOneReadableLineEachAndMetricsGoToTheirFile() throws IOException {
        var console = new ByteArrayOutputStream();
        Path metrics = dir.resolve("nested/metrics.log");
        try (PrintStream functions = new LocalOutput(new PrintStream(console, true, StandardCharsets.UTF_8), false,
                Optional.of(metrics)).stream()) {
            functions.println(DECISION);
            functions.println(METRIC);
        }

        assertThat(console.toString(StandardCharsets.UTF_8))
                .isEqualTo("09:00:05 INFO job.queued job=gitlab:1977 pool=docker queued=1 labels=[\"docker\"]\n");
        assertThat(Files.readString(metrics)).isEqualTo(METRIC + "\n");
    }

    @Test
    void rawPrintsEveryLineAsTheFunctionsWroteIt() throws IOException {
        var console = new ByteArrayOutputStream();
        Path metrics = dir.resolve("metrics.log");
        try (PrintStream functions = new LocalOutput(new PrintStream(console, true, StandardCharsets.UTF_8), true,
                Optional.of(metrics)).stream()) {
            functions.println(DECISION);
            functions.println(METRIC);
        }

        assertThat(console.toString(StandardCharsets.UTF_8)).isEqualTo(DECISION + "\n" + METRIC + "\n");
        assertThat(metrics).doesNotExist();
    }

    @Test
    void aLineThatIsNotADecisionIsPrintedAsItIs() {
        assertThat(LocalOutput.readable("not json")).isEqualTo("not json");
        assertThat(LocalOutput.readable("[1,2]")).isEqualTo("[1,2]");
    }
}
