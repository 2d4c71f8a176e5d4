package io.runnerscaler.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.planner.Pools;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue scenario 1, the docker+machine classic: IdleCount 2, IdleTime 300 s, MaxGrowthRate 1, limit 6,
 * concurrent 6; ten jobs of 600 s arrive together; machines boot in 60 s.
 */
class ScenarioOneTimelineTest {

    private static final Instant START = Instant.parse("2026-03-02T10:00:00Z");

    private static SimResult run() {
        var config = new ScalerConfig(6, List.of(Pools.pool().limit(6).idle(2, 300).maxGrowthRate(1).build()));
        List<SimJob> jobs = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            jobs.add(new SimJob("job-" + i, Forge.GITLAB, Set.of(), START, Duration.ofSeconds(600)));
        }
        return Simulation.builder(config).prewarmed(true).bootTimes(BootTimes.fixed(Duration.ofSeconds(60)))
                .build().run(jobs, START, START.plus(Duration.ofHours(1)));
    }

    @Test
    void tenJobsOnTwoIdleMachinesGrowOneAtATimeToSixAndShrinkBackToTwo() {
        assertThat(run().timelineText()).isEqualTo("""
                +00:00:00 docker MACHINE_READY docker-1 prewarmed
                +00:00:00 docker MACHINE_READY docker-2 prewarmed
                +00:00:00 docker JOB_QUEUED job-1
                +00:00:00 docker JOB_QUEUED job-2
                +00:00:00 docker JOB_QUEUED job-3
                +00:00:00 docker JOB_QUEUED job-4
                +00:00:00 docker JOB_QUEUED job-5
                +00:00:00 docker JOB_QUEUED job-6
                +00:00:00 docker JOB_QUEUED job-7
                +00:00:00 docker JOB_QUEUED job-8
                +00:00:00 docker JOB_QUEUED job-9
                +00:00:00 docker JOB_QUEUED job-10
                +00:00:00 docker JOB_STARTED job-1 docker-1
                +00:00:00 docker JOB_STARTED job-2 docker-2
                +00:00:00 docker LAUNCH_REQUESTED docker-3 JOBS_WAITING spot
                +00:00:00 docker HOLD docker GROWTH_RATE 5 more machine(s) wanted; 0 launching, maxGrowthRate 1
                +00:00:00 docker HOLD docker CONCURRENT_REACHED 4 queued job(s) wait for concurrent 6 (2 running)
                +00:01:00 docker MACHINE_READY docker-3
                +00:01:00 docker JOB_STARTED job-3 docker-3
                +00:01:00 docker LAUNCH_REQUESTED docker-4 JOBS_WAITING spot
                +00:02:00 docker MACHINE_READY docker-4
                +00:02:00 docker JOB_STARTED job-4 docker-4
                +00:02:00 docker LAUNCH_REQUESTED docker-5 JOBS_WAITING spot
                +00:03:00 docker MACHINE_READY docker-5
                +00:03:00 docker JOB_STARTED job-5 docker-5
                +00:03:00 docker LAUNCH_REQUESTED docker-6 JOBS_WAITING spot
                +00:03:00 docker HOLD docker LIMIT_REACHED 2 more machine(s) wanted; 5 of limit 6 in the pool
                +00:03:00 docker HOLD docker CONCURRENT_REACHED 4 queued job(s) wait for concurrent 6 (5 running)
                +00:04:00 docker MACHINE_READY docker-6
                +00:04:00 docker JOB_STARTED job-6 docker-6
                +00:10:00 docker JOB_FINISHED job-1 docker-1
                +00:10:00 docker JOB_FINISHED job-2 docker-2
                +00:10:00 docker JOB_STARTED job-7 docker-1
                +00:10:00 docker JOB_STARTED job-8 docker-2
                +00:11:00 docker JOB_FINISHED job-3 docker-3
                +00:11:00 docker JOB_STARTED job-9 docker-3
                +00:12:00 docker JOB_FINISHED job-4 docker-4
                +00:12:00 docker JOB_STARTED job-10 docker-4
                +00:12:00 docker HOLD docker LIMIT_REACHED 2 more machine(s) wanted; 6 of limit 6 in the pool
                +00:13:00 docker JOB_FINISHED job-5 docker-5
                +00:14:00 docker JOB_FINISHED job-6 docker-6
                +00:20:00 docker JOB_FINISHED job-7 docker-1
                +00:20:00 docker JOB_FINISHED job-8 docker-2
                +00:20:00 docker MACHINE_TERMINATED docker-5 IDLE_TIME_EXCEEDED
                +00:20:00 docker MACHINE_TERMINATED docker-6 IDLE_TIME_EXCEEDED
                +00:21:00 docker JOB_FINISHED job-9 docker-3
                +00:22:00 docker JOB_FINISHED job-10 docker-4
                +00:26:00 docker MACHINE_TERMINATED docker-3 IDLE_TIME_EXCEEDED
                +00:27:00 docker MACHINE_TERMINATED docker-4 IDLE_TIME_EXCEEDED""");
    }

    @Test
    void endsWithTheTwoOldestMachinesIdleAndEveryJobDone() {
        SimResult r = run();
        Sample last = r.samples().getLast();
        assertThat(last.idle()).isEqualTo(2);
        assertThat(last.machines()).isEqualTo(2);
        assertThat(r.jobs()).allSatisfy(j -> assertThat(j.finished()).isPresent());
        assertThat(r.jobs().stream().map(j -> j.waited().orElseThrow().toSeconds()))
                .containsExactly(0L, 0L, 60L, 120L, 180L, 240L, 600L, 600L, 660L, 720L);
        assertThat(r.usage().get("docker").launched()).isEqualTo(6);
    }

    @Test
    void runUntilQuietStopsWhenTheLastExtraMachineIsGone() {
        var config = new ScalerConfig(6, List.of(Pools.pool().limit(6).idle(2, 300).maxGrowthRate(1).build()));
        List<SimJob> jobs = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            jobs.add(new SimJob("job-" + i, Forge.GITLAB, Set.of(), START, Duration.ofSeconds(600)));
        }
        SimResult r = Simulation.builder(config).prewarmed(true).build()
                .runUntilQuiet(jobs, START, START.plus(Duration.ofDays(1)));
        assertThat(r.end()).isEqualTo(START.plusSeconds(27 * 60));
        assertThat(r.timeline().getLast().format(START)).isEqualTo(
                "+00:27:00 docker MACHINE_TERMINATED docker-4 IDLE_TIME_EXCEEDED");
    }

    @Test
    void neverMoreThanSixMachinesNorMoreThanOneLaunching() {
        assertThat(run().samples()).allSatisfy(s -> {
            assertThat(s.machines()).isLessThanOrEqualTo(6);
            assertThat(s.launching()).isLessThanOrEqualTo(1);
        });
    }
}
