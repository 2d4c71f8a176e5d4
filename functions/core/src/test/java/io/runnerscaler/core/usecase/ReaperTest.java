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
    void aPlaceAScaleUpReservedButHasNotRecordedCountsAsLaunchingSoThePassLaunchesNothingMoreForTheJob() {
        world.ledger.record(World.job("7", io.runnerscaler.core.model.JobStatus.QUEUED), Optional.of("docker"),
                world.clock.instant());
        world.machines.reserve("docker", 1, 3);

        world.reaper().run();

        assertThat(world.fleet.describeManaged()).as("the scale-up's own launch is still to come").isEmpty();
        assertThat(world.machines.reserved("docker")).isEqualTo(1);
    }

    @Test
    void aPassWhoseReservationMeetsAScaleUpsSinceItsReadLaunchesNothingAndLeavesTheJobToIt() {
        world.ledger.record(World.job("7", io.runnerscaler.core.model.JobStatus.QUEUED), Optional.of("docker"),
                world.clock.instant());
        // A scale-up reserves between the pass's read of the counters and of the machines.
        var racing = new io.runnerscaler.core.memory.InMemoryMachineStore() {
            private boolean raced;

            @Override
            public synchronized List<Machine> alive(String pool) {
                List<Machine> read = super.alive(pool);
                if (!raced) {
                    raced = true;
                    reserve(pool, 1, 3);
                }
                return read;
            }
        };
        var executor = new PlanExecutor(world.planner, world.fleet, racing, new io.runnerscaler.core.runner
                .RunnerRegistrations(List.of(world.gitlab), io.runnerscaler.core.port.BootstrapSecrets.NONE,
                world.log), world.log, world.metrics);

        new Reaper(world.config::get, world.ledger, racing, world.fleet, world.planner, executor, world.clock,
                world.metrics).run();

        assertThat(world.fleet.describeManaged()).isEmpty();
        assertThat(racing.reserved("docker")).as("only the scale-up's place").isEqualTo(1);
        assertThat(world.logged("plan.superseded")).hasSize(1);
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

    private static final String IMAGE_PARAMETER = "/runner-scaler-image/x86_64";

    /** A stopped pool whose image is the image pipeline's parameter, as EC2 resolves it at each launch. */
    private static World imagePool(String imageLine) {
        return new World(World.POOL.replace("limit: 3", "limit: 3\n    stoppedCount: 1" + imageLine));
    }

    /**
     * The pools' refills, launched from {@code image}, booted to ready and stopped, as a stopped pool's life has it;
     * the first pool's machine.
     */
    private static String stoppedFrom(World w, String image, String... pools) {
        w.images.put(IMAGE_PARAMETER, image);
        w.fleet.launchImage(image);
        w.reaper().run();
        List<String> pooled = pools.length == 0 ? List.of("docker") : List.of(pools);
        List<String> ids = pooled.stream().map(p -> w.machines.alive(p).getFirst().instanceId()).toList();
        InstanceEvents events = w.instanceEvents();
        ids.forEach(id -> {
            events.stateChanged(id, "running");
            w.fleet.markReady(id);
        });
        w.clock.advance(Duration.ofMinutes(1));
        w.reaper().run();
        ids.forEach(id -> {
            events.stateChanged(id, "stopping");
            events.stateChanged(id, "stopped");
            assertThat(w.machines.find(id).orElseThrow().state()).isEqualTo(MachineState.STOPPED);
        });
        return ids.getFirst();
    }

    private static List<String> discards(Plan plan) {
        return plan.actions().stream().filter(a -> a instanceof Action.Discard)
                .map(a -> ((Action.Discard) a).instanceId() + " " + ((Action.Discard) a).reason()).toList();
    }

    @Test
    void aStoppedMachineOfAnOlderImageThanTheParameterNamesIsRetired() {
        World w = imagePool("\n    ami: resolve:ssm:" + IMAGE_PARAMETER);
        String id = stoppedFrom(w, "ami-0old");
        w.clock.advance(Duration.ofMinutes(1));
        w.reaper().run();
        assertThat(w.machines.find(id).orElseThrow().state()).as("same image: kept").isEqualTo(MachineState.STOPPED);

        w.images.put(IMAGE_PARAMETER, "ami-0new");
        w.clock.advance(Duration.ofMinutes(1));
        Plan plan = w.reaper().run().getFirst();

        assertThat(discards(plan)).containsExactly(id + " IMAGE_OUTDATED");
        assertThat(w.fleet.instance(id).state()).isEqualTo("terminated");
    }

    @Test
    void aPoolOnTheStacksTemplateIsRetiredByTheStacksImageParameter() {
        World w = new World(World.POOL.replace("limit: 3", "limit: 3\n    stoppedCount: 1")
                .replace("    launchTemplate: lt\n", ""));
        w.stackImage = Optional.of("resolve:ssm:" + IMAGE_PARAMETER);
        String id = stoppedFrom(w, "ami-0old");

        w.images.put(IMAGE_PARAMETER, "ami-0new");
        w.clock.advance(Duration.ofMinutes(1));

        assertThat(discards(w.reaper().run().getFirst())).containsExactly(id + " IMAGE_OUTDATED");
    }

    @Test
    void anImageThatCannotBeLearntRetiresNothingAndIsLogged() {
        World w = imagePool("\n    ami: resolve:ssm:" + IMAGE_PARAMETER);
        String id = stoppedFrom(w, "ami-0old");
        w.images.fail(IMAGE_PARAMETER);
        w.clock.advance(Duration.ofMinutes(1));

        List<Plan> plans = w.reaper().run();

        assertThat(discards(plans.getFirst())).isEmpty();
        assertThat(w.machines.find(id).orElseThrow().state()).isEqualTo(MachineState.STOPPED);
        assertThat(w.logged("image.unknown")).singleElement().asString().contains("READ_FAILED")
                .contains(IMAGE_PARAMETER);
    }

    @Test
    void aParameterThatHoldsNoImageIdRetiresNothing() {
        World w = imagePool("\n    ami: resolve:ssm:" + IMAGE_PARAMETER);
        String id = stoppedFrom(w, "ami-0old");
        w.images.put(IMAGE_PARAMETER, "pending");
        w.clock.advance(Duration.ofMinutes(1));

        assertThat(discards(w.reaper().run().getFirst())).isEmpty();
        assertThat(w.logged("image.unknown")).singleElement().asString().contains("NOT_AN_IMAGE_ID");
    }

    @Test
    void aParameterIsReadOncePerPassHoweverManyPoolsNameIt() {
        String second = World.POOL.replace("pools:\n", "").replace("name: docker", "name: docker-2")
                .replace("labels: [docker]", "labels: [docker-2]");
        World w = new World((World.POOL + second).replace("limit: 3",
                "limit: 3\n    stoppedCount: 1\n    ami: resolve:ssm:" + IMAGE_PARAMETER));
        stoppedFrom(w, "ami-0old", "docker", "docker-2");
        int before = w.images.reads();

        w.clock.advance(Duration.ofMinutes(1));
        w.reaper().run();

        assertThat(w.images.reads() - before).isEqualTo(1);
    }
}
