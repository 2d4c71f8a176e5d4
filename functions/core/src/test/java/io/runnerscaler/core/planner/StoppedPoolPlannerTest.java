package io.runnerscaler.core.planner;

import static io.runnerscaler.core.planner.Fleet.NOW;
import static io.runnerscaler.core.planner.Fleet.busy;
import static io.runnerscaler.core.planner.Fleet.started;
import static io.runnerscaler.core.planner.Fleet.stopped;
import static io.runnerscaler.core.planner.Fleet.stopping;
import static io.runnerscaler.core.planner.Fleet.warming;
import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.config.MarketPolicy;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.port.Fleet.FleetInstance;
import io.runnerscaler.core.port.Fleet.LaunchFailure;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The planner's stopped-pool decisions, as tables: starting before launching, refilling, stopping a refill that is
 * ready, retiring stopped machines (age, image, above the stopped count), and EC2's news about pooled machines.
 */
class StoppedPoolPlannerTest {

    private static final int DAY = 86_400;
    private final Planner planner = new Planner();

    /** One row: the pool, its machines, queued jobs, what EC2 lists, the pool's current image, the plan. */
    record Case(String behaviour, Pools pool, List<Machine> machines, int queued, Optional<List<FleetInstance>> listed,
                Optional<String> image, List<Instant> bootFailures, List<String> expected) {
        @Override
        public String toString() {
            return behaviour;
        }

        Case ec2Lists(FleetInstance... instances) {
            return new Case(behaviour, pool, machines, queued, Optional.of(List.of(instances)), image, bootFailures,
                    expected);
        }

        Case image(String current) {
            return new Case(behaviour, pool, machines, queued, listed, Optional.of(current), bootFailures, expected);
        }

        /** The reaper's pass: EC2 lists every machine as it is (stopped, stopping, the rest running). */
        Case reaperPass() {
            return new Case(behaviour, pool, machines, queued, Optional.of(machines.stream().map(m -> ec2(m,
                    switch (m.state()) {
                        case STOPPED -> "stopped";
                        case STOPPING -> "stopping";
                        default -> "running";
                    }, "", false)).toList()), image, bootFailures, expected);
        }

        Case failures(Instant... at) {
            return new Case(behaviour, pool, machines, queued, listed, image, List.of(at), expected);
        }
    }

    private static Case when(String behaviour, Pools pool, List<Machine> machines, int queued, String... expected) {
        return new Case(behaviour, pool, machines, queued, Optional.empty(), Optional.empty(), List.of(),
                List.of(expected));
    }

    private static FleetInstance ec2(Machine m, String state, String image, boolean ready) {
        return new FleetInstance(m.instanceId(), "docker", state, m.launchedAt(), image, ready);
    }

    private static Pools stoppedCount(int n) {
        return Pools.pool().stopped(n);
    }

    static Stream<Case> starting() {
        Machine s1 = stopped("i-s1", 7200);
        Machine s2 = stopped("i-s2", 3600);
        return Stream.of(
                when("onAJobsPathAStartIsTheOnlyActionAndTheRefillWaitsForTheReaper", stoppedCount(2),
                        List.of(s2, s1), 1, "start i-s1 STARTED_FROM_POOL"),
                when("aQueuedJobStartsAStoppedMachineInsteadOfLaunchingAndThePoolRefills", stoppedCount(2),
                        List.of(s2, s1), 1, "start i-s1 STARTED_FROM_POOL", "launch 1 SPOT POOL_REFILL").reaperPass(),
                when("moreJobsThanStoppedMachinesStartThemAllAndLaunchTheRest", stoppedCount(1), List.of(s1), 3,
                        "start i-s1 STARTED_FROM_POOL", "launch 2 SPOT JOBS_WAITING", "launch 1 SPOT POOL_REFILL").reaperPass(),
                when("aStartNeedsNoRoomAtTheLimitButTheRefillDoes", stoppedCount(2).limit(2), List.of(s1, s2), 1,
                        "start i-s1 STARTED_FROM_POOL", "hold LIMIT_REACHED").reaperPass(),
                when("theIdleTargetIsStartedFromThePoolToo", Pools.pool().idle(1, 300).stopped(1), List.of(s1), 0,
                        "start i-s1 STARTED_FROM_POOL", "launch 1 SPOT POOL_REFILL").reaperPass(),
                when("aStoppedMachineIsNotStartedForNothing", stoppedCount(1), List.of(s1), 0),
                when("aBackingOffPoolStillStartsBootedMachinesButRefillsNothing", stoppedCount(1), List.of(s1), 1,
                        "start i-s1 STARTED_FROM_POOL", "hold BOOT_FAILURES").reaperPass()
                        .failures(NOW.minusSeconds(600), NOW.minusSeconds(300), NOW.minusSeconds(30)),
                when("aMachineStartedFromThePoolBootsFromItsStartNotItsLaunch", stoppedCount(0).idle(1, 300),
                        List.of(started("i-st", 60)), 0),
                when("aStartedMachineStillBootingAfterTheBootTimeoutIsABootFailure", stoppedCount(0),
                        List.of(started("i-st", 600)), 0, "terminate i-st BOOT_TIMEOUT (boot failure)"));
    }

    static Stream<Case> refilling() {
        Machine w1 = warming("i-w1", 60);
        Machine p1 = stopping("i-p1", 300);
        return Stream.of(
                when("anEmptyStoppedPoolIsRefilled", stoppedCount(2), List.of(), 0, "launch 2 SPOT POOL_REFILL").reaperPass(),
                when("refillsAndStopsUnderWayCountTowardTheStoppedPool", stoppedCount(2), List.of(w1, p1), 0).reaperPass(),
                when("jobsGetTheirMachinesBeforeTheRefillWithinTheGrowthRate", stoppedCount(2).maxGrowthRate(1),
                        List.of(), 1, "launch 1 SPOT JOBS_WAITING", "hold GROWTH_RATE").reaperPass(),
                when("aWarmingMachineCountsAsLaunchingForTheGrowthRate", stoppedCount(2).maxGrowthRate(1),
                        List.of(w1), 0, "hold GROWTH_RATE").reaperPass(),
                when("aRefillEc2ListsAsReadyIsStopped", stoppedCount(1), List.of(w1), 0, "stop i-w1 POOL_REFILL")
                        .ec2Lists(ec2(w1, "running", "", true)),
                when("aRefillNotYetReadyIsLeftToBoot", stoppedCount(1), List.of(w1), 0)
                        .ec2Lists(ec2(w1, "running", "", false)),
                when("aRefillNotReadyByTheBootTimeoutIsDiscardedAsABootFailure", stoppedCount(1),
                        List.of(warming("i-w1", 600)), 0, "discard i-w1 BOOT_TIMEOUT (boot failure)",
                        "launch 1 SPOT POOL_REFILL").reaperPass(),
                when("aStopThatDidNotTakeIsAskedAgain", stoppedCount(1), List.of(p1), 0, "stop i-p1 POOL_REFILL")
                        .ec2Lists(ec2(p1, "running", "", true)),
                when("aStoppingMachineEc2ListsStoppedCanBeStartedThoughItsEventWasMissed", stoppedCount(1),
                        List.of(p1), 1, "start i-p1 STARTED_FROM_POOL", "launch 1 SPOT POOL_REFILL")
                        .ec2Lists(ec2(p1, "stopped", "", true)),
                when("aSpotWithFallbackPoolRefillsOnSpot", stoppedCount(1).market(MarketPolicy.SPOT_WITH_FALLBACK),
                        List.of(), 0, "launch 1 SPOT POOL_REFILL").reaperPass(),
                when("anOnDemandPoolRefillsOnDemand", stoppedCount(1).market(MarketPolicy.ON_DEMAND), List.of(), 0,
                        "launch 1 ON_DEMAND POOL_REFILL").reaperPass());
    }

    static Stream<Case> retiring() {
        Machine s1 = stopped("i-s1", 7200);
        Machine s2 = stopped("i-s2", 3600);
        Machine old = stopped("i-old", 7 * DAY);
        return Stream.of(
                when("aStoppedMachineLaunchedStoppedMaxAgeAgoIsReplaced", stoppedCount(1), List.of(old), 0,
                        "discard i-old STOPPED_MAX_AGE", "launch 1 SPOT POOL_REFILL").reaperPass(),
                when("aStoppedMachineYoungerThanStoppedMaxAgeStays", stoppedCount(1),
                        List.of(stopped("i-s", 7 * DAY - 1)), 0).reaperPass(),
                when("aStoppedMachineOfAnOlderImageIsReplaced", stoppedCount(1), List.of(s1), 0,
                        "discard i-s1 IMAGE_OUTDATED", "launch 1 SPOT POOL_REFILL")
                        .ec2Lists(ec2(s1, "stopped", "ami-old", false)).image("ami-new"),
                when("aStoppedMachineOfTheCurrentImageStays", stoppedCount(1), List.of(s1), 0)
                        .ec2Lists(ec2(s1, "stopped", "ami-new", false)).image("ami-new"),
                when("withoutTheCurrentImageNoImageIsOutdated", stoppedCount(1), List.of(s1), 0)
                        .ec2Lists(ec2(s1, "stopped", "ami-old", false)),
                when("aStoppedInstanceThePoolStoppedIsNotDiscardedAsStopped", stoppedCount(1), List.of(s1), 0)
                        .ec2Lists(ec2(s1, "stopped", "", false)),
                when("stoppedMachinesBeyondTheStoppedCountGoNewestFirst", stoppedCount(1), List.of(s1, s2), 0,
                        "discard i-s2 ABOVE_STOPPED_COUNT").reaperPass(),
                when("aStoppedMachineEc2NoLongerListsIsRecordedEnded", stoppedCount(1), List.of(s1), 0,
                        "ended i-s1 INSTANCE_GONE", "launch 1 SPOT POOL_REFILL").ec2Lists());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"starting", "refilling", "retiring"})
    void plans(Case c) {
        Plan plan = planner.plan(new PoolState(c.pool().build(), c.machines(), c.queued(), 0, 100, 0,
                c.bootFailures(), c.listed(), c.image()), NOW);
        assertThat(plan.actions().stream().map(PlannerTest::describe)).as(c.behaviour())
                .containsExactlyElementsOf(c.expected());
    }

    @Test
    void stoppedMachinesAreNeverCountedIdleBusyOrLaunching() {
        Plan plan = planner.plan(new PoolState(stoppedCount(3).build(), List.of(stopped("i-s", 600),
                warming("i-w", 60), stopping("i-p", 300), busy("i-b", 600)), 0, 0, 100), NOW);
        assertThat(plan.assessment().idle()).isZero();
        assertThat(plan.assessment().busy()).isEqualTo(1);
        assertThat(plan.assessment().launching()).isZero();
        assertThat(plan.assessment().total()).isEqualTo(4);
    }

    /** One row of EC2's news about a pooled machine. */
    record News(String behaviour, Machine machine, InstanceNews news, List<String> expected) {
        @Override
        public String toString() {
            return behaviour;
        }
    }

    static Stream<News> news() {
        var stoppedNews = new InstanceNews.StateChanged("stopped");
        var stoppingNews = new InstanceNews.StateChanged("stopping");
        return Stream.of(
                new News("theStopTheScalerAskedForIsNoEnd", stopping("i-p", 300), stoppedNews, List.of()),
                new News("stoppingOfAMachineTheScalerStopsIsNoEnd", stopping("i-p", 300), stoppingNews, List.of()),
                new News("aStoppedMachineStoppedAgainNeedsNothing", stopped("i-s", 600), stoppedNews, List.of()),
                new News("aPooledMachineThatTerminatesIsRecordedEnded", stopped("i-s", 600),
                        new InstanceNews.StateChanged("terminated"), List.of("ended i-s INSTANCE_ENDED")),
                new News("aRefillStoppedByAnyoneButTheScalerIsDiscarded", warming("i-w", 30), stoppedNews,
                        List.of("discard i-w STOPPED (boot failure)")),
                new News("aStartedMachineThatStopsIsDiscardedAsAnyOther", started("i-st", 30), stoppedNews,
                        List.of("discard i-st STOPPED (boot failure)")),
                new News("aStartedMachineStoppingIsEndingAsAnyOther", started("i-st", 30), stoppingNews,
                        List.of("ended i-st INSTANCE_ENDED (boot failure)")),
                new News("aSpotInterruptionOfARefillDiscardsIt", warming("i-w", 30),
                        new InstanceNews.SpotNotice(true), List.of("discard i-w SPOT_INTERRUPTION")),
                new News("aStoppedMachineNeedsNoDrain", stopped("i-s", 600), new InstanceNews.SpotNotice(false),
                        List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("news")
    void decidesWhatEc2sNewsAboutAPooledMachineCallsFor(News n) {
        assertThat(planner.onInstanceNews(Optional.of(stoppedCount(1).build()), n.machine(), n.news(), NOW).stream()
                .map(PlannerTest::describe)).as(n.behaviour()).containsExactlyElementsOf(n.expected());
    }

    @Test
    void aStartRefusedForCapacityBecomesAColdLaunchOnThePoolsMarket() {
        var start = new Action.Start("i-s", Reason.STARTED_FROM_POOL);
        var capacity = new LaunchFailure(LaunchFailure.Kind.CAPACITY, "InsufficientInstanceCapacity", "no room");
        assertThat(planner.afterStart(stoppedCount(1).build(), start, capacity).map(PlannerTest::describe))
                .contains("launch 1 SPOT START_FAILED");
        assertThat(planner.afterStart(stoppedCount(1).market(MarketPolicy.ON_DEMAND).build(), start, capacity)
                .map(PlannerTest::describe)).contains("launch 1 ON_DEMAND START_FAILED");
        assertThat(planner.afterStart(stoppedCount(1).build(), start, new LaunchFailure(LaunchFailure.Kind.CONFIG,
                "IncorrectInstanceState", "not stopped"))).isEmpty();
    }

    @Test
    void aRefillSpotCouldNotSupplyStaysARefillOnDemand() {
        assertThat(planner.afterLaunch(stoppedCount(1).market(MarketPolicy.SPOT_WITH_FALLBACK).build(),
                new Action.Launch(2, Market.SPOT, Reason.POOL_REFILL), 0, true).map(PlannerTest::describe))
                .contains("launch 2 ON_DEMAND POOL_REFILL");
    }
}
