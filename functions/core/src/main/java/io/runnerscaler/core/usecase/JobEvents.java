package io.runnerscaler.core.usecase;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.config.ScalerConfig;
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
        Optional<PoolConfig> pool = match(cfg, event);
        JobLedger.Transition transition = ledger.record(event, pool.map(PoolConfig::name), now);
        if (transition == JobLedger.Transition.STALE) {
            log.info("job.stale", Map.of("job", event.jobKey(), "status", event.status().name(),
                    "delivery", event.deliveryId()));
            return;
        }
        if (pool.isEmpty()) {
            metrics.count("JobsUnmatched", Map.of("Forge", event.forge().id()));
            log.warn("job.unmatched", Map.of("job", event.jobKey(), "labels", event.labels(),
                    "reason", "NO_POOL_TAKES_LABELS", "delivery", event.deliveryId()));
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
        PoolState state = new PoolState(pool, machines.alive(pool.name()),
                ledger.inStatus(pool.name(), JobStatus.QUEUED).size(), runningJobs(cfg), cfg.concurrent());
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
     * The machine a running job is on: the one the forge names, else the one launched for the job, else
     * the longest-idle machine, else the oldest still launching.
     */
    private Optional<Machine> machineFor(PoolConfig pool, JobEvent event) {
        var alive = machines.alive(pool.name());
        return event.runnerName().flatMap(name -> alive.stream().filter(m -> m.instanceId().equals(name)).findFirst())
                .or(() -> alive.stream().filter(m -> m.state() != MachineState.BUSY)
                        .filter(m -> m.jobId().filter(event.jobKey()::equals).isPresent()).findFirst())
                .or(() -> alive.stream().filter(m -> m.state() == MachineState.IDLE)
                        .min(Comparator.comparing(Machine::stateSince)))
                .or(() -> alive.stream().filter(m -> m.state() == MachineState.LAUNCHING)
                        .min(Comparator.comparing(Machine::launchedAt)));
    }

    private int runningJobs(ScalerConfig cfg) {
        return cfg.pools().stream().mapToInt(p -> ledger.inStatus(p.name(), JobStatus.RUNNING).size()).sum();
    }

    /** Placeholder rule until pool matching lands: forge equal, all labels among the pool's, untagged needs runUntagged. */
    static Optional<PoolConfig> match(ScalerConfig cfg, JobEvent event) {
        return cfg.pools().stream().filter(p -> p.forge() == event.forge())
                .filter(p -> event.labels().isEmpty() ? p.runUntagged() : p.labels().containsAll(event.labels()))
                .findFirst();
    }
}
