package io.runnerscaler.core.planner;

/** Why the planner chose an action, or chose not to act. Logged, counted and printed everywhere. */
public enum Reason {
    /** Jobs are queued and no idle machine can take them. */
    JOBS_WAITING,
    /** A machine of the stopped pool is started for waiting jobs or the idle target, before any launch. */
    STARTED_FROM_POOL,
    /** Fewer stopped machines than {@code stoppedCount}: launch to refill, or stop a refill that is ready. */
    POOL_REFILL,
    /** EC2 could not start a stopped machine (capacity): a cold launch replaces the start. */
    START_FAILED,
    /** A stopped machine was built from an image older than the one the pool launches now. */
    IMAGE_OUTDATED,
    /** A stopped machine was launched longer ago than {@code stoppedMaxAge}. */
    STOPPED_MAX_AGE,
    /** More stopped machines than {@code stoppedCount} (a period that held more ended). */
    ABOVE_STOPPED_COUNT,
    /** Fewer idle machines than the idle target. */
    BELOW_IDLE_COUNT,
    /** Launches to reach the idle target of the period now in force (pre-warming). */
    PERIOD_ACTIVE,
    /** A job retried after a spot interruption gets an on-demand machine (the pool's on-demand grants). */
    RETRY_ON_DEMAND,
    /** Spot could not supply these machines (a capacity error): a spot-with-fallback pool buys them on demand. */
    SPOT_CAPACITY_FALLBACK,
    /** An idle machine beyond the idle target stayed idle longer than IdleTime. */
    IDLE_TIME_EXCEEDED,
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
    /** Machines of the pool keep ending before their first job: launches wait out an exponential backoff. */
    BOOT_FAILURES,
    /** A machine launched since the boot failures began ran a job: the pool boots again, the count starts over. */
    HEALTHY_LAUNCH,
    /** An idle machine is terminated because the pool has more machines than its limit (limit lowered). */
    ABOVE_LIMIT,
    /** A draining machine finished its work. */
    DRAINED,
    /** EC2 warned that it takes the spot machine back in two minutes: it takes no new job. */
    SPOT_INTERRUPTION,
    /** EC2 recommends rebalancing the spot machine away (elevated interruption risk): it takes no new job. */
    REBALANCE,
    /** The machine's runner could not be given its registration: it can never take a job. */
    REGISTRATION_FAILED,
    /** EC2 no longer lists the machine's instance (past the listing lag): it ended without us. */
    INSTANCE_GONE,
    /** EC2 reports the instance shutting down or terminated by itself (its runner shut it down, spot took it). */
    INSTANCE_ENDED,
    /** The instance is stopped: a stopped runner takes no job and still costs its volume. */
    STOPPED,
    /** An instance this stack tagged that the table does not know (or knows as ended), past the orphan grace. */
    ORPHANED,
    /** The table write right after CreateFleet failed: an instance nobody records is terminated at once. */
    UNRECORDED,
    /** A started job's machine is already busy with it (a redelivered event). */
    ALREADY_BUSY,
    /** GitLab's Jobs API names the runner manager running the job: the machine whose system id it is. */
    RUNNER_MANAGER,
    /** The forge names the runner running the job, and it is this machine's (GitHub's one runner per machine). */
    RUNNER_NAME,
    /** The forge named no machine: the best guess is the machine launched for the job. */
    LAUNCHED_FOR_JOB,
    /** The forge named no machine: the best guess is the machine idle the longest. */
    LONGEST_IDLE,
    /** The forge named no machine and none is idle: the best guess is the machine launching the longest. */
    OLDEST_LAUNCHING,
    /** The job runs on a runner that is not the pool's (another runner id or name): no machine of ours is busy. */
    OTHER_RUNNER,
    /** The forge names a runner manager or runner that is none of the pool's live machines. */
    UNKNOWN_MACHINE,
    /** The forge named no machine and the pool has none that could have taken the job. */
    NO_MACHINE,
    /** A queued job no pool took is taken by a pool of the config loaded since it was recorded. */
    CONFIG_CHANGED,
    /** The forge's API budget (the GitHub App's rate limits) registers fewer machines now: the rest wait for it. */
    FORGE_RATE_LIMIT
}
