package io.runnerscaler.core.port;

import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.planner.MachineCounts;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The machine table of a stack: machine records, each pool's capacity, its on-demand grants and its boot
 * history (DynamoDB in production, one table: ending a machine and giving back its place is one transaction).
 * Use cases take the part they need; the reaper and scale-up read a pool's counters in one go.
 */
public interface MachineStore extends MachineRecords, Capacity, OnDemandGrants, BootHistory {

    /**
     * What planning a pool needs beside its machines, read at once: grants, boot failures, and the pool's counters
     * (places reserved, live machines by state, the stopped machines), kept in the same write as every change of a
     * machine's state, so a plan for a job reads them instead of the machines.
     *
     * @param version      changes with every reservation, release and ended machine
     *                     ({@link Capacity#reserve(String, int, int, long)} is conditioned on it)
     * @param stateVersion changes with every machine state change the counters follow
     * @param stopped      the STOPPED machines' instance ids, oldest launch first
     */
    record PoolCounters(int onDemandGrants, List<Instant> bootFailures, int reserved, long version,
                        long stateVersion, Map<MachineState, Integer> machines, List<String> stopped) {
        public PoolCounters {
            bootFailures = List.copyOf(bootFailures);
            var copy = new EnumMap<MachineState, Integer>(MachineState.class);
            machines.forEach((s, n) -> {
                if (n != 0) {
                    copy.put(s, n);
                }
            });
            machines = Map.copyOf(copy);
            stopped = List.copyOf(stopped);
        }

        public PoolCounters(int onDemandGrants, List<Instant> bootFailures) {
            this(onDemandGrants, bootFailures, 0, 0, 0, Map.of(), List.of());
        }

        /** The machines as planning from counters sees them: places reserved beyond those recorded are in flight. */
        public MachineCounts machineCounts() {
            // A counter below zero (a machine recorded before the counters were kept, until the reaper mends it)
            // counts nothing.
            int recorded = machines.values().stream().mapToInt(n -> Math.max(0, n)).sum();
            return new MachineCounts(machines, reserved - recorded, stopped);
        }
    }

    /** The counters as the pool's live machines have them, for stores that keep no counters of their own. */
    static PoolCounters countersOf(List<Machine> alive, int onDemandGrants, List<Instant> bootFailures, int reserved,
                                   long version, long stateVersion) {
        var byState = new EnumMap<MachineState, Integer>(MachineState.class);
        alive.stream().filter(m -> m.state().isAlive()).forEach(m -> byState.merge(m.state(), 1, Integer::sum));
        List<String> stopped = alive.stream().filter(m -> m.state() == MachineState.STOPPED)
                .sorted(Comparator.comparing(Machine::launchedAt).thenComparing(Machine::instanceId))
                .map(Machine::instanceId).toList();
        return new PoolCounters(onDemandGrants, bootFailures, reserved, version, stateVersion, byState, stopped);
    }

    default PoolCounters counters(String pool) {
        return countersOf(alive(pool), onDemandGrants(pool), bootFailures(pool), reserved(pool), 0, 0);
    }
}
