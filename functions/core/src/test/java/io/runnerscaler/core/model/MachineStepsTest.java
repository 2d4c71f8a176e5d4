package io.runnerscaler.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A machine's boot steps are each kept once, and say which way a job came to run on it. */
class MachineStepsTest {

    private static final Instant T0 = Instant.parse("2026-11-23T09:00:00Z");

    private static Machine launched() {
        return new Machine("i-0aaa", "docker", MachineState.LAUNCHING, Market.SPOT, "m7i.large", 0, T0, T0,
                Optional.of("gitlab:7"));
    }

    @Test
    void aLaunchedMachineIsColdAndRequestedWhenItWasLaunched() {
        assertThat(launched().steps()).isEqualTo(Machine.Steps.requested(BootPath.COLD, T0));
    }

    @Test
    void runningMakesALaunchingMachineIdleAndASecondRunningEventMovesNothing() {
        Machine up = launched().running(T0.plusSeconds(17));
        Machine again = up.running(T0.plusSeconds(90));

        assertThat(up.state()).isEqualTo(MachineState.IDLE);
        assertThat(up.stateSince()).isEqualTo(T0.plusSeconds(17));
        assertThat(up.jobId()).contains("gitlab:7");
        assertThat(again.steps().running()).contains(T0.plusSeconds(17));
        assertThat(again.stateSince()).isEqualTo(T0.plusSeconds(17));
    }

    @Test
    void aBusyMachineStaysBusyWhenARunningEventComesLate() {
        Machine busy = launched().startedJob("gitlab:7", T0.plusSeconds(30), T0.plusSeconds(31));

        Machine late = busy.running(T0.plusSeconds(20));

        assertThat(late.state()).isEqualTo(MachineState.BUSY);
        assertThat(late.steps().running()).contains(T0.plusSeconds(20));
        assertThat(late.steps().firstJob()).contains(T0.plusSeconds(30));
    }

    @Test
    void onlyTheFirstJobsStartIsKept() {
        Machine m = launched().running(T0.plusSeconds(17)).startedJob("gitlab:7", T0.plusSeconds(33), T0.plusSeconds(34))
                .withBuildFinished(T0.plusSeconds(100)).startedJob("gitlab:8", T0.plusSeconds(120), T0.plusSeconds(120));

        assertThat(m.steps().firstJob()).contains(T0.plusSeconds(33));
        assertThat(m.jobId()).contains("gitlab:8");
    }

    @Test
    void aJobQueuedBeforeTheMachineWasReadyWaitedForItsBootAndOneQueuedAfterCameTheIdleWay() {
        Machine up = launched().running(T0.plusSeconds(17));

        assertThat(launched().pathFor(T0.plusSeconds(5))).isEqualTo(BootPath.COLD);
        assertThat(up.pathFor(T0.plusSeconds(5))).isEqualTo(BootPath.COLD);
        assertThat(up.pathFor(T0.plusSeconds(17))).isEqualTo(BootPath.IDLE);
        assertThat(up.registered(T0.plusSeconds(31)).pathFor(T0.plusSeconds(20)))
                .as("up in EC2 but its runner not yet registered").isEqualTo(BootPath.COLD);
    }

    @Test
    void aMachineThatRanAJobAlreadyTakesTheNextOneTheIdleWay() {
        Machine done = launched().running(T0.plusSeconds(17)).startedJob("gitlab:7", T0.plusSeconds(33),
                T0.plusSeconds(33)).withBuildFinished(T0.plusSeconds(100));

        assertThat(done.pathFor(T0)).isEqualTo(BootPath.IDLE);
    }

    @Test
    void aStartedStoppedMachineWaitedForItsStart() {
        Machine started = new Machine("i-0bbb", "docker", MachineState.LAUNCHING, Market.ON_DEMAND, "m7i.large", 0,
                T0, T0.plusSeconds(3600), Optional.empty(), Optional.empty(),
                Machine.Steps.requested(BootPath.STOPPED, T0.plusSeconds(3600)));

        assertThat(started.running(T0.plusSeconds(3610)).pathFor(T0.plusSeconds(3599))).isEqualTo(BootPath.STOPPED);
    }

    @Test
    void noMachineComesUpTheIdleWay() {
        assertThatThrownBy(() -> Machine.Steps.requested(BootPath.IDLE, T0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cold or stopped");
    }
}
