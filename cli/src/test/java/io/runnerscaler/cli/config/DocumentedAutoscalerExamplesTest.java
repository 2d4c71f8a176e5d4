package io.runnerscaler.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnerscaler.core.config.ConfigException;
import io.runnerscaler.core.config.ConfigLoader;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.planner.Action;
import io.runnerscaler.core.planner.Plan;
import io.runnerscaler.core.planner.Planner;
import io.runnerscaler.core.planner.PoolState;
import io.runnerscaler.core.planner.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * GitLab's documented docker-autoscaler and instance executor examples on AWS (copied into
 * {@code autoscaler/*.toml} with their source): each imported pool equals the same policy written by hand in pools
 * YAML ({@code autoscaler/*.yaml}, which quote what the docs say the example does), and the real planner, run on
 * the moments the docs describe, does what the docs say the autoscaler does.
 */
class DocumentedAutoscalerExamplesTest {

    static final List<String> EXAMPLES = List.of("docker-autoscaler-aws", "instance-aws-one-job",
            "instance-aws-five-jobs", "instance-aws-mac", "policy-periods");

    private static ImportResult importExample(String example) {
        String file = "autoscaler/" + example + ".toml";
        return new GitLabRunnerImporter().importConfig(Fixtures.read(file), file);
    }

    static ScalerConfig imported(String example) {
        return new ConfigLoader().parse(importExample(example).yaml());
    }

    static ScalerConfig handWritten(String example) {
        return new ConfigLoader().parse(Fixtures.read("autoscaler/" + example + ".yaml"));
    }

    @ParameterizedTest
    @FieldSource("EXAMPLES")
    void theImportedPoolEqualsTheExampleWrittenByHand(String example) {
        ScalerConfig imported = imported(example);
        ScalerConfig handWritten = handWritten(example);

        assertThat(imported.concurrent()).isEqualTo(handWritten.concurrent());
        assertThat(imported.pools()).hasSize(1);
        assertThat(imported.pools().get(0)).usingRecursiveComparison().isEqualTo(handWritten.pools().get(0));
    }

    @Test
    void theGoogleCloudExampleIsSkippedBecauseTheScalerLaunchesOnlyEc2() {
        String file = "autoscaler/docker-autoscaler-googlecloud.toml";
        assertThatThrownBy(() -> new GitLabRunnerImporter().importConfig(Fixtures.read(file), file))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems().get(0)).contains("nothing to import");
                    assertThat(e.problems()).anySatisfy(p -> assertThat(p)
                            .contains("plugin: skipped: plugin is 'googlecloud'"));
                });
    }

    @Test
    void fiveJobSlotsPerInstanceBecomeFiveOneJobMachinesAndTheWarningSaysHowToSizeThem() {
        ImportResult result = importExample("instance-aws-five-jobs");

        assertThat(result.warnings()).filteredOn(w -> w.option().equals("capacity_per_instance")).singleElement()
                .satisfies(w -> assertThat(w.message()).contains("5 jobs per instance", "becomes a machine of its own",
                        "about 1/5 the size"));
        assertThat(result.warnings()).filteredOn(w -> w.option().equals("instanceTypes")).singleElement()
                .satisfies(w -> assertThat(w.message()).contains("my-windows-asg", "a type sized for one job"));
    }

    private static final Instant TUESDAY_10 = Instant.parse("2026-03-03T10:00:00Z");

    /**
     * A moment the docs describe and what the autoscaler does then.
     *
     * @param launches     machines the pool should launch
     * @param terminations machines it should remove, all for {@code reason}
     */
    record Moment(String example, String what, Function<PoolConfig, PoolState> state, Instant now, int launches,
                  int terminations, Reason reason) {
        @Override
        public String toString() {
            return example + ": " + what;
        }
    }

    static final List<Moment> SCENARIO = List.of(
            new Moment("docker-autoscaler-aws", "empty pool: five idle instances are kept for future demand",
                    pool -> state(pool, List.of(), 0), TUESDAY_10, 5, 0, null),
            new Moment("docker-autoscaler-aws", "five idle and ten jobs: the jobs take them, five more up to 10",
                    pool -> state(pool, machines(pool, MachineState.IDLE, 5, 0, TUESDAY_10), 10), TUESDAY_10, 5, 0,
                    null),
            new Moment("docker-autoscaler-aws", "a machine whose one job is done is deleted (max_use_count 1)",
                    pool -> state(pool, machines(pool, MachineState.IDLE, 6, 1, TUESDAY_10), 0), TUESDAY_10, 5, 6,
                    Reason.MAX_BUILDS_REACHED),
            new Moment("docker-autoscaler-aws", "seven unused idle for 19 minutes: all stay",
                    pool -> state(pool, machines(pool, MachineState.IDLE, 7, 0, TUESDAY_10), 0),
                    TUESDAY_10.plus(Duration.ofMinutes(19)), 0, 0, null),
            new Moment("docker-autoscaler-aws", "seven unused idle for 21 minutes: two above five go",
                    pool -> state(pool, machines(pool, MachineState.IDLE, 7, 0, TUESDAY_10), 0),
                    TUESDAY_10.plus(Duration.ofMinutes(21)), 0, 2, Reason.IDLE_TIME_EXCEEDED),
            new Moment("instance-aws-one-job", "ten busy and jobs waiting: max_instances 10 holds",
                    pool -> state(pool, machines(pool, MachineState.BUSY, 10, 0, TUESDAY_10), 4), TUESDAY_10, 0, 0,
                    null),
            new Moment("instance-aws-five-jobs", "empty pool: five idle job slots, five one-job machines",
                    pool -> state(pool, List.of(), 0), TUESDAY_10, 5, 0, null),
            new Moment("instance-aws-five-jobs", "45 busy and 10 waiting: 50 slots at most, so 5 more",
                    pool -> state(pool, machines(pool, MachineState.BUSY, 45, 0, TUESDAY_10), 10), TUESDAY_10, 5, 0,
                    null),
            new Moment("instance-aws-five-jobs", "machines never retire: a machine after 40 jobs stays idle",
                    pool -> state(pool, machines(pool, MachineState.IDLE, 5, 40, TUESDAY_10), 0),
                    TUESDAY_10.plus(Duration.ofHours(2)), 0, 0, null),
            new Moment("instance-aws-mac", "four idle Mac machines for 23 hours: the allocation day is not over",
                    pool -> state(pool, machines(pool, MachineState.IDLE, 4, 0, TUESDAY_10), 0),
                    TUESDAY_10.plus(Duration.ofHours(23)), 0, 0, null),
            new Moment("instance-aws-mac", "four idle Mac machines for 25 hours: two above idle_count 2 go",
                    pool -> state(pool, machines(pool, MachineState.IDLE, 4, 0, TUESDAY_10), 0),
                    TUESDAY_10.plus(Duration.ofHours(25)), 0, 2, Reason.IDLE_TIME_EXCEEDED),
            new Moment("policy-periods", "Tuesday 10:00: the working-hours policy keeps one idle",
                    pool -> state(pool, List.of(), 0), TUESDAY_10, 1, 0, null),
            new Moment("policy-periods", "Tuesday 15:59: still in the period",
                    pool -> state(pool, List.of(), 0), Instant.parse("2026-03-03T15:59:30Z"), 1, 0, null),
            new Moment("policy-periods", "Tuesday 16:00: idle count 0, idle time 0s, the idle machine goes",
                    pool -> state(pool, machines(pool, MachineState.IDLE, 1, 0, TUESDAY_10), 0),
                    Instant.parse("2026-03-03T16:00:00Z"), 0, 1, Reason.IDLE_TIME_EXCEEDED),
            new Moment("policy-periods", "Saturday 10:00: nothing kept idle",
                    pool -> state(pool, List.of(), 0), Instant.parse("2026-03-07T10:00:00Z"), 0, 0, null));

    private static PoolState state(PoolConfig pool, List<Machine> machines, int queued) {
        int busy = (int) machines.stream().filter(m -> m.state() == MachineState.BUSY).count();
        return new PoolState(pool, machines, queued, busy, 100);
    }

    private static List<Machine> machines(PoolConfig pool, MachineState state, int count, int builds, Instant since) {
        var machines = new ArrayList<Machine>();
        for (int i = 0; i < count; i++) {
            machines.add(new Machine("i-" + pool.name().hashCode() + "-" + i, pool.name(), state, Market.ON_DEMAND,
                    pool.instanceTypes().get(0), builds, since.minusSeconds(600 - i), since,
                    state == MachineState.BUSY ? Optional.of("gitlab:" + i) : Optional.empty()));
        }
        return machines;
    }

    @ParameterizedTest
    @FieldSource("SCENARIO")
    void theImportedPoolPlansWhatTheDocsSayAndWhatTheHandWrittenPoolPlans(Moment moment) {
        var planner = new Planner();
        PoolConfig imported = imported(moment.example()).pools().get(0);
        PoolConfig handWritten = handWritten(moment.example()).pools().get(0);

        Plan plan = planner.plan(moment.state().apply(imported), moment.now());

        assertThat(plan.launchCount()).as("launches").isEqualTo(moment.launches());
        assertThat(plan.terminations()).as("terminations").hasSize(moment.terminations())
                .allSatisfy(t -> assertThat(t.reason()).isEqualTo(moment.reason()));
        assertThat(plan.terminations()).extracting(Action.Terminate::reason).doesNotContainNull();
        assertThat(plan).isEqualTo(planner.plan(moment.state().apply(handWritten), moment.now()));
    }
}
