package io.runnerscaler.cli.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.config.ConfigLoader;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.config.ScalerConfig;
import org.junit.jupiter.api.Test;

/**
 * Issue 10's docker+machine policy ({@code IdleCount 2, IdleTime 300, MaxGrowthRate 1, limit 6, concurrent 6})
 * imported from config.toml must mean exactly what the same policy written by hand in pools YAML means.
 * Checks that run both configs through the planner belong here too: use {@link #imported()} and {@link #handWritten()}.
 */
class DockerMachineScenarioTest {

    static final String CONFIG_TOML = "issue-scenario.toml";
    static final String HAND_WRITTEN_YAML = "issue-scenario.yaml";

    /** The scenario's config.toml, imported. */
    static ScalerConfig imported() {
        ImportResult result = new GitLabRunnerImporter().importConfig(Fixtures.read(CONFIG_TOML), CONFIG_TOML);
        return new ConfigLoader().parse(result.yaml());
    }

    /** The scenario written by hand, as an operator following the README would. */
    static ScalerConfig handWritten() {
        return new ConfigLoader().parse(Fixtures.read(HAND_WRITTEN_YAML));
    }

    @Test
    void importedPoolEqualsTheHandWrittenPoolFieldByField() {
        PoolConfig imported = imported().pools().get(0);
        PoolConfig handWritten = handWritten().pools().get(0);

        assertThat(imported).usingRecursiveComparison().isEqualTo(handWritten);
        assertThat(imported).isEqualTo(handWritten);
    }

    @Test
    void importedConcurrentEqualsTheHandWrittenOne() {
        assertThat(imported().concurrent()).isEqualTo(6).isEqualTo(handWritten().concurrent());
    }

    @Test
    void theScenarioKnobsSurviveTheImport() {
        PoolConfig pool = imported().pools().get(0);

        assertThat(pool.limit()).isEqualTo(6);
        assertThat(pool.idle().idleCount()).isEqualTo(2);
        assertThat(pool.idle().idleTime()).hasSeconds(300);
        assertThat(pool.maxGrowthRate()).isEqualTo(1);
        assertThat(pool.maxBuilds()).isZero();
        assertThat(pool.periods()).isEmpty();
    }
}
