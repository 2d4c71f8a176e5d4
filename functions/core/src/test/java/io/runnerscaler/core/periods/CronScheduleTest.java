package io.runnerscaler.core.periods;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CronScheduleTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    static Stream<Arguments> cases() {
        return Stream.of(
                // behaviour, expression, local time (Berlin), matches
                Arguments.of("weekday office hours match at nine", "* * 9-17 * * mon-fri *", "2026-03-30T09:00:00", true),
                Arguments.of("weekday office hours match at 17:59:59", "* * 9-17 * * mon-fri *", "2026-03-30T17:59:59", true),
                Arguments.of("weekday office hours end at six", "* * 9-17 * * mon-fri *", "2026-03-30T18:00:00", false),
                Arguments.of("weekday office hours skip saturday", "* * 9-17 * * mon-fri *", "2026-03-28T10:00:00", false),
                Arguments.of("upper-case day names work", "* * 9-17 * * MON-FRI *", "2026-03-30T10:00:00", true),
                Arguments.of("weekend matches sunday", "* * * * * sat,sun *", "2026-03-29T23:59:59", true),
                Arguments.of("sunday as 0", "* * * * * 0 *", "2026-03-29T12:00:00", true),
                Arguments.of("sunday as 7", "* * * * * 7 *", "2026-03-29T12:00:00", true),
                Arguments.of("weekend does not match monday", "* * * * * sat,sun *", "2026-03-30T00:00:00", false),
                Arguments.of("year field restricts", "* * * * * * 2027", "2026-03-30T10:00:00", false),
                Arguments.of("5-field covers the whole minute", "30 8 * * 1-5", "2026-03-30T08:30:45", true),
                Arguments.of("5-field outside the minute", "30 8 * * 1-5", "2026-03-30T08:31:00", false),
                Arguments.of("5-field hour range", "* 9-17 * * mon-fri", "2026-10-26T17:30:00", true),
                Arguments.of("second field restricts", "0-29 * * * * * *", "2026-03-30T10:00:30", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesWallClockTime(String behaviour, String expression, String local, boolean expected) {
        ZonedDateTime at = LocalDateTime.parse(local).atZone(BERLIN);
        assertThat(CronSchedule.parse(expression).matches(at)).as(behaviour).isEqualTo(expected);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("six fields", "* * 9-17 * * mon-fri", "has 6 fields"),
                Arguments.of("empty", "", "has 0 fields"),
                Arguments.of("hour out of range", "* * 25 * * * *", "not a valid cron expression"),
                Arguments.of("unknown day name", "* 9 * * funday", "not a valid cron expression"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejectsBadExpressionsWithAReadableMessage(String behaviour, String expression, String message) {
        assertThatThrownBy(() -> CronSchedule.parse(expression))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    static Stream<Arguments> both() {
        return Stream.of(
                Arguments.of("dayOfMonthOrDayOfWeekWhenBothRestricted", "0 12 1 * mon", "2026-03-02T12:00:00", true),
                Arguments.of("firstOfMonthMatchesThroughDayOfMonth", "0 12 1 * mon", "2026-04-01T12:00:00", true),
                Arguments.of("neitherDayMatches", "0 12 1 * mon", "2026-04-02T12:00:00", false),
                Arguments.of("lastDayOfMonth", "* * * L * ? *", "2026-02-28T10:00:00", true),
                Arguments.of("thirdFridayHash", "* * * ? * 5#3 *", "2026-03-20T10:00:00", true),
                Arguments.of("notThirdFriday", "* * * ? * 5#3 *", "2026-03-13T10:00:00", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("both")
    void dayFieldsFollowCron(String behaviour, String expression, String local, boolean expected) {
        assertThat(CronSchedule.parse(expression).matches(LocalDateTime.parse(local).atZone(BERLIN))).as(behaviour)
                .isEqualTo(expected);
    }

    @net.jqwik.api.Property(tries = 300)
    void agreesWithCronUtilsEvaluation(
            @net.jqwik.api.ForAll("expressions") String expression,
            @net.jqwik.api.ForAll @net.jqwik.api.constraints.LongRange(min = 1767225600L, max = 1830297600L)
            long epochSecond) {
        CronSchedule schedule = CronSchedule.parse(expression);
        ZonedDateTime at = java.time.Instant.ofEpochSecond(epochSecond).atZone(BERLIN);
        boolean seconds = expression.trim().split("\\s+").length == 7;
        ZonedDateTime truncated = at.truncatedTo(seconds ? java.time.temporal.ChronoUnit.SECONDS
                : java.time.temporal.ChronoUnit.MINUTES);
        assertThat(schedule.matches(at)).as(expression + " at " + at)
                .isEqualTo(com.cronutils.model.time.ExecutionTime.forCron(schedule.cron()).isMatch(truncated));
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> expressions() {
        return net.jqwik.api.Arbitraries.of("* * 9-17 * * mon-fri *", "*/15 0-30/5 */2 * * * *",
                "* * * L * ? *", "* * * 15W * ? *", "* * * ? * 5#3 *", "* * * ? * 5L *",
                "* * * * * sat,sun 2026-2027", "* 8 * * 1-5", "* * 1,15 * *", "*/10 * * 3-10 *", "* * * * *");
    }
}
