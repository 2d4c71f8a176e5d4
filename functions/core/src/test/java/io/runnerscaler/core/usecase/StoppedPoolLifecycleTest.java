package io.runnerscaler.core.usecase;

import static io.runnerscaler.core.usecase.World.job;
import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.port.Fleet;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A stopped pool's machine through its life, over the in-memory adapters as App wires them: the reaper refills,
 * the refill boots to ready and is stopped, EC2's stopping and stopped are expected, a job starts it (one start,
 * no launch), and a stopped machine the scaler did not stop is still discarded.
 */
class StoppedPoolLifecycleTest {

    private final World world = new World(World.POOL.replace("limit: 3", "limit: 3\n    stoppedCount: 1"));
    private final InstanceEvents events = world.instanceEvents();

    private String refilled() {
        world.reaper().run();
        return world.machines.alive("docker").getFirst().instanceId();
    }

    private String stoppedMachine() {
        String id = refilled();
        events.stateChanged(id, "running");
        world.fleet.markReady(id);
        world.clock.advance(Duration.ofMinutes(1));
        world.reaper().run();
        events.stateChanged(id, "stopping");
        events.stateChanged(id, "stopped");
        return id;
    }

    @Test
    void theReaperRefillsWithAMachineThatWarmsAndRegistersNothing() {
        String id = refilled();

        assertThat(world.machines.find(id).orElseThrow().state()).isEqualTo(MachineState.WARMING);
        assertThat(world.fleet.instance(id).tags()).containsEntry(Fleet.REFILL_TAG, "true");
        assertThat(world.metricLines).contains("MachinesLaunched {Forge=gitlab, Pool=docker, Reason=POOL_REFILL} 1");
        events.stateChanged(id, "running");
        assertThat(world.machines.find(id).orElseThrow().state()).as("running is not idle for a refill")
                .isEqualTo(MachineState.WARMING);
    }

    @Test
    void aReadyRefillIsStoppedAndEc2sStoppedIsExpectedNotAnEnd() {
        String id = stoppedMachine();

        assertThat(world.fleet.stopCalls()).isEqualTo(1);
        assertThat(world.fleet.instance(id).state()).isEqualTo("stopped");
        Machine m = world.machines.find(id).orElseThrow();
        assertThat(m.state()).isEqualTo(MachineState.STOPPED);
        assertThat(world.machines.reserved("docker")).as("a stopped machine keeps its place").isEqualTo(1);
        assertThat(world.logged("machine.stopped")).hasSize(1);
        world.clock.advance(Duration.ofMinutes(5));
        world.reaper().run();
        assertThat(world.fleet.launchCalls()).as("the pool is full").isEqualTo(1);
        assertThat(world.machines.find(id).orElseThrow().state()).isEqualTo(MachineState.STOPPED);
    }

    @Test
    void aQueuedJobStartsTheStoppedMachineWithOneStartAndNoLaunch() {
        String id = stoppedMachine();
        int launchesBefore = world.fleet.launchCalls();

        world.jobEvents().handle(job("7", JobStatus.QUEUED));

        assertThat(world.fleet.startCalls()).isEqualTo(1);
        assertThat(world.fleet.launchCalls()).isEqualTo(launchesBefore);
        Machine started = world.machines.find(id).orElseThrow();
        assertThat(started.state()).isEqualTo(MachineState.LAUNCHING);
        assertThat(started.stateSince()).isEqualTo(world.clock.instant());
        assertThat(started.jobId()).contains("gitlab:7");
        assertThat(world.metricLines).contains("MachinesStarted {Pool=docker, Reason=STARTED_FROM_POOL} 1");
        events.stateChanged(id, "pending");
        events.stateChanged(id, "running");
        assertThat(world.machines.find(id).orElseThrow().state()).isEqualTo(MachineState.IDLE);
    }

    @Test
    void aStartRefusedForCapacityLaunchesColdForTheJobInstead() {
        String id = stoppedMachine();
        world.fleet.starts(i -> Optional.of(new Fleet.LaunchFailure(Fleet.LaunchFailure.Kind.CAPACITY,
                "InsufficientInstanceCapacity", "We currently do not have sufficient capacity")));
        int launchesBefore = world.fleet.launchCalls();

        world.jobEvents().handle(job("7", JobStatus.QUEUED));

        assertThat(world.fleet.launchCalls()).isEqualTo(launchesBefore + 1);
        assertThat(world.machines.find(id).orElseThrow().state()).as("stays in the pool").isEqualTo(MachineState.STOPPED);
        assertThat(world.machines.alive("docker")).filteredOn(m -> m.state() == MachineState.LAUNCHING)
                .singleElement().satisfies(m -> assertThat(m.jobId()).contains("gitlab:7"));
        assertThat(world.metricLines).contains("StartFailures {Pool=docker, Reason=CAPACITY} 1",
                "MachinesLaunched {Forge=gitlab, Pool=docker, Reason=START_FAILED} 1");
    }

    @Test
    void aMachineThatStopsWithoutTheScalerAskingIsStillDiscarded() {
        String id = refilled();
        world.clock.advance(Duration.ofSeconds(30));

        events.stateChanged(id, "stopped");

        assertThat(world.fleet.instance(id).state()).isEqualTo("terminated");
        assertThat(world.machines.find(id).orElseThrow().ending()).contains(new Machine.Ending("STOPPED", false));
    }

    @Test
    void aStoppedMachinePastStoppedMaxAgeIsReplaced() {
        String id = stoppedMachine();
        world.clock.advance(Duration.ofDays(7));

        world.reaper().run();

        assertThat(world.fleet.instance(id).state()).isEqualTo("terminated");
        assertThat(world.machines.find(id).orElseThrow().ending()).contains(new Machine.Ending("STOPPED_MAX_AGE", false));
        assertThat(world.machines.alive("docker")).singleElement()
                .satisfies(m -> assertThat(m.state()).isEqualTo(MachineState.WARMING));
    }
}
