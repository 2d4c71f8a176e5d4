package io.runnerscaler.cli.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code runner-scaler machines} says why each ended machine ended and whether it ever ran a job. */
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
}
