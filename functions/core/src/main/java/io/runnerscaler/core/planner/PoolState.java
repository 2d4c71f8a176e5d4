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
 * @param counted        the pool's machines as its counters have them, in place of {@code machines} (which is then
 *                       empty): what scale-up plans a job's launch from, so its reads do not grow with the pool. Such
 *                       a plan launches and starts only; ending machines is left to plans made from the machines
 * @param inFlight       beside {@code machines}: places reserved for launches not yet recorded (another invocation
 *                       between its reservation and its machine records), which count as launching
 */
public record PoolState(PoolConfig pool, List<Machine> machines, int queuedJobs, int runningJobsAll, int concurrent,
                        int onDemandGrants, List<Instant> bootFailures,
                        Optional<List<Fleet.FleetInstance>> listing, Optional<String> image,
                        Optional<MachineCounts> counted, int inFlight) {

    public PoolState(PoolConfig pool, List<Machine> machines, int queuedJobs, int runningJobsAll, int concurrent,
                     int onDemandGrants, List<Instant> bootFailures, Optional<List<Fleet.FleetInstance>> listing,
                     Optional<String> image, Optional<MachineCounts> counted) {
        this(pool, machines, queuedJobs, runningJobsAll, concurrent, onDemandGrants, bootFailures, listing, image,
                counted, 0);
    }

    public PoolState(PoolConfig pool, List<Machine> machines, int queuedJobs, int runningJobsAll, int concurrent,
                     int onDemandGrants, List<Instant> bootFailures, Optional<List<Fleet.FleetInstance>> listing,
                     Optional<String> image) {
        this(pool, machines, queuedJobs, runningJobsAll, concurrent, onDemandGrants, bootFailures, listing, image,
                Optional.empty());
    }

    /** A pool planned from its counters: no machine list, no EC2 listing. */
    public static PoolState counted(PoolConfig pool, MachineCounts counts, int queuedJobs, int runningJobsAll,
                                    int concurrent, int onDemandGrants, List<Instant> bootFailures) {
        return new PoolState(pool, List.of(), queuedJobs, runningJobsAll, concurrent, onDemandGrants, bootFailures,
                Optional.empty(), Optional.empty(), Optional.of(counts));
    }

    public PoolState(PoolConfig pool, List<Machine> machines, int queuedJobs, int runningJobsAll, int concurrent,
                     int onDemandGrants, List<Instant> bootFailures, Optional<List<Fleet.FleetInstance>> listing) {
        this(pool, machines, queuedJobs, runningJobsAll, concurrent, onDemandGrants, bootFailures, listing,
                Optional.empty());
    }

    public PoolState {
        machines = List.copyOf(machines);
        inFlight = Math.max(0, inFlight);
        if (counted.isPresent() && (!machines.isEmpty() || listing.isPresent())) {
            throw new IllegalArgumentException("a pool planned from its counters has no machine list or listing");
        }
        bootFailures = List.copyOf(bootFailures);
        listing = listing.map(List::copyOf);
    }

    /** A pool with no grants, no boot failures and no EC2 listing. */
    public PoolState(PoolConfig pool, List<Machine> machines, int queuedJobs, int runningJobsAll, int concurrent) {
        this(pool, machines, queuedJobs, runningJobsAll, concurrent, 0, List.of(), Optional.empty());
    }

    public PoolState withListing(List<Fleet.FleetInstance> instances) {
        return new PoolState(pool, machines, queuedJobs, runningJobsAll, concurrent, onDemandGrants, bootFailures,
                Optional.of(instances), image, counted, inFlight);
    }

    public PoolState withImage(Optional<String> current) {
        return new PoolState(pool, machines, queuedJobs, runningJobsAll, concurrent, onDemandGrants, bootFailures,
                listing, current, counted, inFlight);
    }

    /** The same pool with {@code places} reserved for launches not yet recorded. */
    public PoolState withInFlight(int places) {
        return new PoolState(pool, machines, queuedJobs, runningJobsAll, concurrent, onDemandGrants, bootFailures,
                listing, image, counted, places);
    }
}
