package io.runnerscaler.core.usecase;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.matching.MatchResult;
import io.runnerscaler.core.matching.PoolMatcher;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.planner.Plan;
import io.runnerscaler.core.planner.Planner;
import io.runnerscaler.core.planner.PoolState;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.JobLedger;
import io.runnerscaler.core.port.MachineStore;
import io.runnerscaler.core.port.Metrics;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
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
    private final Clock clock;
    private final EventLog log;
    private final Metrics metrics;

    public JobEvents(Supplier<ScalerConfig> config, JobLedger ledger, MachineStore machines, Planner planner,
                     PlanExecutor executor, Clock clock, EventLog log, Metrics metrics) {
        this.config = config;
        this.ledger = ledger;
        this.machines = machines;
        this.planner = planner;
        this.executor = executor;
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
            case SUCCEEDED, FAILED, CANCELED -> finished(p, event, now);
        }
    }

    private void scaleUp(ScalerConfig cfg, PoolConfig pool, JobEvent event, Instant now) {
        metrics.count("JobsQueued", Map.of("Pool", pool.name(), "Forge", pool.forge().id()));
        // At least this job: the status index may not show our own write yet (GSIs are eventually consistent).
        int queued = Math.max(1, ledger.count(pool.name(), JobStatus.QUEUED));
        PoolState state = new PoolState(pool, machines.alive(pool.name()), queued, runningJobs(cfg),
                cfg.concurrent());
        Plan plan = planner.plan(state, now);
        log.info("job.queued", Map.of("pool", pool.name(), "job", event.jobKey(), "delivery", event.deliveryId(),
                "queued", state.queuedJobs(), "launch", plan.launchCount()));
        executor.execute(pool, plan, now, Optional.of(event.jobKey()));
    }

    private void started(PoolConfig pool, JobEvent event, Instant now) {
        event.startedAt().ifPresent(started -> metrics.milliseconds("JobWaitMs",
                Map.of("Pool", pool.name(), "Forge", pool.forge().id()),
                Math.max(0, started.toEpochMilli() - event.createdAt().toEpochMilli())));
        Optional<Machine> machine = machineFor(pool, event);
        if (machine.isEmpty()) {
            log.warn("job.running_on_unknown_machine", Map.of("pool", pool.name(), "job", event.jobKey(),
                    "runner", event.runnerName().orElse("")));
            return;
        }
        machines.put(machine.get().withState(MachineState.BUSY, now, Optional.of(event.jobKey())));
        log.info("machine.busy", Map.of("pool", pool.name(), "job", event.jobKey(),
                "instance", machine.get().instanceId()));
    }

    private void finished(PoolConfig pool, JobEvent event, Instant now) {
        Optional<Machine> machine = machines.alive(pool.name()).stream()
                .filter(m -> m.state() == MachineState.BUSY && m.jobId().filter(event.jobKey()::equals).isPresent())
                .findFirst();
        if (machine.isEmpty()) {
            return;
        }
        Machine done = machine.get().withBuildFinished(now);
        machines.put(done);
        log.info("machine.idle", Map.of("pool", pool.name(), "job", event.jobKey(),
                "instance", done.instanceId(), "buildsDone", done.buildsDone(), "jobStatus", event.status().name()));
    }

    /**
     * The machine a running job is on: the one already busy with it (a redelivered event), the one the forge
     * names, else the one launched for the job, else the longest-idle machine, else the oldest still launching.
     */
    private Optional<Machine> machineFor(PoolConfig pool, JobEvent event) {
        var alive = machines.alive(pool.name());
        return alive.stream().filter(m -> m.state() == MachineState.BUSY)
                .filter(m -> m.jobId().filter(event.jobKey()::equals).isPresent()).findFirst()
                .or(() -> event.runnerName().flatMap(name -> alive.stream()
                        .filter(m -> m.instanceId().equals(name)).findFirst()))
                .or(() -> alive.stream().filter(m -> m.state() != MachineState.BUSY)
                        .filter(m -> m.jobId().filter(event.jobKey()::equals).isPresent()).findFirst())
                .or(() -> alive.stream().filter(m -> m.state() == MachineState.IDLE)
                        .min(Comparator.comparing(Machine::stateSince)))
                .or(() -> alive.stream().filter(m -> m.state() == MachineState.LAUNCHING)
                        .min(Comparator.comparing(Machine::launchedAt)));
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

    private int runningJobs(ScalerConfig cfg) {
        return cfg.pools().stream().mapToInt(p -> ledger.count(p.name(), JobStatus.RUNNING)).sum();
    }
}
