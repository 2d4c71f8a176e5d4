package io.runnerscaler.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.planner.PeriodScenarioTest;
import io.runnerscaler.core.planner.Pools;
import io.runnerscaler.core.planner.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SimulationTest {

    private static final Instant START = Instant.parse("2026-03-02T10:00:00Z");

    private static SimJob job(String id, int atSecond, int runsSeconds, String... labels) {
        return new SimJob(id, Forge.GITLAB, Set.of(labels), START.plusSeconds(atSecond),
                Duration.ofSeconds(runsSeconds));
    }

    @Test
    void jobMatchingNoPoolIsRecordedWithItsReasonNotDropped() {
        var config = new ScalerConfig(5, List.of(Pools.pool().build()));
        SimResult r = Simulation.builder(config).build()
                .run(List.of(job("j1", 0, 60, "windows")), START, START.plusSeconds(600));
        assertThat(r.events(SimEvent.Kind.JOB_UNMATCHED)).singleElement().satisfies(e -> {
            assertThat(e.subject()).isEqualTo("j1");
            assertThat(e.detail()).startsWith("LABELS_NOT_COVERED: no gitlab pool has all of [windows]");
        });
        assertThat(r.jobs()).singleElement().satisfies(j -> {
            assertThat(j.pool()).isEmpty();
            assertThat(j.started()).isEmpty();
        });
    }

    static Stream<Arguments> clockChanges() {
        return Stream.of(
                // behaviour, Sunday 22:00 local, Monday 00:00 local, 09:00 local, 18:00 local (all UTC)
                Arguments.of("afterTheSpringChangeBerlinIsUtcPlusTwo", "2026-03-29T20:00:00Z",
                        "2026-03-29T22:00:00Z", "2026-03-30T07:00:00Z", "2026-03-30T16:00:00Z"),
                Arguments.of("afterTheAutumnChangeBerlinIsUtcPlusOne", "2026-10-25T21:00:00Z",
                        "2026-10-25T23:00:00Z", "2026-10-26T08:00:00Z", "2026-10-26T17:00:00Z"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clockChanges")
    void periodPrewarmsAtNineAndShrinksAfterSixBerlinTime(String behaviour, String sunday22, String monday00,
                                                          String monday09, String monday18) {
        var config = new ScalerConfig(100, List.of(PeriodScenarioTest.pool(PeriodScenarioTest.BERLIN)));
        // Start Sunday 22:00 local in the weekend period (5 idle), run to Monday 19:00 local.
        SimResult r = Simulation.builder(config).prewarmed(true).build()
                .run(List.of(), Instant.parse(sunday22), Instant.parse(monday18).plusSeconds(3600));
        assertThat(r.events(SimEvent.Kind.LAUNCH_REQUESTED)).as(behaviour).hasSize(48).allSatisfy(e -> {
            assertThat(e.at()).isEqualTo(Instant.parse(monday09));
            assertThat(e.reason()).contains(Reason.PERIOD_ACTIVE);
        });
        assertThat(r.events(SimEvent.Kind.MACHINE_TERMINATED))
                .extracting(e -> e.at() + " " + e.reason().orElseThrow()).as(behaviour).containsOnly(
                        // Monday 00:00: base IdleCount 2; three machines idle for two hours go at once
                        monday00 + " IDLE_TIME_EXCEEDED",
                        // Monday 18:00: base again; the 48 machines idle since 09:01 go at once
                        monday18 + " IDLE_TIME_EXCEEDED")
                .hasSize(3 + 48);
        assertThat(r.samples().getLast().idle()).isEqualTo(2);
    }

    @Test
    void spotInterruptionQueuesTheJobAgainAndTheSchedulerReplacesTheMachine() {
        var config = new ScalerConfig(5, List.of(Pools.pool().limit(2).idle(0, 60).build()));
        Interruptions firstMachineOnly = (pool, id, market) ->
                id.equals("docker-1") ? Optional.of(Duration.ofSeconds(120)) : Optional.empty();
        SimResult r = Simulation.builder(config).interruptions(firstMachineOnly).build()
                .run(List.of(job("j1", 0, 300)), START, START.plusSeconds(3600));
        assertThat(r.timeline()).extracting(e -> e.format(START)).containsSubsequence(
                "+00:01:00 docker JOB_STARTED j1 docker-1",
                "+00:02:00 docker MACHINE_INTERRUPTED docker-1",
                "+00:02:00 docker JOB_REQUEUED j1 docker-1",
                "+00:02:00 docker LAUNCH_REQUESTED docker-2 JOBS_WAITING spot",
                "+00:03:00 docker JOB_STARTED j1 docker-2",
                "+00:08:00 docker JOB_FINISHED j1 docker-2");
        assertThat(r.jobs().getFirst().attempts()).isEqualTo(2);
        assertThat(r.usage().get("docker").interrupted()).isEqualTo(1);
    }

    @Test
    void machineThatNeverBootsIsTerminatedAtBootTimeoutAndReplaced() {
        var config = new ScalerConfig(5, List.of(Pools.pool().limit(1).idle(0, 60)
                .bootTimeout(Duration.ofMinutes(5)).build()));
        BootTimes firstHangs = (pool, id) -> id.equals("docker-1") ? Duration.ofHours(2) : Duration.ofSeconds(60);
        SimResult r = Simulation.builder(config).bootTimes(firstHangs).reaperInterval(Duration.ZERO).build()
                .run(List.of(job("j1", 0, 60)), START, START.plusSeconds(3600));
        assertThat(r.timeline()).extracting(e -> e.format(START)).containsSubsequence(
                "+00:00:00 docker LAUNCH_REQUESTED docker-1 JOBS_WAITING spot",
                "+00:05:00 docker MACHINE_TERMINATED docker-1 BOOT_TIMEOUT",
                "+00:05:00 docker LAUNCH_REQUESTED docker-2 JOBS_WAITING spot",
                "+00:06:00 docker JOB_STARTED j1 docker-2");
        assertThat(r.events(SimEvent.Kind.MACHINE_READY)).extracting(SimEvent::subject).containsExactly("docker-2");
    }

    @Test
    void concurrentCapsRunningJobsAcrossPools() {
        var a = Pools.pool().limit(5).idle(0, 60).build();
        var b = new io.runnerscaler.core.config.PoolConfig("other", Forge.GITLAB, Set.of("other"), false,
                a.instanceTypes(), a.subnets(), a.launchTemplate(), a.ami(), a.market(), 5, a.idle(), 0, 0,
                List.of(), a.timezone(), a.tokenParameter(), a.bootTimeout());
        var config = new ScalerConfig(3, List.of(a, b));
        List<SimJob> jobs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            jobs.add(job("d" + i, 0, 600, "docker"));
            jobs.add(job("o" + i, 0, 600, "other"));
        }
        SimResult r = Simulation.builder(config).build().run(jobs, START, START.plusSeconds(7200));
        int[] running = {0};
        int max = 0;
        for (SimEvent e : r.timeline()) {
            if (e.kind() == SimEvent.Kind.JOB_STARTED) {
                running[0]++;
            } else if (e.kind() == SimEvent.Kind.JOB_FINISHED) {
                running[0]--;
            }
            max = Math.max(max, running[0]);
        }
        assertThat(max).isEqualTo(3);
        assertThat(r.jobs()).allSatisfy(j -> assertThat(j.finished()).isPresent());
    }

    @Test
    void sameInputGivesTheSameRun() {
        var config = new ScalerConfig(6, List.of(Pools.pool().limit(6).idle(2, 300).maxGrowthRate(2).build()));
        List<SimJob> jobs = List.of(job("a", 0, 100), job("b", 30, 900), job("c", 30, 50), job("d", 400, 10));
        Simulation sim = Simulation.builder(config).prewarmed(true).build();
        assertThat(sim.run(jobs, START, START.plusSeconds(7200)))
                .isEqualTo(sim.run(jobs, START, START.plusSeconds(7200)));
    }

    @Test
    void usageCountsMachineTimeByMarket() {
        var config = new ScalerConfig(5, List.of(Pools.pool().limit(1).idle(0, 60).build()));
        SimResult r = Simulation.builder(config).build().run(List.of(job("j", 0, 540)), START, START.plusSeconds(3600));
        // launched at 0, ready at 60, job until 600, idle 60 s more, terminated at 660
        assertThat(r.usage().get("docker").machineSeconds()).containsEntry(Market.SPOT, 660L);
        assertThat(r.usage().get("docker").machineHours()).isEqualTo(660 / 3600.0);
    }

    /**
     * The stopped pool on the virtual clock: the first reaper pass refills, the refill boots (45 s) and is stopped at
     * the next pass; a job then waits only the start (15 s), the pool refills behind it, and stopped time is counted
     * apart from running time.
     */
    @Test
    void aStoppedPoolStartsAMachineForAJobInTheStartTimeAndRefillsBehindIt() {
        var config = new ScalerConfig(5, List.of(Pools.pool().limit(3).idle(0, 60).stopped(1).build()));
        SimResult r = Simulation.builder(config).bootTimes(BootTimes.fixed(Duration.ofSeconds(45)))
                .startTime(Duration.ofSeconds(15)).build()
                .run(List.of(job("j", 600, 300)), START, START.plusSeconds(3600));

        assertThat(r.jobs()).singleElement().satisfies(o -> assertThat(o.waited()).contains(Duration.ofSeconds(15)));
        assertThat(r.paths()).containsEntry("j", SimResult.STOPPED);
        PoolUsage usage = r.usage().get("docker");
        assertThat(usage.started()).isEqualTo(1);
        assertThat(usage.launched()).as("the first refill and the one behind the start").isEqualTo(2);
        // The first refill ran from 0 to its stop at the 60 s pass, waited stopped until 600, ran its job.
        assertThat(usage.stoppedSeconds()).isGreaterThanOrEqualTo(540);
        assertThat(r.samples()).allSatisfy(sample -> assertThat(sample.machines()).isLessThanOrEqualTo(3));
        assertThat(r.timelineText()).contains("STARTED_FROM_POOL").contains("POOL_REFILL");
    }

    @Test
    void withoutAStoppedPoolAJobWaitsTheColdBootAndOnAnIdleMachineNothing() {
        var config = new ScalerConfig(5, List.of(Pools.pool().limit(3).idle(1, 60).build()));
        SimResult r = Simulation.builder(config).bootTimes(BootTimes.fixed(Duration.ofSeconds(45))).prewarmed(true)
                .build().run(List.of(job("a", 600, 300), job("b", 610, 300)), START, START.plusSeconds(3600));

        assertThat(r.paths()).containsEntry("a", SimResult.IDLE).containsEntry("b", SimResult.COLD);
        assertThat(r.usage().get("docker").stoppedSeconds()).isZero();
    }
}
