package io.runnerscaler.core.periods;

import com.cronutils.model.Cron;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.mapper.WeekDay;
import com.cronutils.model.field.CronField;
import com.cronutils.model.field.CronFieldName;
import com.cronutils.model.field.definition.DayOfWeekFieldDefinition;
import com.cronutils.model.field.expression.Always;
import com.cronutils.model.field.expression.QuestionMark;
import com.cronutils.model.time.generator.FieldValueGenerator;
import com.cronutils.model.time.generator.FieldValueGeneratorFactory;
import com.cronutils.parser.CronParser;
import java.time.YearMonth;
import java.time.ZonedDateTime;
import java.util.BitSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One period schedule, as docker+machine's {@code Periods} entries are written: GitLab's 7-field
 * {@code [second] [minute] [hour] [day of month] [month] [day of week] [year]} or the standard 5-field
 * {@code [minute] [hour] [day of month] [month] [day of week]}.
 *
 * <p>A schedule is a set of wall-clock instants: an instant is in the period when every field contains
 * the instant's local second, minute, hour, day, month, weekday and year. A 5-field schedule covers the
 * whole of each matching minute. Days of week are 0-7 (0 and 7 are Sunday) or {@code sun}-{@code sat};
 * names are case-insensitive. cron-utils parses and validates; matching uses sets of allowed values
 * computed once, so a check costs a few bit lookups.
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
    private final Cron cron;
    private final boolean hasSeconds;
    private final BitSet seconds;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet months;
    private final FieldValueGenerator years;
    private final boolean domRestricted;
    private final boolean dowRestricted;
    /** Matching days of month per {@code year * 12 + month}: they depend on the month for L, W and #. */
    private final Map<Integer, BitSet> days = new ConcurrentHashMap<>();

    private CronSchedule(String expression, Cron cron) {
        this.expression = expression;
        this.cron = cron;
        this.hasSeconds = cron.retrieve(CronFieldName.SECOND) != null;
        this.seconds = hasSeconds ? values(CronFieldName.SECOND, 0, 59) : only(0);
        this.minutes = values(CronFieldName.MINUTE, 0, 59);
        this.hours = values(CronFieldName.HOUR, 0, 23);
        this.months = values(CronFieldName.MONTH, 1, 12);
        CronField year = cron.retrieve(CronFieldName.YEAR);
        this.years = year == null ? null : FieldValueGeneratorFactory.createYearValueGeneratorInstance(year);
        this.domRestricted = restricted(cron.retrieve(CronFieldName.DAY_OF_MONTH));
        this.dowRestricted = restricted(cron.retrieve(CronFieldName.DAY_OF_WEEK));
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
        try {
            Cron cron = parser.parse(trimmed.toUpperCase(Locale.ROOT));
            cron.validate();
            return new CronSchedule(expression, cron);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + expression + "' is not a valid cron expression: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Whether the local wall-clock time {@code at} lies in this schedule. When day of month and day of
     * week are both restricted, a day matching either matches (as cron and GitLab's cronexpr do).
     */
    public boolean matches(ZonedDateTime at) {
        if (!seconds.get(hasSeconds ? at.getSecond() : 0)
                || !minutes.get(at.getMinute()) || !hours.get(at.getHour()) || !months.get(at.getMonthValue())) {
            return false;
        }
        if (years != null && !years.isMatch(at.getYear())) {
            return false;
        }
        return days.computeIfAbsent(at.getYear() * 12 + at.getMonthValue() - 1, k -> days(at.getYear(),
                at.getMonthValue())).get(at.getDayOfMonth());
    }

    /** The parsed expression; tests compare against cron-utils' own evaluation. */
    Cron cron() {
        return cron;
    }

    public String expression() {
        return expression;
    }

    @Override
    public String toString() {
        return expression;
    }

    private BitSet values(CronFieldName name, int from, int to) {
        FieldValueGenerator generator = FieldValueGeneratorFactory.forCronField(cron.retrieve(name));
        BitSet set = new BitSet(to + 1);
        for (int v = from; v <= to; v++) {
            if (generator.isMatch(v)) {
                set.set(v);
            }
        }
        return set;
    }

    private BitSet days(int year, int month) {
        int last = YearMonth.of(year, month).lengthOfMonth();
        BitSet set = new BitSet(last + 1);
        if (!domRestricted && !dowRestricted) {
            set.set(1, last + 1);
            return set;
        }
        if (domRestricted) {
            FieldValueGenerator dom = FieldValueGeneratorFactory.createDayOfMonthValueGeneratorInstance(
                    cron.retrieve(CronFieldName.DAY_OF_MONTH), year, month);
            addDays(set, dom, last);
        }
        if (dowRestricted) {
            WeekDay monday = ((DayOfWeekFieldDefinition) cron.getCronDefinition()
                    .getFieldDefinition(CronFieldName.DAY_OF_WEEK)).getMondayDoWValue();
            FieldValueGenerator dow = FieldValueGeneratorFactory.createDayOfWeekValueGeneratorInstance(
                    cron.retrieve(CronFieldName.DAY_OF_WEEK), year, month, monday);
            addDays(set, dow, last);
        }
        return set;
    }

    private static void addDays(BitSet set, FieldValueGenerator generator, int last) {
        for (int day : generator.generateCandidates(1, last)) {
            if (day >= 1 && day <= last) {
                set.set(day);
            }
        }
    }

    private static boolean restricted(CronField field) {
        return field != null && !(field.getExpression() instanceof Always)
                && !(field.getExpression() instanceof QuestionMark);
    }

    private static BitSet only(int value) {
        BitSet set = new BitSet();
        set.set(value);
        return set;
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
