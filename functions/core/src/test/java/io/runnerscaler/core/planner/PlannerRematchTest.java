package io.runnerscaler.core.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.config.ConfigLoader;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.port.JobLedger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Queued jobs no pool took, matched again against a new config's pools: which get a pool, which are left alone. */
class PlannerRematchTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private static final List<PoolConfig> POOLS = new ConfigLoader().parse("""
            pools:
              - name: docker
                labels: [docker]
                instanceTypes: [m7i.large]
                launchTemplate: lt
                tokenParameter: /runner-scaler/docker/token
                limit: 2
              - name: gpu
                labels: [docker, gpu]
                instanceTypes: [g5.xlarge]
                launchTemplate: lt
                tokenParameter: /runner-scaler/gpu/token
                limit: 2
            """).pools();

    private final Planner planner = new Planner();

    @Test
    void aQueuedJobThatANewPoolTakesGetsThatPoolWithReasonConfigChanged() {
        List<Rematch> rematched = planner.rematch(POOLS, List.of(job("1", Set.of("gpu"), JobStatus.QUEUED,
                Duration.ofMinutes(5))), NOW);

        assertThat(rematched).containsExactly(new Rematch("gitlab:1", "gpu", Reason.CONFIG_CHANGED));
    }

    @Test
    void jobsStillUnmatchedOrNoLongerQueuedOrOlderThanTheForgesWaitAreLeftAlone() {
        List<Rematch> rematched = planner.rematch(POOLS, List.of(
                job("1", Set.of("arm64"), JobStatus.QUEUED, Duration.ofMinutes(5)),
                job("2", Set.of("gpu"), JobStatus.RUNNING, Duration.ofMinutes(5)),
                job("3", Set.of("gpu"), JobStatus.QUEUED, Planner.REMATCH_WINDOW.plusMinutes(1)),
                job("4", Set.of("docker"), JobStatus.QUEUED, Planner.REMATCH_WINDOW.minusMinutes(1))), NOW);

        assertThat(rematched).containsExactly(new Rematch("gitlab:4", "docker", Reason.CONFIG_CHANGED));
    }

    private static JobLedger.Job job(String id, Set<String> labels, JobStatus status, Duration ago) {
        return new JobLedger.Job("gitlab:" + id, "gitlab", "group/app", id, labels, status, Optional.empty(),
                NOW.minus(ago), NOW.minus(ago), false);
    }
}
