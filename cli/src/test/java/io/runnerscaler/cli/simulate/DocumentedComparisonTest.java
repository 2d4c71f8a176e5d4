package io.runnerscaler.cli.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.cli.RunnerScaler;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The comparison table in docs/simulate.md is what the documented command prints today. */
class DocumentedComparisonTest {

    @Test
    void docsShowTheCurrentComparisonOfTheExamplePolicies() throws Exception {
        var out = new StringWriter();
        var cli = RunnerScaler.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(new StringWriter()));
        int exit = cli.execute("simulate", "--no-progress", "--config", "../examples/policies/docker-machine.yaml",
                "--compare", "../examples/policies/tuned.yaml", "--trace", "../examples/traces/working-day.csv",
                "--until", "24h", "--boot-jitter", "30", "--interruption-rate", "0.05");

        assertThat(exit).isZero();
        String printed = out.toString();
        String table = printed.substring(printed.indexOf("| all pools")).strip();
        assertThat(Files.readString(Path.of("../docs/simulate.md"))).as("docs/simulate.md; rerun the command"
                + " shown there and paste its comparison table").contains(table);
    }
}
