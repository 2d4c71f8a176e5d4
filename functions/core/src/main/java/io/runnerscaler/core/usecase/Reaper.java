package io.runnerscaler.core.usecase;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.planner.Plan;
import io.runnerscaler.core.planner.Planner;
import io.runnerscaler.core.planner.PoolState;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.JobLedger;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.port.MachineStore;
import io.runnerscaler.core.port.Metrics;
import java.util.Map;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The scheduled pass over every pool: first makes the table agree with EC2 (reconciliation), then applies
 * periods, tops idle pools up and removes idle machines past IdleTime, all by asking the planner. Jobs still
 * queued in the ledger count in every plan, so a job whose scale-up was lost is planned for again here; and
 * {@link MissedJobs} puts the pending jobs of watched projects whose webhook never came on the job queue.
 */
public final class Reaper {

    private final Supplier<ScalerConfig> config;
    private final JobLedger ledger;
    private final MachineStore machines;
    private final Planner planner;
    private final PlanExecutor executor;
    private final Reconciler reconciler;
    private final Clock clock;
    private final Metrics metrics;
    private final MissedJobs missedJobs;
    private final EventLog log;

    public Reaper(Supplier<ScalerConfig> config, JobLedger ledger, MachineStore machines, Planner planner,
                  PlanExecutor executor, Reconciler reconciler, Clock clock, Metrics metrics) {
        this(config, ledger, machines, planner, executor, reconciler, clock, metrics, MissedJobs.none(),
                EventLog.NONE);
    }

    /** A reaper that also asks the forges for jobs whose webhook was lost, before planning. */
    public Reaper(Supplier<ScalerConfig> config, JobLedger ledger, MachineStore machines, Planner planner,
                  PlanExecutor executor, Reconciler reconciler, Clock clock, Metrics metrics,
                  MissedJobs missedJobs, EventLog log) {
        this.missedJobs = missedJobs;
        this.log = log;
        this.config = config;
        this.ledger = ledger;
        this.machines = machines;
        this.planner = planner;
        this.executor = executor;
        this.reconciler = reconciler;
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
        reconciler.reconcile(cfg, now);
        findMissedJobs(cfg, now);
        int running = cfg.pools().stream().mapToInt(p -> ledger.count(p.name(), JobStatus.RUNNING)).sum();
        List<Plan> plans = new ArrayList<>();
        for (PoolConfig pool : cfg.pools()) {
            PoolState state = new PoolState(pool, machines.alive(pool.name()),
                    ledger.count(pool.name(), JobStatus.QUEUED), running, cfg.concurrent());
            Plan plan = planner.plan(state, now);
            executor.execute(pool, plan, now, Optional.empty(), inTime);
            plans.add(plan);
            machinesByState(pool);
        }
        return plans;
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

    /** The dashboard's machines-by-state graph: one gauge-like count per pool and state, once a pass. */
    private void machinesByState(PoolConfig pool) {
        var byState = new java.util.EnumMap<MachineState, Integer>(MachineState.class);
        for (MachineState s : MachineState.values()) {
            if (s.isAlive()) {
                byState.put(s, 0);
            }
        }
        machines.alive(pool.name()).forEach(m -> byState.merge(m.state(), 1, Integer::sum));
        byState.forEach((state, n) -> metrics.count("MachinesByState", Map.of("Pool", pool.name(),
                "State", state.name()), n));
    }
}
