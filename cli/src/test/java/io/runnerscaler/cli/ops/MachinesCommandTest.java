package io.runnerscaler.cli.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code runner-scaler machines} says why each ended machine ended and whether it ever ran a job, and each machine's
 * way up in seconds after it was asked for.
 */
class MachinesCommandTest {

    private static final Instant T0 = Instant.parse("2026-11-23T09:00:00Z");

    @Test
    void anEndedMachineShowsItsReasonAndWhetherItRanAJob() {
        Machine launching = new Machine("i-1", "docker", MachineState.LAUNCHING, Market.SPOT, "m7i.large", 0, T0, T0,
                Optional.empty());
        Machine worked = new Machine("i-2", "docker", MachineState.IDLE, Market.SPOT, "m7i.large", 2, T0, T0,
                Optional.empty());

        assertThat(OpsCommands.ended(launching.ended(T0.plusSeconds(30), "INSTANCE_ENDED")))
                .isEqualTo("INSTANCE_ENDED, no job");
        assertThat(OpsCommands.ended(worked.ended(T0.plusSeconds(900), "IDLE_TIME_EXCEEDED")))
                .isEqualTo("IDLE_TIME_EXCEEDED, ran jobs");
        assertThat(OpsCommands.ended(worked)).as("a live machine has not ended").isEmpty();
    }

    @Test
    void eachStepIsShownInSecondsAfterTheRequestAndWhatIsStillAwaitedIsSaid() {
        Machine launching = new Machine("i-1", "docker", MachineState.LAUNCHING, Market.SPOT, "m7i.large", 0, T0, T0,
                Optional.of("gitlab:7"));
        Machine up = launching.running(T0.plusMillis(17_400));
        Machine busy = up.registered(T0.plusSeconds(31)).startedJob("gitlab:7", T0.plusMillis(33_200),
                T0.plusSeconds(34));

        assertThat(OpsCommands.steps(launching)).isEqualTo("cold: requested (booting)");
        assertThat(OpsCommands.steps(up)).isEqualTo("cold: requested → running 17 s (waiting for its first job)");
        assertThat(OpsCommands.steps(busy))
                .isEqualTo("cold: requested → running 17 s → registered 31 s → first job 33 s");
        assertThat(OpsCommands.steps(launching.running(T0.plusMillis(4_250))))
                .startsWith("cold: requested → running 4.3 s");
        assertThat(OpsCommands.steps(busy.ended(T0.plusSeconds(900), "IDLE_TIME_EXCEEDED")))
                .as("an ended machine keeps its steps").endsWith("first job 33 s");
    }
}
