package io.runnerscaler.core.planner;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.port.Fleet;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A snapshot of one pool, everything the planner needs.
 *
 * @param machines       the pool's live machines (not TERMINATED), as the table has them
 * @param queuedJobs     jobs matched to this pool that wait for a runner
 * @param runningJobsAll jobs running across all pools, for global {@code concurrent}
 * @param concurrent     global cap on running jobs
 * @param onDemandGrants launches for waiting jobs the pool owes on demand (jobs retried after a spot interruption)
 * @param bootFailures   when machines of the pool ended before their first job, since the pool last booted a
 *                       healthy machine, oldest first
 * @param listing        the pool's instances as EC2 lists them this pass (the reaper's one DescribeInstances);
 *                       empty where nobody listed (scale-up), and then nothing is reconciled
 * @param image          the image the pool launches now, where known: stopped machines listed with another are
 *                       replaced ({@code IMAGE_OUTDATED})
 */
public record PoolState(PoolConfig pool, List<Machine> machines, int queuedJobs, int runningJobsAll, int concurrent,
                        int onDemandGrants, List<Instant> bootFailures,
                        Optional<List<Fleet.FleetInstance>> listing, Optional<String> image) {

    public PoolState(PoolConfig pool, List<Machine> machines, int queuedJobs, int runningJobsAll, int concurrent,
                     int onDemandGrants, List<Instant> bootFailures, Optional<List<Fleet.FleetInstance>> listing) {
        this(pool, machines, queuedJobs, runningJobsAll, concurrent, onDemandGrants, bootFailures, listing,
                Optional.empty());
    }

    public PoolState {
        machines = List.copyOf(machines);
        bootFailures = List.copyOf(bootFailures);
        listing = listing.map(List::copyOf);
    }

    /** A pool with no grants, no boot failures and no EC2 listing. */
    public PoolState(PoolConfig pool, List<Machine> machines, int queuedJobs, int runningJobsAll, int concurrent) {
        this(pool, machines, queuedJobs, runningJobsAll, concurrent, 0, List.of(), Optional.empty());
    }

    public PoolState withListing(List<Fleet.FleetInstance> instances) {
        return new PoolState(pool, machines, queuedJobs, runningJobsAll, concurrent, onDemandGrants, bootFailures,
                Optional.of(instances), image);
    }

    public PoolState withImage(Optional<String> current) {
        return new PoolState(pool, machines, queuedJobs, runningJobsAll, concurrent, onDemandGrants, bootFailures,
                listing, current);
    }
}
