package io.runnerscaler.core.usecase;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.matching.MatchResult;
import io.runnerscaler.core.matching.PoolMatcher;
import io.runnerscaler.core.model.BootPath;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.planner.Placement;
import io.runnerscaler.core.planner.Plan;
import io.runnerscaler.core.planner.Planner;
import io.runnerscaler.core.planner.PoolState;
import io.runnerscaler.core.planner.Reason;
import io.runnerscaler.core.planner.RunningJob;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.JobLedger;
import io.runnerscaler.core.port.JobRetry;
import io.runnerscaler.core.port.MachineStore;
import io.runnerscaler.core.port.Metrics;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.function.Supplier;

/**
 * The scale-up use case: one job event from the queue. Records it in the ledger (idempotently, forward
 * only), finds its pool, and for a queued job asks the planner what to launch; for running and finished
 * jobs it moves the machine to BUSY and back to IDLE.
 */
public final class JobEvents {

    private final Supplier<ScalerConfig> config;
    private final JobLedger ledger;
    private final MachineStore machines;
    private final Planner planner;
    private final PlanExecutor executor;
    private final JobRetry retry;
    private final Clock clock;
    private final EventLog log;
    private final Metrics metrics;

    /** Retries of a job failed by spot interruptions; the retry runs on demand, so one is usually enough. */
    public static final int MAX_INTERRUPTION_RETRIES = 2;

    public JobEvents(Supplier<ScalerConfig> config, JobLedger ledger, MachineStore machines, Planner planner,
                     PlanExecutor executor, JobRetry retry, Clock clock, EventLog log, Metrics metrics) {
        this.config = config;
        this.ledger = ledger;
        this.machines = machines;
        this.planner = planner;
        this.executor = executor;
        this.retry = retry;
        this.clock = clock;
        this.log = log;
        this.metrics = metrics;
    }

    public void handle(JobEvent event) {
        Instant now = clock.instant();
        ScalerConfig cfg = config.get();
        MatchResult match = new PoolMatcher(cfg.pools()).match(event);
        Optional<PoolConfig> pool = match instanceof MatchResult.Matched m ? Optional.of(m.pool()) : Optional.empty();
        JobLedger.Transition transition = ledger.record(event, pool.map(PoolConfig::name), now);
        if (transition == JobLedger.Transition.STALE && !isRedeliveryOfCurrentStatus(event)) {
            log.info("job.stale", Map.of("job", event.jobKey(), "status", event.status().name(),
                    "delivery", event.deliveryId()));
            return;
        }
        if (match instanceof MatchResult.Unmatched u) {
            metrics.count("JobsUnmatched", Map.of("Forge", event.forge().id(), "Reason", u.reason().name()));
            log.warn("job.unmatched", Map.of("job", event.jobKey(), "labels", event.labels(),
                    "reason", u.reason().name(), "detail", u.detail(), "delivery", event.deliveryId()));
            return;
        }
        PoolConfig p = pool.get();
        switch (event.status()) {
            case CREATED -> { }
            case QUEUED -> scaleUp(cfg, p, event, now);
            case RUNNING -> started(p, event, now);
            case SUCCEEDED, FAILED, CANCELED -> finished(p, event, now, transition != JobLedger.Transition.STALE);
        }
    }

    /**
     * Plans the pool from its counters (a constant number of reads however many jobs and machines it has) and
     * carries the plan out; when the pool's capacity changed between the read and the reservation (another
     * scale-up launched, or a machine ended), reads and plans again, so jobs planned at once get one machine each.
     */
    private void scaleUp(ScalerConfig cfg, PoolConfig pool, JobEvent event, Instant now) {
        metrics.count("JobsQueued", Map.of("Pool", pool.name(), "Forge", pool.forge().id()));
        for (int attempt = 1; ; attempt++) {
            // At least this job: the ledger counted it in the transaction that recorded it, unless that was undone.
            int queued = Math.max(1, ledger.count(pool.name(), JobStatus.QUEUED));
            MachineStore.PoolCounters counters = machines.counters(pool.name());
            PoolState state = PoolState.counted(pool, counters.machineCounts(), queued, runningJobs(cfg),
                    cfg.concurrent(), counters.onDemandGrants(), counters.bootFailures());
            Plan plan = planner.plan(state, now);
            if (executor.execute(pool, plan, now, Optional.of(event.jobKey()), counters.version())) {
                log.info("job.queued", Map.of("pool", pool.name(), "job", event.jobKey(), "delivery",
                        event.deliveryId(), "queued", state.queuedJobs(), "launch", plan.launchCount(),
                        "attempts", attempt));
                return;
            }
            metrics.count("ScaleUpReplans", Map.of("Pool", pool.name()));
            if (attempt >= MAX_PLANS) {
                // The queue brings the message back (after its visibility timeout), and that attempt plans anew.
                throw new IllegalStateException("pool '" + pool.name() + "': its capacity changed under each of "
                        + MAX_PLANS + " plans for " + event.jobKey() + "; planning again later");
            }
        }
    }

    /** Plans one job's scale-up may make before the queue brings it back; each lost race means another launched. */
    static final int MAX_PLANS = 25;

    /**
     * A job runs: its machine becomes BUSY and keeps its first job's instant, and the job's time from queued to
     * running is measured once ({@code TimeToRunner}, by {@code Pool} and {@code Path}: {@link BootPath#id()} of
     * how the machine that took it came up, or {@code idle} when it was already up).
     */
    private void started(PoolConfig pool, JobEvent event, Instant now) {
        event.startedAt().ifPresent(started -> metrics.milliseconds("JobWaitMs",
                Map.of("Pool", pool.name(), "Forge", pool.forge().id()),
                Math.max(0, started.toEpochMilli() - event.createdAt().toEpochMilli())));
        // The pool's runner id is only asked for when it can tell something: the forge named a runner but no manager.
        Optional<String> poolRunnerId = event.runnerId().isPresent() && event.runnerManager().isEmpty()
                ? executor.runners().poolRunnerId(pool) : Optional.empty();
        Placement placement = place(pool, new RunningJob(event.jobKey(), event.runnerName(), event.runnerId(),
                event.runnerManager(), poolRunnerId));
        var fields = new LinkedHashMap<String, Object>();
        fields.put("pool", pool.name());
        fields.put("job", event.jobKey());
        event.runnerId().ifPresent(id -> fields.put("runnerId", id));
        event.runnerManager().ifPresent(m -> fields.put("runnerManager", m));
        fields.put("reason", placement.reason().name());
        fields.put("delivery", event.deliveryId());
        switch (placement) {
            case Placement.Nowhere n -> {
                fields.put("detail", n.detail());
                metrics.count("JobsOnUnknownMachine", Map.of("Pool", pool.name(), "Reason", n.reason().name()));
                log.warn("job.running_on_unknown_machine", fields);
            }
            case Placement.OnMachine on -> {
                Machine m = registered(on, event, now);
                boolean redelivered = on.reason() == Reason.ALREADY_BUSY;
                // The forge's start time, unless clock skew puts it after now or before the machine was even asked for.
                Instant started = event.startedAt().filter(t -> !t.isAfter(now) && !t.isBefore(m.steps().requested()))
                        .orElse(now);
                machines.put(m.startedJob(event.jobKey(), started, now));
                fields.put("instance", m.instanceId());
                if (!redelivered) {
                    queuedAt(event).ifPresent(queued -> {
                        BootPath path = m.pathFor(queued);
                        long waited = Math.max(0, started.toEpochMilli() - queued.toEpochMilli());
                        metrics.milliseconds("TimeToRunner", Map.of("Pool", pool.name(), "Path", path.id()), waited);
                        fields.put("path", path.id());
                        fields.put("timeToRunnerMs", waited);
                    });
                }
                log.info("machine.busy", fields);
            }
        }
    }

    /**
     * The machine GitLab named as the job's runner manager, with its runner's registration: the manager's creation,
     * kept once, unless clock skew puts it after now or before the machine was asked for (a manager of an earlier
     * boot). Any other placement is not the forge's word about the machine, so its manager says nothing of it.
     */
    private static Machine registered(Placement.OnMachine on, JobEvent event, Instant now) {
        Machine m = on.machine();
        if (on.reason() != Reason.RUNNER_MANAGER) {
            return m;
        }
        return event.runnerManagerCreatedAt().filter(t -> !t.isAfter(now) && !t.isBefore(m.steps().requested()))
                .map(m::registered).orElse(m);
    }

    /**
     * Where the planner puts a running job, asked first about the machines the job, GitLab's runner manager and the
     * runner's name point to (a lookup each); only when those cannot settle it (the forge named a machine not among them, or it comes to a
     * guess) about all the pool's live machines.
     */
    private Placement place(PoolConfig pool, RunningJob job) {
        var candidates = new LinkedHashMap<String, Machine>();
        machines.withJob(pool.name(), job.jobKey()).forEach(m -> candidates.put(m.instanceId(), m));
        job.runnerManager().flatMap(manager -> machines.withGitLabSystemId(pool.name(), manager))
                .ifPresent(m -> candidates.put(m.instanceId(), m));
        job.runnerName().map(INSTANCE_AT_END::matcher).filter(java.util.regex.Matcher::find)
                .flatMap(named -> machines.find(named.group(1)))
                .filter(m -> m.pool().equals(pool.name()) && m.state().isAlive())
                .ifPresent(m -> candidates.put(m.instanceId(), m));
        Placement placement = planner.placeRunningJob(pool, List.copyOf(candidates.values()), job);
        if (placement instanceof Placement.OnMachine on && SETTLED_BY_LOOKUP.contains(on.reason())) {
            return placement;
        }
        return planner.placeRunningJob(pool, machines.alive(pool.name()), job);
    }

    /** A runner name that ends in an instance id: a GitHub runner's {@code <pool>-<instance id>}, or the id itself. */
    private static final Pattern INSTANCE_AT_END = Pattern.compile("(i-[0-9a-f]{8,17})$");
    /**
     * Placements the looked-up machines settle as the whole pool would: the forge's word about one of them, or the
     * machine launched for the job when the forge named no runner manager (which would come first).
     */
    private static final Set<Reason> SETTLED_BY_LOOKUP = EnumSet.of(Reason.ALREADY_BUSY, Reason.RUNNER_MANAGER,
            Reason.RUNNER_NAME, Reason.LAUNCHED_FOR_JOB);

    /**
     * When the job was queued. GitHub: the event's {@code created_at}, which GitHub sets when it queues the job
     * (as {@link JobLedger.Instants} keeps it). GitLab: a Job Hook's {@code build_created_at} is when the pipeline
     * made the job, long before a later stage's job is queued, so the ledger's {@code queuedAt} (when the
     * {@code pending} event arrived) is read; empty if the ledger never saw the job queued.
     */
    private Optional<Instant> queuedAt(JobEvent event) {
        return switch (event.forge()) {
            case GITHUB -> Optional.of(event.createdAt());
            case GITLAB -> {
                try {
                    yield ledger.find(event.jobKey()).flatMap(JobLedger.Job::queuedAt);
                } catch (RuntimeException unreadable) {
                    // A measurement is not worth a redelivery: the machine is already marked busy.
                    log.warn("job.time_to_runner_unknown", Map.of("job", event.jobKey(), "reason",
                            "LEDGER_UNREADABLE", "detail", String.valueOf(unreadable.getMessage())));
                    yield Optional.empty();
                }
            }
        };
    }

    /** @param firstTime false for a redelivered finish, which must not retry the job a second time */
    private void finished(PoolConfig pool, JobEvent event, Instant now, boolean firstTime) {
        if (firstTime && event.status() == JobStatus.FAILED && ledger.wasInterrupted(event.jobKey())) {
            retryOnDemand(pool, event);
        }
        Optional<Machine> machine = busyWith(machines.withJob(pool.name(), event.jobKey()), event.jobKey())
                // The job index may not show a machine marked busy a moment ago: then the pool is read.
                .or(() -> busyWith(machines.alive(pool.name()), event.jobKey()));
        if (machine.isEmpty()) {
            return;
        }
        Machine done = machine.get().withBuildFinished(now);
        if (pool.maxBuilds() > 0 && done.buildsDone() >= pool.maxBuilds()) {
            // Its last build (maxBuilds): it takes no new job, and no plan counts it available; the reaper ends it.
            done = done.withState(MachineState.DRAINING, now, Optional.empty());
        }
        machines.put(done);
        log.info(done.state() == MachineState.DRAINING ? "machine.retired" : "machine.idle", Map.of("pool",
                pool.name(), "job", event.jobKey(), "instance", done.instanceId(), "buildsDone", done.buildsDone(),
                "jobStatus", event.status().name()));
    }

    /**
     * A job that failed on a machine spot took back is run again, at most {@link #MAX_INTERRUPTION_RETRIES}
     * times, and the pool is asked to buy its next machine for waiting jobs on demand.
     */
    private void retryOnDemand(PoolConfig pool, JobEvent event) {
        var fields = new java.util.LinkedHashMap<String, Object>();
        fields.put("pool", pool.name());
        fields.put("job", event.jobKey());
        if (!ledger.claimRetry(event.jobKey(), MAX_INTERRUPTION_RETRIES)) {
            fields.put("reason", "RETRIES_EXHAUSTED");
            log.warn("job.retry_skipped", fields);
            return;
        }
        switch (retry.retry(event.forge(), event.project(), event.jobId())) {
            case JobRetry.Outcome.Retried r -> {
                machines.grantOnDemand(pool.name(), 1);
                metrics.count("JobsRetried", Map.of("Pool", pool.name(), "Forge", pool.forge().id()));
                fields.put("reason", "SPOT_INTERRUPTION");
                r.newJobId().ifPresent(id -> fields.put("newJob", event.forge().id() + ":" + id));
                log.info("job.retried", fields);
            }
            case JobRetry.Outcome.Failed f -> {
                fields.put("reason", "RETRY_FAILED");
                fields.put("detail", f.reason());
                log.warn("job.retry_failed", fields);
            }
        }
    }

    /**
     * A stale write is either an older event arriving late (skip it) or the same event again — a webhook
     * redelivery or an SQS retry after this handler failed part-way. The latter is applied again: planning,
     * marking busy and marking idle are all idempotent, and skipping it could lose a launch or leave a busy
     * machine marked idle.
     */
    private boolean isRedeliveryOfCurrentStatus(JobEvent event) {
        return ledger.find(event.jobKey()).map(j -> j.status() == event.status()).orElse(false);
    }

    private static Optional<Machine> busyWith(List<Machine> machines, String jobKey) {
        return machines.stream().filter(m -> m.state() == MachineState.BUSY
                && m.jobId().filter(jobKey::equals).isPresent()).findFirst();
    }

    /** Running jobs of all pools, read only when a global {@code concurrent} caps them. */
    private int runningJobs(ScalerConfig cfg) {
        return cfg.concurrent() > 0
                ? ledger.countAll(cfg.pools().stream().map(PoolConfig::name).toList(), JobStatus.RUNNING) : 0;
    }
}
