package io.runnerscaler.core.model;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A runner machine as the scaler tracks it.
 *
 * @param stateSince when the machine entered its current state (idle since, busy since ...)
 * @param jobId      the job it runs (BUSY) or was launched for (LAUNCHING), if any
 * @param buildsDone jobs finished on this machine, for MaxBuilds
 * @param ending     for a TERMINATED machine: why it ended and whether it ever took a job
 */
public record Machine(
        String instanceId,
        String pool,
        MachineState state,
        Market market,
        String instanceType,
        int buildsDone,
        Instant launchedAt,
        Instant stateSince,
        Optional<String> jobId,
        Optional<Ending> ending) {

    /**
     * Why a machine ended, as recorded with it.
     *
     * @param reason  the planner's reason ({@code IDLE_TIME_EXCEEDED}, {@code BOOT_TIMEOUT}, {@code INSTANCE_ENDED}
     *                ...), by name; empty for records written before reasons were kept
     * @param tookJob whether a job ever ran on it: one that ended without one failed to boot, or was never needed
     */
    public record Ending(String reason, boolean tookJob) {
        public Ending {
            Objects.requireNonNull(reason, "reason");
        }
    }

    public Machine {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(market, "market");
        Objects.requireNonNull(launchedAt, "launchedAt");
        Objects.requireNonNull(stateSince, "stateSince");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(ending, "ending");
    }

    /** A machine that has not ended. */
    public Machine(String instanceId, String pool, MachineState state, Market market, String instanceType,
                   int buildsDone, Instant launchedAt, Instant stateSince, Optional<String> jobId) {
        this(instanceId, pool, state, market, instanceType, buildsDone, launchedAt, stateSince, jobId,
                Optional.empty());
    }

    public Machine withState(MachineState next, Instant at, Optional<String> job) {
        return new Machine(instanceId, pool, next, market, instanceType, buildsDone, launchedAt, at, job, ending);
    }

    public Machine withBuildFinished(Instant at) {
        return new Machine(instanceId, pool, MachineState.IDLE, market, instanceType, buildsDone + 1, launchedAt, at,
                Optional.empty(), ending);
    }

    /** The machine TERMINATED at {@code at} for {@code reason}, remembering whether it ever ran a job. */
    public Machine ended(Instant at, String reason) {
        return new Machine(instanceId, pool, MachineState.TERMINATED, market, instanceType, buildsDone, launchedAt, at,
                jobId, Optional.of(new Ending(reason, tookJob())));
    }

    /** Whether a job ever ran on this machine (it is running one, or finished one). */
    public boolean tookJob() {
        return ending.map(Ending::tookJob).orElseGet(() -> buildsDone > 0 || state == MachineState.BUSY
                || (state == MachineState.DRAINING && jobId.isPresent()));
    }
}
