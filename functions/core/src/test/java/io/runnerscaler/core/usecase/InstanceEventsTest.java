package io.runnerscaler.core.usecase;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.planner.Action;
import io.runnerscaler.core.planner.Plan;
import io.runnerscaler.core.planner.Reason;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** EC2's news about a machine, through the planner and the executor over the in-memory adapters. */
class InstanceEventsTest {

    private final World world = new World();
    private final InstanceEvents events = world.instanceEvents();

    private String launched() {
        world.executor().execute(world.pool(), new Plan("docker", List.of(new Action.Launch(1, Market.SPOT,
                Reason.BELOW_IDLE_COUNT))), world.clock.instant(), Optional.empty());
        return world.machines.alive("docker").getFirst().instanceId();
    }

    @Test
    void aRunningInstanceIsUp() {
        String id = launched();
        events.stateChanged(id, "running");
        assertThat(world.machines.find(id).orElseThrow().state()).isEqualTo(MachineState.IDLE);
    }

    @Test
    void aStoppedInstanceIsTerminatedAndRecordedWithItsReason() {
        String id = launched();
        events.stateChanged(id, "running");
        world.clock.advance(Duration.ofHours(1));

        events.stateChanged(id, "stopped");

        assertThat(world.fleet.instance(id).state()).isEqualTo("terminated");
        assertThat(world.machines.find(id).orElseThrow().ending()).contains(new Machine.Ending("STOPPED", false));
        assertThat(world.machines.bootFailures("docker")).as("it lived past its boot").isEmpty();
        assertThat(world.machines.reserved("docker")).isZero();
    }

    @Test
    void aMachineThatEndsRightAfterLaunchIsABootFailure() {
        String id = launched();
        world.clock.advance(Duration.ofSeconds(20));

        events.stateChanged(id, "terminated");
        events.stateChanged(id, "terminated");

        assertThat(world.machines.find(id).orElseThrow().ending()).contains(new Machine.Ending("INSTANCE_ENDED", false));
        assertThat(world.machines.bootFailures("docker")).as("counted once").hasSize(1);
        assertThat(world.metricLines).contains("BootFailures {Pool=docker} 1");
    }

    @Test
    void aSpotInterruptionWarningDrainsTheMachineAndNotesItsJob() {
        String id = launched();
        world.ledger.record(World.job("7", JobStatus.RUNNING), Optional.of("docker"), world.clock.instant());
        Machine m = world.machines.find(id).orElseThrow();
        world.machines.put(m.withState(MachineState.BUSY, world.clock.instant(), Optional.of("gitlab:7")));

        events.interrupted(id, InstanceEvents.SPOT_INTERRUPTION);

        assertThat(world.machines.find(id).orElseThrow().state()).isEqualTo(MachineState.DRAINING);
        assertThat(world.ledger.wasInterrupted("gitlab:7")).isTrue();
        assertThat(world.logged("machine.draining")).singleElement().asString().contains("SPOT_INTERRUPTION");
        assertThat(world.metricLines).contains("SpotInterruptions {Pool=docker} 1");
    }

    @Test
    void aRebalanceRecommendationDrainsAnIdleMachineWhichTheNextPassTerminates() {
        String id = launched();
        events.stateChanged(id, "running");

        events.interrupted(id, "REBALANCE_RECOMMENDATION");
        world.reaper().run();

        assertThat(world.logged("machine.draining")).singleElement().asString().contains("REBALANCE");
        assertThat(world.machines.find(id).orElseThrow().ending()).contains(new Machine.Ending("DRAINED", false));
        assertThat(world.machines.bootFailures("docker")).isEmpty();
    }

    @Test
    void newsOfAnUnknownInstanceChangesNothing() {
        events.stateChanged("i-0unknown", "terminated");
        events.interrupted("i-0unknown", InstanceEvents.SPOT_INTERRUPTION);
        assertThat(world.lines).isEmpty();
    }
}
