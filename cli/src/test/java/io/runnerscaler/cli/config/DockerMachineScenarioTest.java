package io.runnerscaler.cli.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.config.ConfigLoader;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.planner.Plan;
import io.runnerscaler.core.planner.Planner;
import io.runnerscaler.core.planner.PoolState;
import io.runnerscaler.core.planner.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Issue 10's docker+machine policy ({@code IdleCount 2, IdleTime 300, MaxGrowthRate 1, limit 6, concurrent 6})
 * imported from config.toml must mean exactly what the same policy written by hand in pools YAML means.
 * The planner check walks the scenario's moments ({@link #SCENARIO}); add a {@link Moment} to check one more.
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

    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");

    /**
     * One moment of the scenario (ten ten-minute jobs arriving at once) and what docker+machine does then.
     *
     * @param state        builds the pool snapshot for a given pool, so every config sees the same moment
     * @param launches     machines docker+machine would start
     * @param terminations machines docker+machine would remove
     */
    record Moment(String what, Function<PoolConfig, PoolState> state, Instant now, int launches, int terminations) {
        @Override
        public String toString() {
            return what;
        }
    }

    static final List<Moment> SCENARIO = List.of(
            new Moment("empty pool: one machine towards IdleCount 2, MaxGrowthRate 1 allows one at a time",
                    pool -> new PoolState(pool, List.of(), 0, 0, 6), T0, 1, 0),
            new Moment("ten jobs queued, one machine booting: MaxGrowthRate 1 holds the next launch",
                    pool -> new PoolState(pool, machines(pool, MachineState.LAUNCHING, 1, T0), 10, 0, 6), T0, 0, 0),
            new Moment("six busy, four queued: limit 6 reached",
                    pool -> new PoolState(pool, machines(pool, MachineState.BUSY, 6, T0), 4, 6, 6),
                    T0.plus(Duration.ofMinutes(5)), 0, 0),
            new Moment("six idle for 4 minutes: within IdleTime 300, all kept",
                    pool -> new PoolState(pool, machines(pool, MachineState.IDLE, 6, T0.plus(Duration.ofMinutes(40))),
                            0, 0, 6), T0.plus(Duration.ofMinutes(44)), 0, 0),
            new Moment("six idle for 6 minutes: four beyond IdleCount 2 passed IdleTime 300",
                    pool -> new PoolState(pool, machines(pool, MachineState.IDLE, 6, T0.plus(Duration.ofMinutes(40))),
                            0, 0, 6), T0.plus(Duration.ofMinutes(46)), 0, 4));

    private static List<Machine> machines(PoolConfig pool, MachineState state, int count, Instant since) {
        var machines = new ArrayList<Machine>();
        for (int i = 0; i < count; i++) {
            machines.add(new Machine("i-" + state.name().toLowerCase(Locale.ROOT) + i, pool.name(), state,
                    Market.ON_DEMAND, pool.instanceTypes().get(0), 0, T0, since, Optional.empty()));
        }
        return machines;
    }

    @ParameterizedTest
    @FieldSource("SCENARIO")
    void theImportedPoolPlansWhatDockerMachineDidAndWhatTheHandWrittenPoolPlans(Moment moment) {
        var planner = new Planner();
        PoolConfig imported = imported().pools().get(0);

        Plan importedPlan = planner.plan(moment.state().apply(imported), moment.now());
        Plan handWrittenPlan = planner.plan(moment.state().apply(handWritten().pools().get(0)), moment.now());

        assertThat(importedPlan.launchCount()).as("launches").isEqualTo(moment.launches());
        assertThat(importedPlan.terminations()).as("terminations").hasSize(moment.terminations())
                .allSatisfy(t -> assertThat(t.reason()).isEqualTo(Reason.IDLE_TIME_EXCEEDED));
        assertThat(importedPlan).isEqualTo(handWrittenPlan);
    }
}
