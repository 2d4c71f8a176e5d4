package io.runnerscaler.core.usecase;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.planner.Plan;
import io.runnerscaler.core.planner.Planner;
import io.runnerscaler.core.planner.PoolState;
import io.runnerscaler.core.port.JobLedger;
import io.runnerscaler.core.port.MachineStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The scheduled pass over every pool: first makes the table agree with EC2 (reconciliation), then applies
 * periods, tops idle pools up and removes idle machines past IdleTime, all by asking the planner. Jobs still
 * queued in the ledger count in every plan, so a job whose scale-up was lost is planned for again here.
 */
public final class Reaper {

    private final Supplier<ScalerConfig> config;
    private final JobLedger ledger;
    private final MachineStore machines;
    private final Planner planner;
    private final PlanExecutor executor;
    private final Reconciler reconciler;
    private final Clock clock;

    public Reaper(Supplier<ScalerConfig> config, JobLedger ledger, MachineStore machines, Planner planner,
                  PlanExecutor executor, Reconciler reconciler, Clock clock) {
        this.config = config;
        this.ledger = ledger;
        this.machines = machines;
        this.planner = planner;
        this.executor = executor;
        this.reconciler = reconciler;
        this.clock = clock;
    }

    /** Runs one pass and returns the plans it carried out, one per pool. */
    public List<Plan> run() {
        Instant now = clock.instant();
        ScalerConfig cfg = config.get();
        reconciler.reconcile(cfg, now);
        int running = cfg.pools().stream().mapToInt(p -> ledger.count(p.name(), JobStatus.RUNNING)).sum();
        List<Plan> plans = new ArrayList<>();
        for (PoolConfig pool : cfg.pools()) {
            PoolState state = new PoolState(pool, machines.alive(pool.name()),
                    ledger.count(pool.name(), JobStatus.QUEUED), running, cfg.concurrent());
            Plan plan = planner.plan(state, now);
            executor.execute(pool, plan, now, Optional.empty());
            plans.add(plan);
        }
        return plans;
    }
}
