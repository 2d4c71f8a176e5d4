package io.runnerscaler.core.usecase;

import static io.runnerscaler.core.usecase.World.job;
import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.port.JobRetry;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Job events over the in-memory adapters: a queued job gets a machine, running and finished move it. */
class JobEventsTest {

    private final World world = new World();

    @Test
    void aQueuedJobGetsAMachineTaggedWithIt() {
        world.jobEvents().handle(job("7", JobStatus.QUEUED));

        assertThat(world.machines.alive("docker")).singleElement().satisfies(m -> {
            assertThat(m.state()).isEqualTo(MachineState.LAUNCHING);
            assertThat(m.jobId()).contains("gitlab:7");
            assertThat(m.market()).isEqualTo(Market.SPOT);
        });
        assertThat(world.ledger.find("gitlab:7").orElseThrow().pool()).contains("docker");
    }

    @Test
    void aRedeliveredQueuedEventLaunchesNothingMoreForAJobAlreadyServed() {
        world.jobEvents().handle(job("7", JobStatus.QUEUED));
        world.jobEvents().handle(job("7", JobStatus.QUEUED));

        assertThat(world.machines.alive("docker")).hasSize(1);
    }

    @Test
    void runningMarksTheMachineBusyAndFinishedIdleWithABuildMore() {
        world.jobEvents().handle(job("7", JobStatus.QUEUED));
        String id = world.machines.alive("docker").getFirst().instanceId();

        world.jobEvents().handle(job("7", JobStatus.RUNNING));
        assertThat(world.machines.find(id).orElseThrow().state()).isEqualTo(MachineState.BUSY);

        world.jobEvents().handle(job("7", JobStatus.SUCCEEDED));
        assertThat(world.machines.find(id).orElseThrow()).satisfies(m -> {
            assertThat(m.state()).isEqualTo(MachineState.IDLE);
            assertThat(m.buildsDone()).isEqualTo(1);
            assertThat(m.tookJob()).isTrue();
        });
    }

    @Test
    void aJobThatASpotInterruptionFailedIsRetriedAndItsNextMachineBoughtOnDemand() {
        world.retry = (forge, project, jobId) -> new JobRetry.Outcome.Retried(Optional.of("8"));
        world.jobEvents().handle(job("7", JobStatus.QUEUED));
        world.jobEvents().handle(job("7", JobStatus.RUNNING));
        String spot = world.machines.alive("docker").getFirst().instanceId();
        world.instanceEvents().interrupted(spot, InstanceEvents.SPOT_INTERRUPTION);
        world.instanceEvents().stateChanged(spot, "terminated");

        world.jobEvents().handle(job("7", JobStatus.FAILED));
        world.jobEvents().handle(job("8", JobStatus.QUEUED));

        assertThat(world.machines.alive("docker")).filteredOn(m -> m.jobId().filter("gitlab:8"::equals).isPresent())
                .singleElement().extracting(Machine::market).isEqualTo(Market.ON_DEMAND);
        assertThat(world.logged("machine.launched")).filteredOn(l -> l.contains("RETRY_ON_DEMAND")).hasSize(1);
        assertThat(world.machines.onDemandGrants("docker")).isZero();
    }

    @Test
    void aPoolBackingOffLaunchesNothingForAQueuedJobAndSaysWhy() {
        world.machines.recordBootFailure("docker", World.T0.minusSeconds(60));
        world.machines.recordBootFailure("docker", World.T0.minusSeconds(40));
        world.machines.recordBootFailure("docker", World.T0.minusSeconds(20));

        world.jobEvents().handle(job("7", JobStatus.QUEUED));

        assertThat(world.machines.alive("docker")).isEmpty();
        assertThat(world.logged("plan.hold")).singleElement().asString().contains("BOOT_FAILURES");
        world.clock.advance(Duration.ofMinutes(1));
        world.reaper().run();
        assertThat(world.machines.alive("docker")).as("after the backoff the job's machine launches").hasSize(1);
    }

    @Test
    void aJobNoPoolTakesIsRecordedUnmatched() {
        var tagged = new io.runnerscaler.core.model.JobEvent(io.runnerscaler.core.model.Forge.GITLAB, "9", "g/a",
                JobStatus.QUEUED, java.util.Set.of("gpu"), Optional.empty(), "d-9", World.T0, Optional.empty(),
                Optional.empty());
        world.jobEvents().handle(tagged);

        assertThat(world.machines.alive("docker")).isEmpty();
        assertThat(world.logged("job.unmatched")).hasSize(1);
    }
}
