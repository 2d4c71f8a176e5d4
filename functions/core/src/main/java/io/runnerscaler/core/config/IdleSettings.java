package io.runnerscaler.core.config;

import java.time.Duration;

/**
 * The idle knobs of docker+machine, as a pool has them by default or as a period overrides them.
 *
 * @param idleCount       machines kept idle beside busy ones (upper bound when a scale factor is set)
 * @param idleCountMin    lower bound of the idle target when {@code idleScaleFactor} is set
 * @param idleScaleFactor idle target = factor x busy machines; 0 means use {@code idleCount} as is
 * @param idleTime        how long a machine beyond the idle target may stay idle before removal
 * @param stoppedCount    machines kept stopped, booted once and ready to start (a stopped pool); not docker+machine's
 */
public record IdleSettings(int idleCount, int idleCountMin, double idleScaleFactor, Duration idleTime,
                           int stoppedCount) {

    /** Without a stopped pool. */
    public IdleSettings(int idleCount, int idleCountMin, double idleScaleFactor, Duration idleTime) {
        this(idleCount, idleCountMin, idleScaleFactor, idleTime, 0);
    }

    public IdleSettings withStoppedCount(int count) {
        return new IdleSettings(idleCount, idleCountMin, idleScaleFactor, idleTime, count);
    }
}
