package io.runnerscaler.core.periods;

import com.cronutils.model.Cron;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;

/**
 * One period schedule, as docker+machine's {@code Periods} entries are written: GitLab's 7-field
 * {@code [second] [minute] [hour] [day of month] [month] [day of week] [year]} or the standard 5-field
 * {@code [minute] [hour] [day of month] [month] [day of week]}.
 *
 * <p>A schedule is a set of wall-clock instants: an instant is in the period when every field contains
 * the instant's local second, minute, hour, day, month, weekday and year. A 5-field schedule covers the
 * whole of each matching minute. Days of week are 0-7 (0 and 7 are Sunday) or {@code sun}-{@code sat};
 * names are case-insensitive.
 */
public final class CronSchedule {

    private static final CronParser GITLAB = new CronParser(CronDefinitionBuilder.defineCron()
            .withSeconds().withStrictRange().and()
            .withMinutes().withStrictRange().and()
            .withHours().withStrictRange().and()
            .withDayOfMonth().supportsL().supportsW().supportsLW().supportsQuestionMark().withStrictRange().and()
            .withMonth().withStrictRange().and()
            .withDayOfWeek().withValidRange(0, 7).withMondayDoWValue(1).withIntMapping(7, 0)
                .supportsHash().supportsL().supportsQuestionMark().withStrictRange().and()
            .withYear().withValidRange(1970, 2099).withStrictRange().and()
            .matchDayOfWeekAndDayOfMonth()
            .instance());

    private static final CronParser STANDARD = new CronParser(standardDefinition());

    private final String expression;
    private final ExecutionTime execution;
    private final boolean secondGranularity;

    private CronSchedule(String expression, ExecutionTime execution, boolean secondGranularity) {
        this.expression = expression;
        this.execution = execution;
        this.secondGranularity = secondGranularity;
    }

    /**
     * Parses a 7-field or 5-field expression.
     *
     * @throws IllegalArgumentException naming what is wrong, ready to show to the person who wrote it
     */
    public static CronSchedule parse(String expression) {
        Objects.requireNonNull(expression, "expression");
        String trimmed = expression.trim().replaceAll("\\s+", " ");
        int fields = trimmed.isEmpty() ? 0 : trimmed.split(" ").length;
        CronParser parser = switch (fields) {
            case 7 -> GITLAB;
            case 5 -> STANDARD;
            default -> throw new IllegalArgumentException("'" + expression + "' has " + fields
                    + " fields; expected 7 ([second] [minute] [hour] [day of month] [month] [day of week] [year])"
                    + " or 5 ([minute] [hour] [day of month] [month] [day of week])");
        };
        Cron cron;
        try {
            cron = parser.parse(trimmed.toUpperCase(Locale.ROOT));
            cron.validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + expression + "' is not a valid cron expression: "
                    + e.getMessage(), e);
        }
        return new CronSchedule(expression, ExecutionTime.forCron(cron), fields == 7);
    }

    /** Whether the local wall-clock time {@code at} lies in this schedule. */
    public boolean matches(ZonedDateTime at) {
        ZonedDateTime truncated = at.truncatedTo(secondGranularity ? ChronoUnit.SECONDS : ChronoUnit.MINUTES);
        return execution.isMatch(truncated);
    }

    public String expression() {
        return expression;
    }

    @Override
    public String toString() {
        return expression;
    }

    private static CronDefinition standardDefinition() {
        return CronDefinitionBuilder.defineCron()
                .withMinutes().withStrictRange().and()
                .withHours().withStrictRange().and()
                .withDayOfMonth().withStrictRange().and()
                .withMonth().withStrictRange().and()
                .withDayOfWeek().withValidRange(0, 7).withMondayDoWValue(1).withIntMapping(7, 0).withStrictRange()
                    .and()
                .matchDayOfWeekAndDayOfMonth()
                .instance();
    }
}
