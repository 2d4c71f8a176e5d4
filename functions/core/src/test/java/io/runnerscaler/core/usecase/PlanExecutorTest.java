package io.runnerscaler.core.usecase;

import static io.runnerscaler.core.usecase.World.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.memory.InMemoryFleet;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.planner.Action;
import io.runnerscaler.core.planner.Plan;
import io.runnerscaler.core.planner.Reason;
import io.runnerscaler.core.port.RunnerRegistry;
import io.runnerscaler.core.runner.RunnerBinding;
import io.runnerscaler.core.port.ForgeException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The executor carries out plans over the in-memory adapters, and asks the planner where an outcome calls for it. */
class PlanExecutorTest {

    private final World world = new World();
    private final PlanExecutor executor = world.executor();

    private void run(Action... actions) {
        executor.execute(world.pool(), new Plan("docker", List.of(actions)), world.clock.instant(),
                Optional.of("gitlab:7"));
    }

    @Test
    void aLaunchReservesItsPlacesRecordsEachMachineAndTagsTheJobOnTheFirst() {
        run(new Action.Launch(2, Market.SPOT, Reason.JOBS_WAITING));

        assertThat(world.machines.alive("docker")).hasSize(2).allMatch(m -> m.state() == MachineState.LAUNCHING);
        assertThat(world.machines.reserved("docker")).isEqualTo(2);
        assertThat(world.fleet.live()).filteredOn(i -> i.tags().containsKey(PlanExecutor.JOB_TAG)).hasSize(2);
        assertThat(world.machines.alive("docker")).filteredOn(m -> m.jobId().isPresent()).singleElement()
                .satisfies(m -> assertThat(m.jobId()).contains("gitlab:7"));
        assertThat(world.metricLines).contains("MachinesLaunched {Forge=gitlab, Pool=docker, Reason=JOBS_WAITING} 2");
    }

    @Test
    void aLaunchBeyondTheLimitIsCutToWhatIsLeft() {
        world.machines.reserve("docker", 2, 3);
        run(new Action.Launch(3, Market.SPOT, Reason.BELOW_IDLE_COUNT));

        assertThat(world.machines.alive("docker")).hasSize(1);
        assertThat(world.machines.reserved("docker")).isEqualTo(3);
        assertThat(world.logged("plan.hold")).singleElement().asString().contains("LIMIT_REACHED");
    }

    @Test
    void spotThatLacksCapacityIsBoughtOnDemandAsThePlannerSays() {
        world.fleet.supply((pool, count, market) -> market == Market.SPOT ? InMemoryFleet.Answer.capacity(1, count)
                : new InMemoryFleet.Answer(count, List.of()));

        run(new Action.Launch(3, Market.SPOT, Reason.JOBS_WAITING));

        assertThat(world.machines.alive("docker")).extracting(Machine::market)
                .containsExactlyInAnyOrder(Market.SPOT, Market.ON_DEMAND, Market.ON_DEMAND);
        assertThat(world.fleet.launchCalls()).isEqualTo(2);
        assertThat(world.metricLines).contains(
                "MachinesLaunched {Forge=gitlab, Pool=docker, Reason=SPOT_CAPACITY_FALLBACK} 2");
        assertThat(world.logged("machine.launched")).filteredOn(l -> l.contains("SPOT_CAPACITY_FALLBACK")).hasSize(2);
        assertThat(world.metricLines).noneMatch(l -> l.startsWith("LaunchFailures"));
    }

    @Test
    void aShortfallNobodyFillsIsCountedAndItsPlacesGivenBack() {
        world.fleet.supply((pool, count, market) -> InMemoryFleet.Answer.capacity(0, count));
        PoolConfig spotOnly = spotOnly();

        executor.execute(spotOnly, new Plan("docker", List.of(new Action.Launch(2, Market.SPOT,
                Reason.JOBS_WAITING))), T0, Optional.empty());

        assertThat(world.machines.alive("docker")).isEmpty();
        assertThat(world.machines.reserved("docker")).isZero();
        assertThat(world.metricLines).contains("LaunchFailures {Pool=docker, Reason=CAPACITY} 2");
        assertThat(world.logged("machine.launch_failed")).singleElement().asString()
                .contains("InsufficientInstanceCapacity");
    }

    @Test
    void onDemandGrantsAreTakenAndWhatAnotherInvocationTookIsLaunchedOnThePoolsMarket() {
        world.machines.grantOnDemand("docker", 1);

        run(new Action.Launch(2, Market.ON_DEMAND, Reason.RETRY_ON_DEMAND));

        assertThat(world.machines.onDemandGrants("docker")).isZero();
        assertThat(world.machines.alive("docker")).extracting(Machine::market)
                .containsExactlyInAnyOrder(Market.ON_DEMAND, Market.SPOT);
        assertThat(world.machines.alive("docker")).filteredOn(m -> m.market() == Market.ON_DEMAND).singleElement()
                .satisfies(m -> assertThat(m.jobId()).contains("gitlab:7"));
    }

    @Test
    void aMachineWhoseRegistrationFailedIsDiscardedAsABootFailure() {
        world.gitlab = new FailingRegistry();
        world.executor().execute(world.pool(), new Plan("docker",
                List.of(new Action.Launch(1, Market.SPOT, Reason.BELOW_IDLE_COUNT))), T0, Optional.empty());

        assertThat(world.machines.alive("docker")).isEmpty();
        assertThat(world.fleet.live()).isEmpty();
        assertThat(world.machines.all()).singleElement().satisfies(m ->
                assertThat(m.ending()).contains(new Machine.Ending("REGISTRATION_FAILED", false)));
        assertThat(world.machines.bootFailures("docker")).containsExactly(T0);
        assertThat(world.machines.reserved("docker")).isZero();
        assertThat(world.metricLines).contains("BootFailures {Pool=docker} 1",
                "MachinesTerminated {Pool=docker, Reason=REGISTRATION_FAILED} 1");
    }

    @Test
    void anInstanceTheTableCannotRecordIsDiscardedAndTheFailureGoesUp() {
        var broken = new io.runnerscaler.core.memory.InMemoryMachineStore() {
            @Override
            public synchronized void put(Machine machine) {
                throw new IllegalStateException("table unavailable");
            }
        };
        var executor = new PlanExecutor(world.planner, world.fleet, broken, new io.runnerscaler.core.runner
                .RunnerRegistrations(List.of(world.gitlab), io.runnerscaler.core.port.BootstrapSecrets.NONE, world.log),
                world.log, world.metrics);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> executor.execute(world.pool(), new Plan("docker",
                List.of(new Action.Launch(2, Market.SPOT, Reason.JOBS_WAITING))), T0, Optional.empty()))
                .hasMessage("table unavailable");

        assertThat(world.fleet.live()).isEmpty();
        assertThat(world.metricLines).contains("MachinesTerminated {Pool=docker, Reason=UNRECORDED} 1");
        assertThat(world.logged("machine.record_failed")).singleElement().asString().contains("undo=terminated");
        assertThat(broken.reserved("docker")).as("places wait for the reservation audit").isEqualTo(2);
    }

    @Test
    void aMachineThatTookAJobSinceThePlanIsNotTerminated() {
        String id = launchOne();
        Machine m = world.machines.find(id).orElseThrow();
        world.machines.put(m.withState(MachineState.BUSY, T0, Optional.of("gitlab:8")));

        run(new Action.Terminate(id, Reason.IDLE_TIME_EXCEEDED));

        assertThat(world.machines.find(id).orElseThrow().state()).isEqualTo(MachineState.BUSY);
        assertThat(world.fleet.live()).hasSize(1);
        assertThat(world.logged("machine.terminate_skipped")).singleElement().asString().contains("BUSY_SINCE_PLANNED");
    }

    @Test
    void aMachineTheForgeSaysIsBusyIsKept() {
        world.gitlab = new FailingRegistry() {
            @Override
            public Optional<RunnerBinding> prepare(PoolConfig pool, String instanceId) {
                return Optional.empty();
            }

            @Override
            public boolean isBusy(PoolConfig pool, String instanceId) {
                return true;
            }
        };
        PlanExecutor busyForge = world.executor();
        busyForge.execute(world.pool(), new Plan("docker", List.of(new Action.Launch(1, Market.SPOT,
                Reason.BELOW_IDLE_COUNT))), T0, Optional.empty());
        String id = world.fleet.instances().getFirst().instanceId();

        busyForge.execute(world.pool(), new Plan("docker", List.of(new Action.Terminate(id, Reason.IDLE_TIME_EXCEEDED))),
                T0, Optional.empty());

        assertThat(world.logged("machine.terminate_deferred")).singleElement().asString().contains("BUSY");
    }

    @Test
    void anEndedInstanceIsRecordedWithItsReasonWithoutAnEc2CallAndCountsAsABootFailureWhenPlanned() {
        String id = launchOne();
        world.fleet.setState(id, "terminated");

        run(new Action.Ended(id, Reason.INSTANCE_GONE, true));

        assertThat(world.machines.find(id).orElseThrow().ending()).contains(new Machine.Ending("INSTANCE_GONE", false));
        assertThat(world.machines.bootFailures("docker")).hasSize(1);
        assertThat(world.logged("machine.terminated")).singleElement().asString().contains("INSTANCE_GONE")
                .contains("bootFailure=true");
    }

    @Test
    void anOrphanIsTerminatedAndCountedThoughNoRecordKnowsIt() {
        String orphan = world.fleet.launchUnrecorded(world.pool(), Market.SPOT);

        run(new Action.Discard(orphan, Reason.ORPHANED, false));

        assertThat(world.fleet.live()).isEmpty();
        assertThat(world.metricLines).contains("MachinesTerminated {Pool=docker, Reason=ORPHANED} 1");
        assertThat(world.logged("machine.terminated")).singleElement().asString()
                .contains("unknown to the table");
    }

    @Test
    void aResetForgetsThePoolsBootFailuresAndAHoldForThemIsCounted() {
        world.machines.recordBootFailure("docker", T0);

        run(new Action.ResetBootFailures("i-1", Reason.HEALTHY_LAUNCH), new Action.Hold(Reason.BOOT_FAILURES, "x"));

        assertThat(world.machines.bootFailures("docker")).isEmpty();
        assertThat(world.metricLines).contains("PoolBackoff {Pool=docker} 1");
    }

    @Test
    void terminationsOutOfTimeAreLeftToTheNextPass() {
        String a = launchOne();
        executor.execute(world.pool(), new Plan("docker", List.of(new Action.Terminate(a, Reason.IDLE_TIME_EXCEEDED))),
                T0, Optional.empty(), () -> false);

        assertThat(world.fleet.live()).hasSize(1);
        assertThat(world.logged("plan.terminations_deferred")).hasSize(1);
    }

    private String launchOne() {
        executor.execute(world.pool(), new Plan("docker", List.of(new Action.Launch(1, Market.SPOT,
                Reason.BELOW_IDLE_COUNT))), T0, Optional.empty());
        return world.machines.alive("docker").getFirst().instanceId();
    }

    private PoolConfig spotOnly() {
        PoolConfig p = world.pool();
        return new PoolConfig(p.name(), p.forge(), p.labels(), p.runUntagged(), p.instanceTypes(), p.subnets(),
                p.launchTemplate(), p.ami(), io.runnerscaler.core.config.MarketPolicy.SPOT, p.limit(), p.idle(),
                p.maxGrowthRate(), p.maxBuilds(), p.periods(), p.timezone(), p.tokenParameter(), p.bootTimeout());
    }

    /** A GitLab registry whose runner material cannot be made (as GitHub's JIT config can fail). */
    private static class FailingRegistry implements RunnerRegistry {
        @Override
        public io.runnerscaler.core.model.Forge forge() {
            return io.runnerscaler.core.model.Forge.GITLAB;
        }

        @Override
        public Optional<RunnerBinding> prepare(PoolConfig pool, String instanceId) {
            throw new ForgeException.Misconfigured("no runner for " + instanceId);
        }

        @Override
        public boolean isBusy(PoolConfig pool, String instanceId) {
            return false;
        }

        @Override
        public void deregister(PoolConfig pool, String instanceId) {
        }
    }
}
