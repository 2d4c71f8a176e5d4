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
        Optional<String> jobId) {

    public Machine {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(market, "market");
        Objects.requireNonNull(launchedAt, "launchedAt");
        Objects.requireNonNull(stateSince, "stateSince");
        Objects.requireNonNull(jobId, "jobId");
    }

    public Machine withState(MachineState next, Instant at, Optional<String> job) {
        return new Machine(instanceId, pool, next, market, instanceType, buildsDone, launchedAt, at, job);
    }

    public Machine withBuildFinished(Instant at) {
        return new Machine(instanceId, pool, MachineState.IDLE, market, instanceType, buildsDone + 1, launchedAt, at,
                Optional.empty());
    }
}
