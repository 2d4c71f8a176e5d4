package io.runnerscaler.core.usecase;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.planner.InstanceNews;
import io.runnerscaler.core.planner.Planner;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.JobLedger;
import io.runnerscaler.core.port.MachineRecords;
import io.runnerscaler.core.port.Metrics;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * EC2's own news about an instance: it is running, it stopped or ended, or spot wants it back. A machine the scaler
 * stopped for the stopped pool is exempt: its {@code stopping} and {@code stopped} are expected and only recorded. Records the
 * facts (the machine is up; the job on an interrupted machine may need a retry) and asks the planner what the
 * news calls for, which the executor carries out.
 */
public final class InstanceEvents {

    /** The kind of a spot interruption warning (two minutes before EC2 takes the instance back). */
    public static final String SPOT_INTERRUPTION = "SPOT_INTERRUPTION";

    private final Supplier<ScalerConfig> config;
    private final MachineRecords machines;
    private final JobLedger ledger;
    private final Planner planner;
    private final PlanExecutor executor;
    private final Clock clock;
    private final EventLog log;
    private final Metrics metrics;

    public InstanceEvents(Supplier<ScalerConfig> config, MachineRecords machines, JobLedger ledger, Planner planner,
                          PlanExecutor executor, Clock clock, EventLog log, Metrics metrics) {
        this.config = config;
        this.machines = machines;
        this.ledger = ledger;
        this.planner = planner;
        this.executor = executor;
        this.clock = clock;
        this.log = log;
        this.metrics = metrics;
    }

    /** An EC2 instance state-change notification ({@code pending}, {@code running}, {@code terminated} ...). */
    public void stateChanged(String instanceId, String ec2State) {
        stateChanged(instanceId, ec2State, Optional.empty());
    }

    /**
     * @param changedAt when EC2 says the state changed (the event's {@code time}); the machine's {@code running}
     *                  step is kept at that instant, not when the event arrived. Empty, or later than now (clock
     *                  skew), means now.
     */
    public void stateChanged(String instanceId, String ec2State, Optional<Instant> changedAt) {
        Optional<Machine> found = machines.find(instanceId);
        if (found.isEmpty()) {
            return;
        }
        Machine m = found.get();
        if (ec2State.equals("running") && m.state() == MachineState.LAUNCHING) {
            Instant now = clock.instant();
            Instant at = changedAt.filter(t -> !t.isAfter(now)).orElse(now);
            machines.put(m.running(at));
            log.info("machine.idle", Map.of("pool", m.pool(), "instance", m.instanceId(), "reason",
                    "INSTANCE_RUNNING", "runningAfterMs", Math.max(0, at.toEpochMilli()
                            - m.steps().requested().toEpochMilli())));
            return;
        }
        if (ec2State.equals("stopped") && m.state() == MachineState.STOPPING) {
            // The stop the scaler asked for (POOL_REFILL) took: the machine waits in the stopped pool.
            machines.put(m.withState(MachineState.STOPPED, clock.instant(), Optional.empty()));
            log.info("machine.stopped", Map.of("pool", m.pool(), "instance", m.instanceId(), "reason",
                    "POOL_REFILL"));
            return;
        }
        decide(m, new InstanceNews.StateChanged(ec2State));
    }

    /**
     * A spot interruption warning ({@link #SPOT_INTERRUPTION}) or rebalance recommendation: the planner drains the
     * machine. A job running on it under a real interruption warning is noted, so that if it fails it is retried
     * on demand.
     */
    public void interrupted(String instanceId, String kind) {
        machines.find(instanceId).filter(m -> m.state().isAlive() && m.state() != MachineState.DRAINING)
                .ifPresent(m -> {
                    boolean interruption = kind.equals(SPOT_INTERRUPTION);
                    metrics.count(interruption ? "SpotInterruptions" : "RebalanceRecommendations",
                            Map.of("Pool", m.pool()));
                    if (m.state() == MachineState.BUSY && interruption) {
                        m.jobId().ifPresent(ledger::markInterrupted);
                    }
                    decide(m, new InstanceNews.SpotNotice(interruption));
                });
    }

    private void decide(Machine m, InstanceNews news) {
        Instant now = clock.instant();
        Optional<PoolConfig> pool = config.get().pool(m.pool());
        executor.execute(m.pool(), planner.onInstanceNews(pool, m, news, now), now);
    }
}
