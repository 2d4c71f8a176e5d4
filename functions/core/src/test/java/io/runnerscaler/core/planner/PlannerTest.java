package io.runnerscaler.core.planner;

import static io.runnerscaler.core.planner.Fleet.NOW;
import static io.runnerscaler.core.planner.Fleet.busy;
import static io.runnerscaler.core.planner.Fleet.busyWithBuilds;
import static io.runnerscaler.core.planner.Fleet.draining;
import static io.runnerscaler.core.planner.Fleet.idle;
import static io.runnerscaler.core.planner.Fleet.idleWithBuilds;
import static io.runnerscaler.core.planner.Fleet.launching;
import static io.runnerscaler.core.planner.Fleet.terminated;
import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.config.IdleSettings;
import io.runnerscaler.core.config.MarketPolicy;
import io.runnerscaler.core.model.Machine;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PlannerTest {

    private final Planner planner = new Planner();

    /** One row: a pool, its machines and queue, and the actions expected, written as short strings. */
    record Case(String behaviour, Pools pool, List<Machine> machines, int queued, int running, int concurrent,
                List<String> expected) {
        @Override
        public String toString() {
            return behaviour;
        }
    }

    private static Case when(String behaviour, Pools pool, List<Machine> machines, int queued, String... expected) {
        return new Case(behaviour, pool, machines, queued, 0, 100, List.of(expected));
    }

    private static Pools idleCount(int count) {
        return Pools.pool().idle(count, 300);
    }

    static Stream<Case> cases() {
        return Stream.of(
                when("emptyPoolLaunchesItsIdleCount", idleCount(2), List.of(), 0,
                        "launch 2 SPOT BELOW_IDLE_COUNT"),
                when("queuedJobsGetMachinesBesideTheIdleTarget", idleCount(2), List.of(), 3,
                        "launch 3 SPOT JOBS_WAITING", "launch 2 SPOT BELOW_IDLE_COUNT"),
                when("idleCountIsKeptInAdditionToBusyMachines", idleCount(2),
                        List.of(busy("b1", 100), busy("b2", 100), idle("i1", 100, 10)), 0,
                        "launch 1 SPOT BELOW_IDLE_COUNT"),
                when("idleMachinesTakeQueuedJobsFirst", idleCount(0),
                        List.of(idle("i1", 100, 10), idle("i2", 100, 10)), 2),
                when("launchingMachinesCountAsAvailable", idleCount(1), List.of(launching("l1", 10)), 1,
                        "launch 1 SPOT BELOW_IDLE_COUNT"),
                when("limitCapsLaunches", idleCount(0).limit(3), List.of(busy("b1", 100)), 5,
                        "launch 2 SPOT JOBS_WAITING", "hold LIMIT_REACHED"),
                when("atLimitNothingLaunches", idleCount(1).limit(2), List.of(busy("b1", 100), busy("b2", 100)), 0,
                        "hold LIMIT_REACHED"),
                when("maxGrowthRateCountsMachinesAlreadyLaunching", idleCount(0).maxGrowthRate(2),
                        List.of(launching("l1", 10)), 5,
                        "launch 1 SPOT JOBS_WAITING", "hold GROWTH_RATE"),
                when("growthRateReachedLaunchesNothing", idleCount(0).maxGrowthRate(1), List.of(launching("l1", 10)),
                        3, "hold GROWTH_RATE"),
                when("zeroGrowthRateIsUnlimited", idleCount(0).maxGrowthRate(0), List.of(launching("l1", 10)), 4,
                        "launch 3 SPOT JOBS_WAITING"),
                when("idleMachineBeyondIdleCountIsTerminatedAfterIdleTime", idleCount(1),
                        List.of(idle("old", 900, 301), idle("new", 600, 301)), 0,
                        "terminate new IDLE_TIME_EXCEEDED"),
                when("idleTimeIsInclusive", idleCount(1),
                        List.of(idle("old", 900, 300), idle("new", 600, 300)), 0,
                        "terminate new IDLE_TIME_EXCEEDED"),
                when("idleMachineBeyondIdleCountWaitsForIdleTime", idleCount(1),
                        List.of(idle("old", 900, 301), idle("new", 600, 299)), 0),
                when("idleMachinesWithinIdleCountStayHoweverLongIdle", idleCount(2),
                        List.of(idle("a", 90000, 86400), idle("b", 90000, 86400)), 0),
                when("newestIdleMachinesGoFirstOldestFillTheTarget", idleCount(1),
                        List.of(idle("m3", 300, 1000), idle("m1", 900, 400), idle("m2", 600, 1000)), 0,
                        "terminate m2 IDLE_TIME_EXCEEDED", "terminate m3 IDLE_TIME_EXCEEDED"),
                when("aLaunchingMachineFillsTheTargetBeforeNewerIdleOnes", idleCount(1),
                        List.of(launching("l1", 120), idle("i1", 60, 400)), 0,
                        "terminate i1 IDLE_TIME_EXCEEDED"),
                when("idleMachinesAreKeptForQueuedJobs", idleCount(0), List.of(idle("i1", 900, 900)), 1),
                when("busyMachinesAreNeverTerminatedEvenAboveLimit", idleCount(0).limit(1),
                        List.of(busy("b1", 100), busy("b2", 100), busy("b3", 100)), 0),
                when("aboveLimitTheNewestIdleMachinesGoAtOnce", idleCount(4).limit(2),
                        List.of(idle("i1", 400, 1), idle("i2", 300, 1), idle("i3", 200, 1), idle("i4", 100, 1)), 0,
                        "terminate i4 ABOVE_LIMIT", "terminate i3 ABOVE_LIMIT"),
                when("idleMachineThatReachedMaxBuildsIsTerminatedAndReplacedForWaitingJobs",
                        idleCount(0).maxBuilds(3), List.of(idleWithBuilds("r1", 3)), 1,
                        "terminate r1 MAX_BUILDS_REACHED", "launch 1 SPOT JOBS_WAITING"),
                when("retiredMachineAtTheLimitIsReplacedInTheSamePlan", idleCount(0).maxBuilds(3).limit(1),
                        List.of(idleWithBuilds("r1", 3)), 1,
                        "terminate r1 MAX_BUILDS_REACHED", "launch 1 SPOT JOBS_WAITING"),
                when("machineStuckLaunchingAtTheLimitIsReplacedInTheSamePlan", idleCount(0).limit(1),
                        List.of(launching("stuck", 3600)), 1,
                        "terminate stuck BOOT_TIMEOUT (boot failure)", "launch 1 SPOT JOBS_WAITING"),
                when("idleMachineBelowMaxBuildsStays", idleCount(1).maxBuilds(3), List.of(idleWithBuilds("i1", 2)), 0),
                when("busyMachinePastMaxBuildsIsLeftToFinish", idleCount(0).maxBuilds(1),
                        List.of(busyWithBuilds("b1", 5)), 0),
                when("machineStuckLaunchingPastBootTimeoutIsTerminatedAndReplaced",
                        idleCount(1).bootTimeout(Duration.ofMinutes(10)), List.of(launching("stuck", 600)), 0,
                        "terminate stuck BOOT_TIMEOUT (boot failure)", "launch 1 SPOT BELOW_IDLE_COUNT"),
                when("machineLaunchingWithinBootTimeoutIsAwaited", idleCount(1).bootTimeout(Duration.ofMinutes(10)),
                        List.of(launching("slow", 599)), 0),
                when("drainingMachineWithoutJobIsTerminated", idleCount(0), List.of(draining("d1", false)), 0,
                        "terminate d1 DRAINED"),
                when("drainingMachineRunningAJobIsLeftAlone", idleCount(0), List.of(draining("d1", true)), 0),
                when("terminatedMachinesAreIgnored", idleCount(1), List.of(terminated("t1")), 0,
                        "launch 1 SPOT BELOW_IDLE_COUNT"),
                when("onDemandPoolsLaunchOnDemand", idleCount(1).market(MarketPolicy.ON_DEMAND), List.of(), 0,
                        "launch 1 ON_DEMAND BELOW_IDLE_COUNT"),
                when("spotWithFallbackPoolsAskForSpotFirst", idleCount(1).market(MarketPolicy.SPOT_WITH_FALLBACK),
                        List.of(), 0, "launch 1 SPOT BELOW_IDLE_COUNT"),
                when("scaleFactorTargetsAShareOfBusyMachines",
                        Pools.pool().idle(new IdleSettings(10, 1, 0.5, Duration.ofSeconds(300))),
                        List.of(busy("b1", 1), busy("b2", 1), busy("b3", 1), busy("b4", 1)), 0,
                        "launch 2 SPOT BELOW_IDLE_COUNT"),
                new Case("concurrentCapsMachinesLaunchedForJobs", idleCount(0), List.of(), 5, 3, 4,
                        List.of("launch 1 SPOT JOBS_WAITING", "hold CONCURRENT_REACHED")),
                new Case("concurrentReachedStillKeepsTheIdleTarget", idleCount(1), List.of(), 5, 4, 4,
                        List.of("launch 1 SPOT BELOW_IDLE_COUNT", "hold CONCURRENT_REACHED")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void plans(Case c) {
        Plan plan = planner.plan(new PoolState(c.pool().build(), c.machines(), c.queued(), c.running(),
                c.concurrent()), NOW);
        assertThat(plan.actions().stream().map(PlannerTest::describe)).as(c.behaviour())
                .containsExactlyElementsOf(c.expected());
    }

    static Stream<Arguments> idleTargets() {
        return Stream.of(
                // behaviour, idleCount, idleCountMin, factor, busy, target
                Arguments.of("noFactorMeansIdleCount", 5, 0, 0.0, 40, 5),
                Arguments.of("factorOfBusy", 50, 5, 1.5, 10, 15),
                Arguments.of("factorRoundsDown", 50, 5, 1.5, 7, 10),
                Arguments.of("boundedBelowByIdleCountMin", 50, 5, 1.5, 2, 5),
                Arguments.of("boundedAboveByIdleCount", 50, 5, 1.5, 40, 50),
                Arguments.of("idleCountMinZeroStillKeepsOneWithAFactor", 50, 0, 1.5, 0, 1),
                Arguments.of("idleCountZeroKeepsNone", 0, 0, 1.5, 10, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("idleTargets")
    void idleTargetFollowsDockerMachine(String behaviour, int count, int min, double factor, int busy, int target) {
        assertThat(Planner.idleTarget(new IdleSettings(count, min, factor, Duration.ZERO), busy)).as(behaviour)
                .isEqualTo(target);
    }

    @Test
    void assessmentSaysWhenAnIdleMachineWillExpire() {
        Plan plan = planner.plan(new PoolState(idleCount(1).build(),
                List.of(idle("old", 900, 301), idle("new", 600, 100)), 0, 0, 10), NOW);
        assertThat(plan.actions()).isEmpty();
        assertThat(plan.assessment().reviewAt()).contains(NOW.plusSeconds(200));
        assertThat(plan.assessment().idleTarget()).isEqualTo(1);
        assertThat(plan.assessment().idle()).isEqualTo(2);
    }

    @Test
    void samePlanForTheSameInput() {
        var state = new PoolState(idleCount(2).limit(5).build(),
                List.of(idle("a", 900, 400), idle("b", 800, 400), idle("c", 700, 400), busy("d", 10)), 3, 1, 10);
        assertThat(planner.plan(state, NOW)).isEqualTo(planner.plan(state, NOW));
    }

    static String describe(Action action) {
        return switch (action) {
            case Action.Launch l -> "launch " + l.count() + " " + l.market() + " " + l.reason();
            case Action.Terminate t -> "terminate " + t.instanceId() + " " + t.reason() + bootFailure(t.bootFailure());
            case Action.Discard d -> "discard " + d.instanceId() + " " + d.reason() + bootFailure(d.bootFailure());
            case Action.Ended e -> "ended " + e.instanceId() + " " + e.reason() + bootFailure(e.bootFailure());
            case Action.Drain d -> "drain " + d.instanceId() + " " + d.reason();
            case Action.Start st -> "start " + st.instanceId() + " " + st.reason();
            case Action.Stop st -> "stop " + st.instanceId() + " " + st.reason();
            case Action.ResetBootFailures r -> "reset " + r.instanceId() + " " + r.reason();
            case Action.Hold h -> "hold " + h.reason();
        };
    }

    private static String bootFailure(boolean counted) {
        return counted ? " (boot failure)" : "";
    }
}
