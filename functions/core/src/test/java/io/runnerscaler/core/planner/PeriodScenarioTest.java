package io.runnerscaler.core.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.config.IdleSettings;
import io.runnerscaler.core.config.PeriodConfig;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue scenario 2: weekdays 9-17 IdleCount 50 / IdleTime 3600, weekends IdleCount 5 / IdleTime 60,
 * base IdleCount 2 / IdleTime 300 otherwise; in UTC, and in Europe/Berlin across the March and October
 * clock changes (2026-03-29 02:00 CET -> 03:00 CEST, 2026-10-25 03:00 CEST -> 02:00 CET).
 */
public class PeriodScenarioTest {

    public static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    public static PoolConfig pool(ZoneId zone) {
        return Pools.pool().limit(100).idle(2, 300).periods(zone,
                new PeriodConfig(List.of("* * 9-17 * * mon-fri *"),
                        new IdleSettings(50, 0, 0, Duration.ofSeconds(3600)), zone),
                new PeriodConfig(List.of("* * * * * sat,sun *"),
                        new IdleSettings(5, 0, 0, Duration.ofSeconds(60)), zone)).build();
    }

    static Stream<Arguments> targets() {
        return Stream.of(
                // behaviour, zone, instant, idle target
                Arguments.of("utcMondayBeforeNineUsesBaseValues", ZoneOffset.UTC, "2026-03-30T08:59:59Z", 2),
                Arguments.of("utcMondayAtNineUsesWeekdayPeriod", ZoneOffset.UTC, "2026-03-30T09:00:00Z", 50),
                Arguments.of("utcFridayAt17_59_59StillWeekday", ZoneOffset.UTC, "2026-03-27T17:59:59Z", 50),
                Arguments.of("utcFridayAtSixUsesBaseValues", ZoneOffset.UTC, "2026-03-27T18:00:00Z", 2),
                Arguments.of("utcSaturdayMidnightStartsWeekend", ZoneOffset.UTC, "2026-03-28T00:00:00Z", 5),
                Arguments.of("utcSundayLastSecondIsWeekend", ZoneOffset.UTC, "2026-03-29T23:59:59Z", 5),
                Arguments.of("utcMondayMidnightEndsWeekend", ZoneOffset.UTC, "2026-03-30T00:00:00Z", 2),
                // March: Berlin is UTC+1 before the change, UTC+2 after it.
                Arguments.of("berlinFridayNineIsEightUtcInWinter", BERLIN, "2026-03-27T08:00:00Z", 50),
                Arguments.of("berlinFridayBeforeNineInWinter", BERLIN, "2026-03-27T07:59:59Z", 2),
                Arguments.of("berlinWeekendStartsAt23UtcInWinter", BERLIN, "2026-03-27T23:00:00Z", 5),
                Arguments.of("berlinFridayLastSecondInWinter", BERLIN, "2026-03-27T22:59:59Z", 2),
                Arguments.of("berlinSpringForwardHourIsWeekend", BERLIN, "2026-03-29T01:30:00Z", 5),
                Arguments.of("berlinWeekendEndsAt22UtcInSummer", BERLIN, "2026-03-29T22:00:00Z", 2),
                Arguments.of("berlinSundayLastSecondInSummer", BERLIN, "2026-03-29T21:59:59Z", 5),
                Arguments.of("berlinMondayNineIsSevenUtcInSummer", BERLIN, "2026-03-30T07:00:00Z", 50),
                Arguments.of("berlinMondayBeforeNineInSummer", BERLIN, "2026-03-30T06:59:59Z", 2),
                Arguments.of("berlinMondayEndsAtSixteenUtcInSummer", BERLIN, "2026-03-30T16:00:00Z", 2),
                Arguments.of("berlinMonday17_59_59InSummer", BERLIN, "2026-03-30T15:59:59Z", 50),
                // October: UTC+2 before the change, UTC+1 after it; 02:00-03:00 local happens twice.
                Arguments.of("berlinFridayNineIsSevenUtcInSummer", BERLIN, "2026-10-23T07:00:00Z", 50),
                Arguments.of("berlinFirstTwoThirtyIsWeekend", BERLIN, "2026-10-25T00:30:00Z", 5),
                Arguments.of("berlinRepeatedTwoThirtyIsWeekend", BERLIN, "2026-10-25T01:30:00Z", 5),
                Arguments.of("berlinWeekendEndsAt23UtcInWinter", BERLIN, "2026-10-25T23:00:00Z", 2),
                Arguments.of("berlinSundayLastSecondInWinter", BERLIN, "2026-10-25T22:59:59Z", 5),
                Arguments.of("berlinMondayNineIsEightUtcInWinter", BERLIN, "2026-10-26T08:00:00Z", 50),
                Arguments.of("berlinMondayAtSevenUtcIsEightLocalInWinter", BERLIN, "2026-10-26T07:59:59Z", 2),
                Arguments.of("berlinMondayEndsAtSeventeenUtcInWinter", BERLIN, "2026-10-26T17:00:00Z", 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void idleTargetFollowsTheLocalClock(String behaviour, ZoneId zone, String at, int target) {
        Plan plan = new Planner().plan(new PoolState(pool(zone), List.of(), 0, 0, 100), Instant.parse(at));
        assertThat(plan.assessment().idleTarget()).as(behaviour).isEqualTo(target);
    }

    static Stream<Arguments> transitions() {
        return Stream.of(
                // behaviour, instant, idle machines (idle for seconds), expected action summary
                Arguments.of("periodStartPrewarmsUpToFifty", "2026-03-30T07:00:00Z", 2, 7200,
                        List.of("launch 48 SPOT PERIOD_ACTIVE")),
                Arguments.of("periodEndShrinksToBaseOnceIdleTimeHasPassed", "2026-03-30T16:00:00Z", 50, 600,
                        List.of("terminate 48 IDLE_TIME_EXCEEDED")),
                Arguments.of("periodEndKeepsMachinesIdleLessThanBaseIdleTime", "2026-03-30T16:00:00Z", 50, 299,
                        List.of()),
                Arguments.of("duringThePeriodExtraMachinesWaitTheLongerIdleTime", "2026-03-30T15:00:00Z", 60, 3000,
                        List.of()),
                Arguments.of("duringThePeriodExtraMachinesGoAfterItsIdleTime", "2026-03-30T15:00:00Z", 60, 3600,
                        List.of("terminate 10 IDLE_TIME_EXCEEDED")),
                Arguments.of("weekendUsesItsShortIdleTime", "2026-03-29T12:00:00Z", 10, 61,
                        List.of("terminate 5 IDLE_TIME_EXCEEDED")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transitions")
    void periodsPrewarmAndShrinkInBerlin(String behaviour, String at, int idleMachines, int idleFor,
                                         List<String> expected) {
        Instant now = Instant.parse(at);
        List<Machine> machines = new ArrayList<>();
        for (int i = 0; i < idleMachines; i++) {
            machines.add(new Machine(String.format("m%03d", i), "docker", MachineState.IDLE, Market.SPOT, "m7i.large",
                    0, now.minusSeconds(idleFor + 1000 - i), now.minusSeconds(idleFor), Optional.empty()));
        }
        Plan plan = new Planner().plan(new PoolState(pool(BERLIN), machines, 0, 0, 100), now);
        List<String> summary = new ArrayList<>();
        plan.launches().forEach(l -> summary.add("launch " + l.count() + " " + l.market() + " " + l.reason()));
        if (!plan.terminations().isEmpty()) {
            summary.add("terminate " + plan.terminations().size() + " " + plan.terminations().getFirst().reason());
            assertThat(plan.terminations()).extracting(Action.Terminate::reason).containsOnly(
                    plan.terminations().getFirst().reason());
        }
        assertThat(summary).as(behaviour).containsExactlyElementsOf(expected);
    }
}
