package io.runnerscaler.core.usecase;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.planner.Plan;
import io.runnerscaler.core.planner.Planner;
import io.runnerscaler.core.planner.PoolState;
import io.runnerscaler.core.planner.Rematch;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.JobLedger;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.port.Fleet;
import io.runnerscaler.core.port.ImageIds;
import io.runnerscaler.core.port.MachineStore;
import io.runnerscaler.core.port.Metrics;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The scheduled pass over every pool. It lists the stack's instances in EC2 once (one paginated, filtered
 * DescribeInstances, never a count per job), reads each pool once (its live machines, its counters), corrects a
 * leaked capacity reservation, and asks the planner for one plan per pool that both reconciles the table with
 * EC2 (gone, stopped and orphaned instances) and scales (periods, idle top-up, idle reaping, boot-failure
 * backoff). Jobs still queued in the ledger count in every plan, so a job whose scale-up was lost is planned for
 * again here; and {@link MissedJobs} puts the pending jobs of watched projects whose webhook never came on the
 * job queue. When a new config is loaded, the queued jobs no pool took are matched again (through the planner), so
 * a pool added for them takes them.
 */
public final class Reaper {

    private final Supplier<ScalerConfig> config;
    private final JobLedger ledger;
    private final MachineStore machines;
    private final Fleet fleet;
    private final Planner planner;
    private final PlanExecutor executor;
    private final Clock clock;
    private final Metrics metrics;
    private final MissedJobs missedJobs;
    private final EventLog log;
    private final ImageIds images;
    private final Optional<String> stackImage;
    /** The config whose pools last re-matched the unmatched queued jobs; {@code null} before the first pass. */
    private ScalerConfig rematchedFor;

    public Reaper(Supplier<ScalerConfig> config, JobLedger ledger, MachineStore machines, Fleet fleet,
                  Planner planner, PlanExecutor executor, Clock clock, Metrics metrics) {
        this(config, ledger, machines, fleet, planner, executor, clock, metrics, MissedJobs.none(), EventLog.NONE,
                ImageIds.NONE, Optional.empty());
    }

    /**
     * A reaper that also asks the forges for jobs whose webhook was lost, before planning, and learns the image each
     * pool launches now, to retire stopped machines built from another ({@link CurrentImages}).
     *
     * @param images     the image parameters a {@code resolve:ssm:} image names
     * @param stackImage the image of the stack's runner template ({@code ami-...} or {@code resolve:ssm:...}), which
     *                   a pool with neither an {@code ami} nor a launch template of its own launches
     */
    public Reaper(Supplier<ScalerConfig> config, JobLedger ledger, MachineStore machines, Fleet fleet,
                  Planner planner, PlanExecutor executor, Clock clock, Metrics metrics, MissedJobs missedJobs,
                  EventLog log, ImageIds images, Optional<String> stackImage) {
        this.images = images;
        this.stackImage = stackImage;
        this.missedJobs = missedJobs;
        this.log = log;
        this.config = config;
        this.ledger = ledger;
        this.machines = machines;
        this.fleet = fleet;
        this.planner = planner;
        this.executor = executor;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** Runs one pass and returns the plans it carried out, one per pool. */
    public List<Plan> run() {
        return run(() -> true);
    }

    /**
     * Runs one pass within a time budget: once {@code inTime} says no, terminations still planned are left
     * to the next pass (a mass scale-down at the end of a period can be hundreds of machines).
     */
    public List<Plan> run(BooleanSupplier inTime) {
        Instant now = clock.instant();
        ScalerConfig cfg = config.get();
        Map<String, List<Fleet.FleetInstance>> listed = new HashMap<>();
        fleet.describeManaged().forEach(i -> listed.computeIfAbsent(i.pool(), p -> new ArrayList<>()).add(i));
        findMissedJobs(cfg, now);
        rematchIfNew(cfg, now);
        int running = cfg.concurrent() > 0
                ? ledger.countAll(cfg.pools().stream().map(PoolConfig::name).toList(), JobStatus.RUNNING) : 0;
        List<Plan> plans = new ArrayList<>();
        var currentImages = new CurrentImages(images, stackImage, log);
        for (PoolConfig pool : cfg.pools()) {
            // The counters first, then the machines: a counter correction is made only if nothing moved in between.
            MachineStore.PoolCounters counters = machines.counters(pool.name());
            List<Machine> alive = machines.alive(pool.name());
            auditReservation(pool.name(), alive.size());
            auditCounters(pool.name(), alive, counters);
            int queued = queuedJobs(pool.name(), alive);
            PoolState state = new PoolState(pool, alive, queued, running,
                    cfg.concurrent(), counters.onDemandGrants(), counters.bootFailures(),
                    Optional.of(listed.getOrDefault(pool.name(), List.of())))
                    // Only a stopped machine is retired for its image, so a pool without one costs no lookup.
                    .withImage(alive.stream().anyMatch(m -> m.state() == MachineState.STOPPED)
                            ? currentImages.of(pool) : Optional.empty())
                    .withInFlight(counters.reserved() - alive.size());
            Plan plan = planner.plan(state, now);
            // Launched only while the pool is as read: a scale-up that reserved since plans for the jobs itself.
            executor.execute(pool, plan, now, Optional.empty(), inTime, counters.version());
            plans.add(plan);
            machinesByState(pool, alive);
        }
        Set<String> configured = new HashSet<>();
        cfg.pools().forEach(p -> configured.add(p.name()));
        listed.forEach((pool, instances) -> {
            if (!configured.contains(pool)) {
                Set<String> known = new HashSet<>();
                machines.alive(pool).forEach(m -> known.add(m.instanceId()));
                executor.execute(pool, Planner.orphans(instances, known, now), now);
            }
        });
        return plans;
    }

    /**
     * Once per config loaded (the first pass of a function instance, and each pass that finds a changed config), the
     * queued jobs no pool took are matched again by the planner; each that a pool now takes joins its queued jobs
     * and so the plan this pass makes for it. A failure is logged and tried again at the next pass.
     */
    private void rematchIfNew(ScalerConfig cfg, Instant now) {
        if (cfg == rematchedFor) {
            return;
        }
        try {
            for (Rematch r : planner.rematch(cfg.pools(), ledger.unmatched(JobStatus.QUEUED), now)) {
                if (ledger.assignPool(r.jobKey(), r.pool(), JobStatus.QUEUED)) {
                    log.info("job.rematched", Map.of("job", r.jobKey(), "pool", r.pool(), "reason", r.reason().name()));
                }
            }
            rematchedFor = cfg;
        } catch (RuntimeException e) {
            log.warn("job.rematch_failed", Map.of("error", e.getClass().getSimpleName(),
                    "detail", String.valueOf(e.getMessage())));
        }
    }

    /** Corrects a capacity count that leaked (a scale-up died between reserving and recording its machines). */
    private void auditReservation(String pool, int alive) {
        int correction = machines.audit(pool, alive);
        if (correction != 0) {
            log.warn("capacity.corrected", Map.of("pool", pool, "correction", correction,
                    "reason", "RESERVATION_LEAKED"));
        }
    }

    /**
     * Corrects the pool's machine counters where they drifted from its machines (a record written or deleted by
     * hand, a write lost outside the scaler): logged and counted ({@code CounterDrift}), never silent.
     */
    private void auditCounters(String pool, List<Machine> alive, MachineStore.PoolCounters read) {
        machines.auditCounters(pool, alive, read).forEach((counter, correction) -> drift(pool, counter, correction));
    }

    /**
     * The pool's queued jobs, from its counter. A counter that says jobs wait while an idle machine waits too is
     * suspect (a job item deleted or expired leaves it counting a job nobody runs, and each pass would launch for
     * it), and so are counters never counted from the jobs (a stack upgraded from before them) or below zero: then
     * the pool's jobs are counted from the ledger, read one by one, and the counters corrected. Otherwise this reads
     * one item, however many jobs there are.
     */
    private int queuedJobs(String pool, List<Machine> alive) {
        JobLedger.Queued counted = ledger.queued(pool);
        int queued = counted.jobs();
        boolean idleWaits = alive.stream().anyMatch(m -> m.state() == MachineState.IDLE);
        if ((queued == 0 || !idleWaits) && !counted.unproven()) {
            return queued;
        }
        Map<JobStatus, Integer> corrections = ledger.recount(pool);
        corrections.forEach((status, correction) -> drift(pool, status.name(), correction));
        return queued + corrections.getOrDefault(JobStatus.QUEUED, 0);
    }

    private void drift(String pool, String counter, int correction) {
        metrics.count("CounterDrift", Map.of("Pool", pool, "Counter", counter));
        log.warn("counters.corrected", Map.of("pool", pool, "counter", counter, "correction", correction,
                "reason", "COUNTER_DRIFT"));
    }

    /** Jobs whose webhook was lost go to scale-up as a webhook's would; the forges' answers never fail the pass. */
    private void findMissedJobs(ScalerConfig cfg, Instant now) {
        try {
            missedJobs.find(cfg, now);
        } catch (RuntimeException e) {
            // Never let a forge, or a bug in asking one, stop idle reaping and reconciliation.
            log.warn("missed_jobs.failed", Map.of("error", e.getClass().getSimpleName(),
                    "detail", String.valueOf(e.getMessage())));
        }
    }

    /** The dashboard's machines-by-state graph: one gauge-like count per pool and state, once a pass, as the pass found them. */
    private void machinesByState(PoolConfig pool, List<Machine> alive) {
        var byState = new EnumMap<MachineState, Integer>(MachineState.class);
        for (MachineState s : MachineState.values()) {
            if (s.isAlive()) {
                byState.put(s, 0);
            }
        }
        alive.forEach(m -> byState.merge(m.state(), 1, Integer::sum));
        byState.forEach((state, n) -> metrics.count("MachinesByState", Map.of("Pool", pool.name(),
                "State", state.name()), n));
    }
}
