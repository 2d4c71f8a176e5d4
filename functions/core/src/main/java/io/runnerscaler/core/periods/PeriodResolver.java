package io.runnerscaler.core.periods;

import io.runnerscaler.core.config.PeriodConfig;
import io.runnerscaler.core.config.PoolConfig;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Picks the idle settings in force for a pool, as docker+machine does with
 * {@code [[runners.machine.autoscaling]]}: every period whose schedule contains {@code now} (in the
 * period's timezone) matches, the LAST matching period wins, and outside every period the pool's base
 * values apply. Parsed schedules are cached; thread-safe.
 */
public final class PeriodResolver {

    private final ConcurrentHashMap<String, CronSchedule> schedules = new ConcurrentHashMap<>();

    public ActiveSettings resolve(PoolConfig pool, Instant now) {
        List<PeriodConfig> periods = pool.periods();
        for (int i = periods.size() - 1; i >= 0; i--) {
            if (matches(periods.get(i), now)) {
                return new ActiveSettings(periods.get(i).idle(), OptionalInt.of(i));
            }
        }
        return new ActiveSettings(pool.idle(), OptionalInt.empty());
    }

    /** Whether any of the period's schedules contains {@code now}. */
    public boolean matches(PeriodConfig period, Instant now) {
        ZonedDateTime local = now.atZone(period.timezone());
        for (String expression : period.schedules()) {
            if (schedules.computeIfAbsent(expression, CronSchedule::parse).matches(local)) {
                return true;
            }
        }
        return false;
    }
}
