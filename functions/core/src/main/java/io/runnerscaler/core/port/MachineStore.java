package io.runnerscaler.core.port;

import java.time.Instant;
import java.util.List;

/**
 * The machine table of a stack: machine records, each pool's capacity, its on-demand grants and its boot
 * history (DynamoDB in production, one table: ending a machine and giving back its place is one transaction).
 * Use cases take the part they need; the reaper and scale-up read a pool's counters in one go.
 */
public interface MachineStore extends MachineRecords, Capacity, OnDemandGrants, BootHistory {

    /** What planning a pool needs beside its machines, read at once. */
    record PoolCounters(int onDemandGrants, List<Instant> bootFailures) {
        public PoolCounters {
            bootFailures = List.copyOf(bootFailures);
        }
    }

    default PoolCounters counters(String pool) {
        return new PoolCounters(onDemandGrants(pool), bootFailures(pool));
    }
}
