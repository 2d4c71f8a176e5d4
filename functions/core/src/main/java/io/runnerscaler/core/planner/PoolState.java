package io.runnerscaler.core.planner;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Machine;
import java.util.List;

/**
 * A snapshot of one pool, everything the planner needs.
 *
 * @param machines       the pool's live machines (not TERMINATED)
 * @param queuedJobs     jobs matched to this pool that wait for a runner
 * @param runningJobsAll jobs running across all pools, for global {@code concurrent}
 * @param concurrent     global cap on running jobs
 */
public record PoolState(PoolConfig pool, List<Machine> machines, int queuedJobs, int runningJobsAll, int concurrent) {

    public PoolState {
        machines = List.copyOf(machines);
    }
}
