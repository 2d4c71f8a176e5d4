package io.runnerscaler.core.config;

import java.time.ZoneId;
import java.util.List;

/**
 * One {@code [[runners.machine.autoscaling]]} entry: while any of its schedules matches, its idle
 * settings replace the pool's. When several periods match, the last one wins.
 *
 * @param schedules GitLab 7-field ({@code * * 9-17 * * mon-fri *}) or standard 5-field cron expressions
 */
public record PeriodConfig(List<String> schedules, IdleSettings idle, ZoneId timezone) {

    public PeriodConfig {
        schedules = List.copyOf(schedules);
    }
}
