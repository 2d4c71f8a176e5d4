package io.runnerscaler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RunnerScalerTest {

    @ParameterizedTest
    @ValueSource(strings = {"demo", "local", "simulate", "config", "machines", "jobs", "dlq"})
    void everyCommandHasHelp(String command) {
        var out = new StringWriter();
        var cli = RunnerScaler.commandLine();
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute(command, "--help")).isZero();
        assertThat(out.toString()).contains("Usage: runner-scaler " + command);
    }

    @Test
    void unknownCommandIsAUsageError() {
        var err = new StringWriter();
        var cli = RunnerScaler.commandLine();
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("frobnicate")).isEqualTo(2);
        assertThat(err.toString()).contains("Unmatched argument");
    }

    @Test
    void operatorCommandsSayWhichSettingIsMissing() {
        var err = new StringWriter();
        var cli = RunnerScaler.commandLine();
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("dlq", "redrive", "--endpoint", "http://127.0.0.1:9", "--dlq-url", "")).isEqualTo(2);
        assertThat(err.toString()).contains("--dlq-url is required");
    }

    @Test
    void localNeedsAConfigUnlessItRunsAgainstTheDeployedStack() {
        var err = new StringWriter();
        var cli = RunnerScaler.commandLine();
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("local", "--endpoint", "http://127.0.0.1:9")).isEqualTo(2);
        assertThat(err.toString()).contains("--config is required without --aws");
    }

    @Test
    void localAgainstAwsSaysWhichStackVariablesAreMissing() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("RUNNER_SCALER_QUEUE_URL") == null);
        var err = new StringWriter();
        var cli = RunnerScaler.commandLine();
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("local", "--aws")).isNotZero();
        assertThat(err.toString()).contains("missing environment variables").contains("RUNNER_SCALER_QUEUE_URL");
    }
}
