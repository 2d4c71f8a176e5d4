package io.runnerscaler.core.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.planner.Pools;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Issue scenario 4: a machine retired by MaxBuilds is replaced while jobs still wait. */
class RetirementScenarioTest {

    private static final Instant START = Instant.parse("2026-03-02T10:00:00Z");

    @Test
    void retiredMachineIsTerminatedAndReplacedWhileJobsWait() {
        var config = new ScalerConfig(10, List.of(Pools.pool().limit(1).idle(0, 300).maxBuilds(1).build()));
        List<SimJob> jobs = List.of(
                new SimJob("job-1", Forge.GITLAB, Set.of("docker"), START, Duration.ofSeconds(300)),
                new SimJob("job-2", Forge.GITLAB, Set.of("docker"), START, Duration.ofSeconds(300)));
        SimResult r = Simulation.builder(config).bootTimes(BootTimes.fixed(Duration.ofSeconds(60))).build()
                .run(jobs, START, START.plus(Duration.ofHours(1)));
        assertThat(r.timelineText()).isEqualTo("""
                +00:00:00 docker JOB_QUEUED job-1
                +00:00:00 docker JOB_QUEUED job-2
                +00:00:00 docker LAUNCH_REQUESTED docker-1 JOBS_WAITING spot
                +00:00:00 docker HOLD docker LIMIT_REACHED 1 more machine(s) wanted; 0 of limit 1 in the pool
                +00:01:00 docker MACHINE_READY docker-1
                +00:01:00 docker JOB_STARTED job-1 docker-1
                +00:06:00 docker JOB_FINISHED job-1 docker-1
                +00:06:00 docker MACHINE_TERMINATED docker-1 MAX_BUILDS_REACHED
                +00:06:00 docker LAUNCH_REQUESTED docker-2 JOBS_WAITING spot
                +00:07:00 docker MACHINE_READY docker-2
                +00:07:00 docker JOB_STARTED job-2 docker-2
                +00:12:00 docker JOB_FINISHED job-2 docker-2
                +00:12:00 docker MACHINE_TERMINATED docker-2 MAX_BUILDS_REACHED""");
    }

    @Test
    void machineRunsMaxBuildsJobsBeforeRetiring() {
        var config = new ScalerConfig(10, List.of(Pools.pool().limit(1).idle(0, 300).maxBuilds(2).build()));
        List<SimJob> jobs = List.of(
                new SimJob("a", Forge.GITLAB, Set.of(), START, Duration.ofSeconds(100)),
                new SimJob("b", Forge.GITLAB, Set.of(), START, Duration.ofSeconds(100)),
                new SimJob("c", Forge.GITLAB, Set.of(), START, Duration.ofSeconds(100)));
        SimResult r = Simulation.builder(config).build().run(jobs, START, START.plus(Duration.ofHours(1)));
        assertThat(r.jobs()).extracting(j -> j.instanceId().orElseThrow())
                .containsExactly("docker-1", "docker-1", "docker-2");
        assertThat(r.events(SimEvent.Kind.MACHINE_TERMINATED))
                .extracting(e -> e.subject() + " " + e.reason().orElseThrow())
                .containsExactly("docker-1 MAX_BUILDS_REACHED", "docker-2 IDLE_TIME_EXCEEDED");
        assertThat(r.usage().get("docker").launched()).isEqualTo(2);
    }
}
