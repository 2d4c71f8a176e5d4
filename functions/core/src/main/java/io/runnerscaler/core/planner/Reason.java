package io.runnerscaler.core.planner;

/** Why the planner chose an action, or chose not to act. Logged, counted and printed everywhere. */
public enum Reason {
    /** Jobs are queued and no idle machine can take them. */
    JOBS_WAITING,
    /** Fewer idle machines than the idle target. */
    BELOW_IDLE_COUNT,
    /** Launches to reach the idle target of the period now in force (pre-warming). */
    PERIOD_ACTIVE,
    /** An idle machine beyond the idle target stayed idle longer than IdleTime. */
    IDLE_TIME_EXCEEDED,
    /** More idle machines than the idle target (kept until IdleTime passes). */
    ABOVE_IDLE_COUNT,
    /** The machine ran MaxBuilds jobs. */
    MAX_BUILDS_REACHED,
    /** The machine stayed LAUNCHING past the pool's boot timeout. */
    BOOT_TIMEOUT,
    /** A launch was wanted but the pool is at its limit. */
    LIMIT_REACHED,
    /** A launch was wanted but global concurrent is reached. */
    CONCURRENT_REACHED,
    /** A launch was deferred because MaxGrowthRate machines are already launching. */
    GROWTH_RATE,
    /** An idle machine is terminated because the pool has more machines than its limit (limit lowered). */
    ABOVE_LIMIT,
    /** A draining machine finished its work. */
    DRAINED
}
