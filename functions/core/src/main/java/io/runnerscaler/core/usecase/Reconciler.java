package io.runnerscaler.core.usecase;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.config.ScalerConfig;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.Fleet;
import io.runnerscaler.core.port.MachineStore;
import io.runnerscaler.core.port.Metrics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Makes the table and EC2 agree, once per reaper pass, from one paginated, filtered DescribeInstances
 * (never a count per job): machines whose instance is gone are marked TERMINATED, instances this stack
 * tagged that the table does not know are terminated after a grace period (a scale-up that died between
 * CreateFleet and its table write leaves exactly that), and leaked capacity reservations are corrected.
 */
public final class Reconciler {

    /** How long an unknown instance may live: enough for a slow scale-up to record what it launched. */
    public static final Duration ORPHAN_GRACE = Duration.ofMinutes(2);
    /** EC2 lists new instances a little after CreateFleet returns; a machine younger than this is left alone. */
    private static final Duration LISTING_LAG = Duration.ofMinutes(2);

    private final Fleet fleet;
    private final MachineStore machines;
    private final EventLog log;
    private final Metrics metrics;

    public Reconciler(Fleet fleet, MachineStore machines, EventLog log, Metrics metrics) {
        this.fleet = fleet;
        this.machines = machines;
        this.log = log;
        this.metrics = metrics;
    }

    /** What one pass found and did. */
    public record Report(int markedGone, int orphansTerminated, int reservationCorrection) {
    }

    public Report reconcile(ScalerConfig config, Instant now) {
        Map<String, Fleet.FleetInstance> running = fleet.describeManaged().stream()
                .collect(Collectors.toMap(Fleet.FleetInstance::instanceId, Function.identity(), (a, b) -> a));
        int gone = 0;
        int orphans = 0;
        int correction = 0;
        Set<String> pools = config.pools().stream().map(PoolConfig::name).collect(Collectors.toSet());
        for (PoolConfig pool : config.pools()) {
            List<Machine> alive = machines.alive(pool.name());
            Set<String> known = alive.stream().map(Machine::instanceId).collect(Collectors.toSet());
            for (Machine m : alive) {
                if (!running.containsKey(m.instanceId()) && m.launchedAt().plus(LISTING_LAG).isBefore(now)
                        && machines.markTerminated(m, now)) {
                    gone++;
                    count("MachinesTerminated", pool.name(), "INSTANCE_GONE");
                    log.warn("machine.terminated", Map.of("pool", pool.name(), "instance", m.instanceId(),
                            "reason", "INSTANCE_GONE"));
                }
            }
            for (Fleet.FleetInstance i : running.values()) {
                if (!i.pool().equals(pool.name()) || known.contains(i.instanceId())) {
                    continue;
                }
                if (orphan(i, now, pool.name())) {
                    orphans++;
                }
            }
            correction += auditReservation(pool.name(), machines.alive(pool.name()).size());
        }
        for (Fleet.FleetInstance i : running.values()) {
            if (!pools.contains(i.pool()) && orphan(i, now, i.pool())) {
                orphans++;
            }
        }
        return new Report(gone, orphans, correction);
    }

    /** Terminates an instance the table does not know (or knows as TERMINATED), once past the grace period. */
    private boolean orphan(Fleet.FleetInstance i, Instant now, String pool) {
        if (i.launchTime().plus(ORPHAN_GRACE).isAfter(now)) {
            return false;
        }
        Optional<Machine> record = machines.find(i.instanceId());
        if (record.isPresent() && record.get().state() != MachineState.TERMINATED) {
            return false;
        }
        fleet.terminate(List.of(i.instanceId()));
        count("MachinesTerminated", pool, "ORPHANED");
        log.warn("machine.terminated", Map.of("pool", pool, "instance", i.instanceId(), "reason", "ORPHANED",
                "detail", record.isPresent() ? "table says terminated, EC2 says " + i.state()
                        : "tagged by this stack but unknown to the table"));
        return true;
    }

    private int auditReservation(String pool, int alive) {
        int correction = machines.audit(pool, alive);
        if (correction != 0) {
            log.warn("capacity.corrected", Map.of("pool", pool, "correction", correction,
                    "reason", "RESERVATION_LEAKED"));
        }
        return correction;
    }

    private void count(String metric, String pool, String reason) {
        metrics.count(metric, Map.of("Pool", pool, "Reason", reason));
    }
}
