package io.runnerscaler.core.usecase;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.config.ConfigLoader;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.planner.Action;
import io.runnerscaler.core.planner.Plan;
import io.runnerscaler.core.planner.Reason;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The reaper's pass over the in-memory adapters: one snapshot per pool, reconciliation and scaling in one plan. */
class ReaperTest {

    private final World world = new World();

    private String launch(int count) {
        world.executor().execute(world.pool(), new Plan("docker", List.of(new Action.Launch(count, Market.SPOT,
                Reason.BELOW_IDLE_COUNT))), world.clock.instant(), Optional.empty());
        return world.machines.alive("docker").getLast().instanceId();
    }

    private void idle(String id) {
        Machine m = world.machines.find(id).orElseThrow();
        world.machines.put(m.withState(MachineState.IDLE, world.clock.instant(), Optional.empty()));
    }

    @Test
    void aPassReadsEachPoolsMachinesOnceAndListsEc2Once() {
        var reads = new AtomicInteger();
        var lists = new AtomicInteger();
        var counting = new io.runnerscaler.core.memory.InMemoryMachineStore() {
            @Override
            public synchronized List<Machine> alive(String pool) {
                reads.incrementAndGet();
                return super.alive(pool);
            }
        };
        var fleet = new io.runnerscaler.core.memory.InMemoryFleet(world.clock::instant) {
            @Override
            public synchronized List<FleetInstance> describeManaged() {
                lists.incrementAndGet();
                return super.describeManaged();
            }
        };
        var executor = new PlanExecutor(world.planner, fleet, counting, new io.runnerscaler.core.runner
                .RunnerRegistrations(List.of(world.gitlab), io.runnerscaler.core.port.BootstrapSecrets.NONE,
                world.log), world.log, world.metrics);

        new Reaper(world.config::get, world.ledger, counting, fleet, world.planner, executor, world.clock,
                world.metrics).run();

        assertThat(reads.get()).as("alive() reads of the one pool").isEqualTo(1);
        assertThat(lists.get()).isEqualTo(1);
    }

    @Test
    void aMachineWhoseInstanceVanishedIsRecordedGoneAndItsPlaceGivenBack() {
        String id = launch(1);
        idle(id);
        world.fleet.setState(id, "terminated");
        world.clock.advance(Duration.ofMinutes(3));

        List<Plan> plans = world.reaper().run();

        assertThat(plans.getFirst().ended()).extracting(Action.Ended::reason).containsExactly(Reason.INSTANCE_GONE);
        assertThat(world.machines.alive("docker")).isEmpty();
        assertThat(world.machines.reserved("docker")).isZero();
        assertThat(world.machines.find(id).orElseThrow().ending().orElseThrow().reason()).isEqualTo("INSTANCE_GONE");
        assertThat(world.metricLines).contains("MachinesTerminated {Pool=docker, Reason=INSTANCE_GONE} 1");
    }

    @Test
    void anOrphanIsTerminatedAfterTheGraceAndALeakedReservationCorrected() {
        world.machines.reserve("docker", 1, 3);
        String orphan = world.fleet.launchUnrecorded(world.pool(), Market.SPOT);

        world.clock.advance(Duration.ofMinutes(1));
        world.reaper().run();
        assertThat(world.fleet.instance(orphan).state()).as("within the grace it may still be recorded")
                .isEqualTo("running");

        world.clock.advance(Duration.ofMinutes(2));
        world.reaper().run();
        assertThat(world.fleet.instance(orphan).state()).isEqualTo("terminated");
        assertThat(world.logged("machine.terminated")).singleElement().asString().contains("ORPHANED");
        assertThat(world.machines.reserved("docker")).as("corrected after a quiet pass").isZero();
        assertThat(world.logged("capacity.corrected")).singleElement().asString().contains("RESERVATION_LEAKED");
    }

    @Test
    void aStoppedInstanceIsTerminated() {
        String id = launch(1);
        idle(id);
        world.clock.advance(Duration.ofMinutes(30));
        world.fleet.setState(id, "stopped");

        world.reaper().run();

        assertThat(world.fleet.instance(id).state()).isEqualTo("terminated");
        assertThat(world.machines.find(id).orElseThrow().ending().orElseThrow().reason()).isEqualTo("STOPPED");
    }

    @Test
    void instancesOfAPoolNoLongerConfiguredAreOrphansUnlessRecorded() {
        String kept = launch(1);
        String orphan = world.fleet.launchUnrecorded(world.pool(), Market.SPOT);
        world.config.set(new ConfigLoader().parse(World.POOL.replace("name: docker", "name: other")));
        world.clock.advance(Duration.ofMinutes(5));

        world.reaper().run();

        assertThat(world.fleet.instance(orphan).state()).isEqualTo("terminated");
        assertThat(world.fleet.instance(kept).state()).isEqualTo("running");
    }

    @Test
    void idleMachinesPastIdleTimeAreReapedAndCountedByState() {
        String id = launch(1);
        idle(id);
        world.clock.advance(Duration.ofMinutes(6));

        world.reaper().run();

        assertThat(world.fleet.instance(id).state()).isEqualTo("terminated");
        assertThat(world.machines.find(id).orElseThrow().ending().orElseThrow().reason()).isEqualTo("IDLE_TIME_EXCEEDED");
        assertThat(world.metricLines).contains("MachinesByState {Pool=docker, State=IDLE} 1");
    }

    @Test
    void aQueuedJobNoPoolTookIsMatchedAndLaunchedForOnceAConfigWithAPoolForItIsLoaded() {
        var gpuJob = new io.runnerscaler.core.model.JobEvent(io.runnerscaler.core.model.Forge.GITLAB, "9", "g/a",
                io.runnerscaler.core.model.JobStatus.QUEUED, java.util.Set.of("gpu"), Optional.empty(), "d-9",
                World.T0, Optional.empty(), Optional.empty());
        world.jobEvents().handle(gpuJob);
        Reaper reaper = world.reaper();
        reaper.run();
        assertThat(world.machines.alive("docker")).isEmpty();
        assertThat(world.logged("job.rematched")).isEmpty();

        world.config.set(new ConfigLoader().parse(World.POOL.replace("labels: [docker]", "labels: [docker, gpu]")));
        world.clock.advance(Duration.ofMinutes(1));
        reaper.run();

        assertThat(world.ledger.find("gitlab:9").orElseThrow().pool()).contains("docker");
        assertThat(world.logged("job.rematched")).singleElement().asString().contains("CONFIG_CHANGED")
                .contains("pool=docker");
        assertThat(world.machines.alive("docker")).as("the pass plans the job it re-matched").hasSize(1);

        reaper.run();
        assertThat(world.logged("job.rematched")).as("once per config loaded").hasSize(1);
    }
}
