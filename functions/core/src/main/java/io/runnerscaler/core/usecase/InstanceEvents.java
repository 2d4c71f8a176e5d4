package io.runnerscaler.core.usecase;

import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.port.BootstrapSecrets;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.Fleet;
import io.runnerscaler.core.port.Metrics;
import io.runnerscaler.core.port.JobLedger;
import io.runnerscaler.core.port.MachineStore;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/** EC2's own news about an instance: it is running, it is gone, or spot wants it back. */
public final class InstanceEvents {

    private final MachineStore machines;
    private final JobLedger ledger;
    private final Fleet fleet;
    private final BootstrapSecrets secrets;
    private final Clock clock;
    private final EventLog log;
    private final Metrics metrics;

    public InstanceEvents(MachineStore machines, JobLedger ledger, Fleet fleet, Clock clock, EventLog log,
                          Metrics metrics) {
        this(machines, ledger, fleet, BootstrapSecrets.NONE, clock, log, metrics);
    }

    /** @param secrets where unread registration secrets wait; a machine that ended takes its own with it */
    public InstanceEvents(MachineStore machines, JobLedger ledger, Fleet fleet, BootstrapSecrets secrets,
                          Clock clock, EventLog log, Metrics metrics) {
        this.secrets = secrets;
        this.machines = machines;
        this.ledger = ledger;
        this.fleet = fleet;
        this.metrics = metrics;
        this.clock = clock;
        this.log = log;
    }

    /** An EC2 instance state-change notification ({@code pending}, {@code running}, {@code terminated} ...). */
    public void stateChanged(String instanceId, String ec2State) {
        Optional<Machine> found = machines.find(instanceId);
        if (found.isEmpty()) {
            return;
        }
        Machine m = found.get();
        switch (ec2State) {
            case "running" -> {
                if (m.state() == MachineState.LAUNCHING) {
                    move(m, MachineState.IDLE, "INSTANCE_RUNNING");
                }
            }
            case "stopped" -> {
                // A stopped runner is no use and still costs its volume: finish the job the shutdown began.
                fleet.terminate(java.util.List.of(instanceId));
                secrets.discard(instanceId);
                if (machines.markTerminated(m, clock.instant())) {
                    log.info("machine.terminated", Map.of("pool", m.pool(), "instance", m.instanceId(),
                            "reason", "INSTANCE_STOPPED"));
                }
            }
            case "shutting-down", "terminated", "stopping" -> {
                // A machine that ended on its own (watchdog, spot) before reading its JIT config: drop it now.
                secrets.discard(instanceId);
                if (machines.markTerminated(m, clock.instant())) {
                    log.info("machine.terminated", Map.of("pool", m.pool(), "instance", m.instanceId(),
                            "reason", "INSTANCE_" + ec2State.toUpperCase(java.util.Locale.ROOT).replace('-', '_')));
                }
            }
            default -> { }
        }
    }

    /**
     * A spot interruption warning or rebalance recommendation: take no new job on this machine. A job
     * running on it under a real interruption warning is noted, so that if it fails it is retried on demand.
     */
    public void interrupted(String instanceId, String kind) {
        machines.find(instanceId).filter(m -> m.state().isAlive() && m.state() != MachineState.DRAINING)
                .ifPresent(m -> {
                    metrics.count(kind.equals(SPOT_INTERRUPTION) ? "SpotInterruptions" : "RebalanceRecommendations",
                            Map.of("Pool", m.pool()));
                    if (m.state() == MachineState.BUSY && kind.equals(SPOT_INTERRUPTION)) {
                        m.jobId().ifPresent(ledger::markInterrupted);
                    }
                    move(m, MachineState.DRAINING, kind);
                });
    }

    /** The kind of a spot interruption warning (two minutes before EC2 takes the instance back). */
    public static final String SPOT_INTERRUPTION = "SPOT_INTERRUPTION";

    private void move(Machine m, MachineState next, String reason) {
        machines.put(m.withState(next, clock.instant(), m.jobId()));
        log.info("machine." + next.name().toLowerCase(), Map.of("pool", m.pool(), "instance", m.instanceId(),
                "reason", reason));
    }
}
