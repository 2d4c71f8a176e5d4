package io.runnerscaler.core.planner;

import static io.runnerscaler.core.planner.Fleet.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Plans made from a pool's counters (scale-up's): the same launch and start decisions as a plan from the machines
 * would make for the same pool, with places reserved but not yet recorded counted as launching, and no machine ended.
 */
class CountedPlanTest {

    private final Planner planner = new Planner();

    /** One row: the pool, its counters, queued jobs, the expected plan. */
    record Case(String behaviour, Pools pool, MachineCounts counts, int queued, int runningAll, int concurrent,
                List<Instant> bootFailures, List<String> expected) {
        @Override
        public String toString() {
            return behaviour;
        }
    }

    private static MachineCounts counts(int inFlight, List<String> stopped, Object... stateAndCount) {
        var byState = new EnumMap<MachineState, Integer>(MachineState.class);
        for (int i = 0; i < stateAndCount.length; i += 2) {
            byState.put((MachineState) stateAndCount[i], (Integer) stateAndCount[i + 1]);
        }
        return new MachineCounts(byState, inFlight, stopped);
    }

    private static Case when(String behaviour, Pools pool, MachineCounts counts, int queued, String... expected) {
        return new Case(behaviour, pool, counts, queued, 0, 0, List.of(), List.of(expected));
    }

    static Stream<Case> cases() {
        return Stream.of(
                when("aQueuedJobWithNothingUpLaunchesOne", Pools.pool(), counts(0, List.of()), 1,
                        "launch 1 SPOT JOBS_WAITING"),
                when("anIdleMachineTakesTheJob", Pools.pool(), counts(0, List.of(), MachineState.IDLE, 1), 1),
                when("aMachineLaunchingCoversAJob", Pools.pool(), counts(0, List.of(), MachineState.LAUNCHING, 2), 3,
                        "launch 1 SPOT JOBS_WAITING"),
                when("placesReservedButNotYetRecordedCountAsLaunching", Pools.pool(),
                        counts(2, List.of()), 3, "launch 1 SPOT JOBS_WAITING"),
                when("busyMachinesCoverNothing", Pools.pool(), counts(0, List.of(), MachineState.BUSY, 4), 2,
                        "launch 2 SPOT JOBS_WAITING"),
                when("theLimitCountsEveryStateAndThePlacesInFlight", Pools.pool().limit(5),
                        counts(1, List.of("i-s1"), MachineState.BUSY, 2, MachineState.STOPPED, 1,
                                MachineState.DRAINING, 1), 4,
                        "start i-s1 STARTED_FROM_POOL", "hold LIMIT_REACHED"),
                when("stoppedMachinesStartOldestFirstBeforeAnyLaunch", Pools.pool().stopped(3),
                        counts(0, List.of("i-old", "i-new"), MachineState.STOPPED, 2), 3,
                        "start i-old STARTED_FROM_POOL", "start i-new STARTED_FROM_POOL", "launch 1 SPOT JOBS_WAITING"),
                when("noRefillOnAJobsPath", Pools.pool().stopped(3), counts(0, List.of()), 0),
                when("theGrowthRateCountsWhatIsInFlight", Pools.pool().maxGrowthRate(2),
                        counts(1, List.of(), MachineState.LAUNCHING, 1), 3, "hold GROWTH_RATE"),
                new Case("theGlobalConcurrentHoldsJobsBack", Pools.pool(), counts(0, List.of()), 3, 9, 10, List.of(),
                        List.of("launch 1 SPOT JOBS_WAITING", "hold CONCURRENT_REACHED")),
                new Case("aPoolBackingOffLaunchesNothing", Pools.pool(), counts(0, List.of()), 1, 0, 0,
                        List.of(NOW.minusSeconds(600), NOW.minusSeconds(300), NOW.minusSeconds(30)),
                        List.of("hold BOOT_FAILURES")),
                when("theIdleTargetIsKeptFromTheCountsToo", Pools.pool().idle(2, 300),
                        counts(0, List.of(), MachineState.IDLE, 1), 0, "launch 1 SPOT BELOW_IDLE_COUNT"),
                when("nothingIsEndedFromCounters", Pools.pool().idle(0, 300).limit(1),
                        counts(0, List.of(), MachineState.IDLE, 3), 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void plans(Case c) {
        Plan plan = planner.plan(PoolState.counted(c.pool().build(), c.counts(), c.queued(), c.runningAll(),
                c.concurrent(), 0, c.bootFailures()), NOW);
        assertThat(plan.actions().stream().map(PlannerTest::describe)).as(c.behaviour())
                .containsExactlyElementsOf(c.expected());
    }

    @Test
    void aCountedPoolHasNoMachineListOrListing() {
        var counts = counts(0, List.of());
        assertThatThrownBy(() -> new PoolState(Pools.pool().build(), List.of(Fleet.busy("i-b", 60)), 1, 0, 0, 0,
                List.of(), Optional.empty(), Optional.empty(), Optional.of(counts)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PoolState.counted(Pools.pool().build(), counts, 1, 0, 0, 0, List.of())
                .withListing(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMachineThatRanItsLastBuildDrainsAndIsEndedForMaxBuildsFromTheMachines() {
        Machine spent = Fleet.busy("i-b", 600).withBuildFinished(NOW.minusSeconds(5))
                .withState(MachineState.DRAINING, NOW.minusSeconds(5), Optional.empty());
        Plan plan = planner.plan(new PoolState(Pools.pool().maxBuilds(1).build(), List.of(spent), 0, 0, 0), NOW);
        assertThat(plan.actions().stream().map(PlannerTest::describe)).containsExactly("terminate i-b MAX_BUILDS_REACHED");
        Machine drained = Fleet.busy("i-d", 600).withState(MachineState.DRAINING, NOW, Optional.empty());
        assertThat(planner.plan(new PoolState(Pools.pool().maxBuilds(1).build(), List.of(drained), 0, 0, 0), NOW)
                .actions().stream().map(PlannerTest::describe)).as("no build done: drained for another reason")
                .containsExactly("terminate i-d DRAINED");
        Map<MachineState, Integer> none = Map.of();
        assertThat(new MachineCounts(none, -3, List.of()).inFlight()).as("never negative").isZero();
    }
}
