package io.runnerscaler.core.planner;

import static io.runnerscaler.core.planner.Fleet.NOW;
import static io.runnerscaler.core.planner.Fleet.busy;
import static io.runnerscaler.core.planner.Fleet.draining;
import static io.runnerscaler.core.planner.Fleet.idle;
import static io.runnerscaler.core.planner.Fleet.idleWithBuilds;
import static io.runnerscaler.core.planner.Fleet.launching;
import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.config.MarketPolicy;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.port.Fleet.FleetInstance;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The planner's decisions beyond docker+machine's scaling, as tables: reconciliation with EC2's listing, market
 * choice (on-demand grants, spot capacity fallback), boot failures and their backoff, EC2's news about a machine,
 * and failed registrations. Each row says which machines and answers go in and which actions come out.
 */
class PlannerDecisionsTest {

    private final Planner planner = new Planner();

    /** One row of a whole plan: the pool, its machines, what EC2 lists and the pool's counters. */
    record Case(String behaviour, Pools pool, List<Machine> machines, int queued, Optional<List<FleetInstance>> listed,
                int grants, List<Instant> bootFailures, List<String> expected) {
        @Override
        public String toString() {
            return behaviour;
        }

        Case grants(int n) {
            return new Case(behaviour, pool, machines, queued, listed, n, bootFailures, expected);
        }

        Case failures(Instant... at) {
            return new Case(behaviour, pool, machines, queued, listed, grants, List.of(at), expected);
        }

        Case ec2Lists(FleetInstance... instances) {
            return new Case(behaviour, pool, machines, queued, Optional.of(List.of(instances)), grants, bootFailures,
                    expected);
        }
    }

    private static Case when(String behaviour, Pools pool, List<Machine> machines, int queued, String... expected) {
        return new Case(behaviour, pool, machines, queued, Optional.empty(), 0, List.of(), List.of(expected));
    }

    private static FleetInstance ec2(String id, String state, int launchedAgo) {
        return new FleetInstance(id, "docker", state, NOW.minusSeconds(launchedAgo));
    }

    private static FleetInstance ec2(Machine m, String state) {
        return new FleetInstance(m.instanceId(), "docker", state, m.launchedAt());
    }

    private static Instant ago(int seconds) {
        return NOW.minusSeconds(seconds);
    }

    private static Pools idleCount(int n) {
        return Pools.pool().idle(n, 300);
    }

    static Stream<Case> reconciliation() {
        Machine idleOld = idle("i-idle", 900, 60);
        Machine young = launching("i-young", 60);
        Machine fresh = idle("i-fresh", 200, 100);
        Machine used = idleWithBuilds("i-used", 2);
        return Stream.of(
                when("machineEc2NoLongerListsIsRecordedEndedWithoutAnEc2Call", idleCount(0), List.of(idleOld), 0,
                        "ended i-idle INSTANCE_GONE").ec2Lists(),
                when("machineYoungerThanTheListingLagIsNotGoneYet", idleCount(0), List.of(young), 0).ec2Lists(),
                when("aGoneMachineFreesItsPlaceAndIsReplacedForTheIdleTarget", idleCount(1).limit(1),
                        List.of(idleOld), 0, "ended i-idle INSTANCE_GONE", "launch 1 SPOT BELOW_IDLE_COUNT").ec2Lists(),
                when("aGoneMachineThatNeverTookAJobSoonAfterLaunchIsABootFailure", idleCount(0), List.of(fresh), 0,
                        "ended i-fresh INSTANCE_GONE (boot failure)").ec2Lists(),
                when("aGoneMachineThatRanJobsIsNoBootFailure", idleCount(0), List.of(used), 0,
                        "ended i-used INSTANCE_GONE").ec2Lists(),
                when("aStoppedInstanceIsTerminatedWithoutAskingTheForge", idleCount(0), List.of(idleOld), 0,
                        "discard i-idle STOPPED").ec2Lists(ec2(idleOld, "stopped")),
                when("aRunningInstanceTheTableKnowsIsLeftAlone", idleCount(1), List.of(idleOld), 0)
                        .ec2Lists(ec2(idleOld, "running")),
                when("anUnknownInstancePastTheOrphanGraceIsDiscarded", idleCount(0), List.of(), 0,
                        "discard i-orphan ORPHANED").ec2Lists(ec2("i-orphan", "running", 120)),
                when("anUnknownInstanceWithinTheGraceMayStillBeRecorded", idleCount(0), List.of(), 0)
                        .ec2Lists(ec2("i-new", "pending", 119)),
                when("anUnknownStoppedInstanceIsAnOrphanToo", idleCount(0), List.of(), 0,
                        "discard i-orphan ORPHANED").ec2Lists(ec2("i-orphan", "stopped", 3600)),
                when("withoutAListingNothingIsReconciled", idleCount(1), List.of(idleOld), 0));
    }

    static Stream<Case> marketChoice() {
        return Stream.of(
                when("onDemandGrantsBuyLaunchesForJobsOnDemandFirst", idleCount(0), List.of(), 3,
                        "launch 1 ON_DEMAND RETRY_ON_DEMAND", "launch 2 SPOT JOBS_WAITING").grants(1),
                when("moreGrantsThanJobsBuyOnlyWhatJobsNeed", idleCount(1), List.of(), 1,
                        "launch 1 ON_DEMAND RETRY_ON_DEMAND", "launch 1 SPOT BELOW_IDLE_COUNT").grants(5),
                when("grantsAreNotSpentOnTheIdleTarget", idleCount(2), List.of(), 0,
                        "launch 2 SPOT BELOW_IDLE_COUNT").grants(2),
                when("anOnDemandPoolNeedsNoGrant", idleCount(0).market(MarketPolicy.ON_DEMAND), List.of(), 2,
                        "launch 2 ON_DEMAND JOBS_WAITING").grants(2),
                when("spotWithFallbackPoolsSpendGrantsToo", idleCount(0).market(MarketPolicy.SPOT_WITH_FALLBACK),
                        List.of(), 2, "launch 2 ON_DEMAND RETRY_ON_DEMAND").grants(2));
    }

    static Stream<Case> bootFailures() {
        Machine healthy = busy("i-ok", 60);
        Machine veteran = busy("i-veteran", 90_000);
        return Stream.of(
                when("twoBootFailuresDoNotBackOff", idleCount(1), List.of(), 0, "launch 1 SPOT BELOW_IDLE_COUNT")
                        .failures(ago(300), ago(30)),
                when("threeBootFailuresInFifteenMinutesHoldLaunchesForAMinute", idleCount(1), List.of(), 2,
                        "hold BOOT_FAILURES").failures(ago(600), ago(300), ago(30)),
                when("theBackoffEndsAfterItsMinute", idleCount(1), List.of(), 0, "launch 1 SPOT BELOW_IDLE_COUNT")
                        .failures(ago(700), ago(400), ago(60)),
                when("eachFurtherFailureDoublesTheWait", idleCount(1), List.of(), 0, "hold BOOT_FAILURES")
                        .failures(ago(900), ago(800), ago(700), ago(119)),
                when("threeFailuresSpreadOverMoreThanFifteenMinutesDoNotBackOff", idleCount(1), List.of(), 0,
                        "launch 1 SPOT BELOW_IDLE_COUNT").failures(ago(1000), ago(500), ago(30)),
                when("aBackingOffPoolStillRetiresMachinesAndLeavesBusyOnesAlone", idleCount(1).maxBuilds(1),
                        List.of(idleWithBuilds("i-retired", 1), veteran), 0, "terminate i-retired MAX_BUILDS_REACHED",
                        "hold BOOT_FAILURES")
                        .failures(ago(600), ago(300), ago(30)),
                when("aMachineLaunchedSinceTheFailuresThatTookAJobResetsThem", idleCount(1), List.of(healthy), 0,
                        "reset i-ok HEALTHY_LAUNCH", "launch 1 SPOT BELOW_IDLE_COUNT")
                        .failures(ago(600), ago(300), ago(30)),
                when("aBusyMachineFromBeforeTheFailuresProvesNothing", idleCount(1), List.of(veteran), 0,
                        "hold BOOT_FAILURES").failures(ago(600), ago(300), ago(30)),
                when("aBackingOffPoolWithNothingWantedSaysNothing", idleCount(0), List.of(), 0)
                        .failures(ago(600), ago(300), ago(30)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"reconciliation", "marketChoice", "bootFailures"})
    void plans(Case c) {
        Plan plan = planner.plan(new PoolState(c.pool().build(), c.machines(), c.queued(), 0, 100, c.grants(),
                c.bootFailures(), c.listed()), NOW);
        assertThat(plan.actions().stream().map(PlannerTest::describe)).as(c.behaviour())
                .containsExactlyElementsOf(c.expected());
    }

    @Test
    void aBackingOffPoolSaysUntilWhenAndIsReviewedThen() {
        Plan plan = planner.plan(new PoolState(idleCount(1).build(), List.of(), 0, 0, 100, 0,
                List.of(ago(600), ago(300), ago(30)), Optional.empty()), NOW);
        assertThat(plan.holds()).singleElement().satisfies(h -> assertThat(h.detail())
                .contains("3 machine(s) ended before their first job").contains(NOW.plusSeconds(30).toString()));
        assertThat(plan.assessment().reviewAt()).contains(NOW.plusSeconds(30));
    }

    /** One row of EC2's news about one machine. */
    record News(String behaviour, Machine machine, InstanceNews news, List<String> expected) {
        @Override
        public String toString() {
            return behaviour;
        }
    }

    static Stream<News> instanceNews() {
        var stopped = new InstanceNews.StateChanged("stopped");
        var terminated = new InstanceNews.StateChanged("terminated");
        return Stream.of(
                new News("aStoppedMachineIsTerminated", idle("i-1", 3600, 60), stopped, List.of("discard i-1 STOPPED")),
                new News("aMachineThatStoppedRightAfterLaunchIsABootFailure", launching("i-1", 30), stopped,
                        List.of("discard i-1 STOPPED (boot failure)")),
                new News("aMachineThatEndedBeforeItsFirstJobIsABootFailure", launching("i-1", 20), terminated,
                        List.of("ended i-1 INSTANCE_ENDED (boot failure)")),
                new News("aMachineStillLaunchingWhenItEndsFailedToBootHoweverLate", launching("i-1", 7200),
                        terminated, List.of("ended i-1 INSTANCE_ENDED (boot failure)")),
                new News("anIdleMachineThatLivedPastTheBootTimeoutEndedByItsOwnIdleLimit", idle("i-1", 7200, 3600),
                        terminated, List.of("ended i-1 INSTANCE_ENDED")),
                new News("aMachineThatRanJobsIsNoBootFailure", idleWithBuilds("i-1", 1), new InstanceNews
                        .StateChanged("shutting-down"), List.of("ended i-1 INSTANCE_ENDED")),
                new News("aDrainedMachineEndingIsNoBootFailure", draining("i-1", false), terminated,
                        List.of("ended i-1 INSTANCE_ENDED")),
                new News("runningIsNoDecision", launching("i-1", 30), new InstanceNews.StateChanged("running"),
                        List.of()),
                new News("aSpotInterruptionWarningDrainsTheMachine", busy("i-1", 600), new InstanceNews.SpotNotice(true),
                        List.of("drain i-1 SPOT_INTERRUPTION")),
                new News("aRebalanceRecommendationDrainsTheMachine", idle("i-1", 600, 60),
                        new InstanceNews.SpotNotice(false), List.of("drain i-1 REBALANCE")),
                new News("aDrainingMachineIsNotDrainedAgain", draining("i-1", true), new InstanceNews.SpotNotice(true),
                        List.of()),
                new News("anEndedMachineNeedsNothing", Fleet.terminated("i-1"), terminated, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("instanceNews")
    void decidesWhatEc2sNewsCallsFor(News n) {
        assertThat(planner.onInstanceNews(Optional.of(idleCount(0).build()), n.machine(), n.news(), NOW).stream()
                .map(PlannerTest::describe)).as(n.behaviour()).containsExactlyElementsOf(n.expected());
    }

    @Test
    void newsOfAPoolNoLongerConfiguredCountsNoBootFailure() {
        assertThat(planner.onInstanceNews(Optional.empty(), launching("i-1", 20),
                new InstanceNews.StateChanged("terminated"), NOW).stream().map(PlannerTest::describe))
                .containsExactly("ended i-1 INSTANCE_ENDED");
    }

    /** One row of a launch the fleet answered. */
    record Answer(String behaviour, MarketPolicy policy, Action.Launch asked, int launched, boolean capacityError,
                  Optional<String> expected) {
        @Override
        public String toString() {
            return behaviour;
        }
    }

    static Stream<Answer> fleetAnswers() {
        var spot3 = new Action.Launch(3, Market.SPOT, Reason.JOBS_WAITING);
        return Stream.of(
                new Answer("spotWithFallbackBuysOnDemandWhatSpotLackedForCapacity", MarketPolicy.SPOT_WITH_FALLBACK,
                        spot3, 1, true, Optional.of("launch 2 ON_DEMAND SPOT_CAPACITY_FALLBACK")),
                new Answer("noSpotAtAllFallsBackForEveryMachine", MarketPolicy.SPOT_WITH_FALLBACK, spot3, 0, true,
                        Optional.of("launch 3 ON_DEMAND SPOT_CAPACITY_FALLBACK")),
                new Answer("aShortfallForQuotaOrConfigIsNotFallenBackOn", MarketPolicy.SPOT_WITH_FALLBACK, spot3, 0,
                        false, Optional.empty()),
                new Answer("aFullLaunchNeedsNothingMore", MarketPolicy.SPOT_WITH_FALLBACK, spot3, 3, true,
                        Optional.empty()),
                new Answer("spotOnlyPoolsDoNotFallBack", MarketPolicy.SPOT, spot3, 0, true, Optional.empty()),
                new Answer("onDemandIsNeverFallenBackFrom", MarketPolicy.SPOT_WITH_FALLBACK,
                        new Action.Launch(2, Market.ON_DEMAND, Reason.SPOT_CAPACITY_FALLBACK), 0, true,
                        Optional.empty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fleetAnswers")
    void decidesWhatALaunchTheFleetFellShortOnCallsFor(Answer a) {
        assertThat(planner.afterLaunch(idleCount(0).market(a.policy()).build(), a.asked(), a.launched(),
                a.capacityError()).map(PlannerTest::describe)).as(a.behaviour()).isEqualTo(a.expected());
    }

    @Test
    void grantsAnotherInvocationTookAreLaunchedOnThePoolsMarketForTheJobs() {
        var asked = new Action.Launch(3, Market.ON_DEMAND, Reason.RETRY_ON_DEMAND);
        assertThat(planner.afterGrants(idleCount(0).build(), asked, 1).map(PlannerTest::describe))
                .contains("launch 2 SPOT JOBS_WAITING");
        assertThat(planner.afterGrants(idleCount(0).build(), asked, 3)).isEmpty();
    }

    @Test
    void aMachineWhoseRegistrationFailedIsDiscardedAsABootFailure() {
        assertThat(PlannerTest.describe(planner.registrationFailed(idleCount(0).build(), "i-1")))
                .isEqualTo("discard i-1 REGISTRATION_FAILED (boot failure)");
    }

    @Test
    void anInstanceWhoseRecordCouldNotBeWrittenIsDiscardedAtOnce() {
        assertThat(PlannerTest.describe(planner.recordFailed(idleCount(0).build(), "i-1")))
                .isEqualTo("discard i-1 UNRECORDED");
    }

    @Test
    void instancesOfAPoolNoLongerConfiguredAreOrphansUnlessTheTableKnowsThem() {
        var listed = List.of(ec2("i-known", "running", 3600), ec2("i-unknown", "running", 3600),
                ec2("i-young", "running", 60));
        assertThat(Planner.orphans(listed, Set.of("i-known"), NOW).stream().map(PlannerTest::describe))
                .containsExactly("discard i-unknown ORPHANED");
    }

    /** Backoff lengths: the failure that starts it waits a minute, each after it doubles, at most 30 minutes. */
    @Test
    void theBackoffDoublesUpToThirtyMinutes() {
        List<Instant> failures = new ArrayList<>(List.of(ago(100), ago(90)));
        List<Duration> waits = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            failures.add(ago(80 - i));
            waits.add(Duration.between(failures.getLast(), BootBackoff.until(failures).orElseThrow()));
        }
        assertThat(waits).extracting(Duration::toMinutes).containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L);
        assertThat(BootBackoff.until(List.of(ago(100), ago(90)))).isEmpty();
    }
}
