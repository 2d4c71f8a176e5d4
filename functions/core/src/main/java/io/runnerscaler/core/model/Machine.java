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
 * @param steps      how it came up and when each step of the way happened, for the boot budget
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
        Optional<Ending> ending,
        Steps steps) {

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

    /**
     * The instants of a machine's way from asked for to its first job, each set once, in the transitions that
     * already happen: the launch (or start) request, EC2's {@code running} state-change event, the runner's
     * registration where the forge tells it, and the {@code running} event of its first job.
     *
     * @param path      {@link BootPath#COLD} for a launched machine, {@link BootPath#STOPPED} for a started one
     * @param requested when the launch (or start) was asked for
     */
    public record Steps(BootPath path, Instant requested, Optional<Instant> running, Optional<Instant> registered,
                        Optional<Instant> firstJob) {
        public Steps {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(requested, "requested");
            Objects.requireNonNull(running, "running");
            Objects.requireNonNull(registered, "registered");
            Objects.requireNonNull(firstJob, "firstJob");
            if (path == BootPath.IDLE) {
                throw new IllegalArgumentException("a machine comes up cold or stopped, not idle");
            }
        }

        /** A machine just asked for on {@code path} at {@code requested}; nothing else has happened yet. */
        public static Steps requested(BootPath path, Instant requested) {
            return new Steps(path, requested, Optional.empty(), Optional.empty(), Optional.empty());
        }

        Steps withRunning(Instant at) {
            return running.isPresent() ? this : new Steps(path, requested, Optional.of(at), registered, firstJob);
        }

        Steps withRegistered(Instant at) {
            return registered.isPresent() ? this : new Steps(path, requested, running, Optional.of(at), firstJob);
        }

        Steps withFirstJob(Instant at) {
            return firstJob.isPresent() ? this : new Steps(path, requested, running, registered, Optional.of(at));
        }

        /** When the machine could take a job: its runner registered, or, where the forge does not tell, EC2 running. */
        public Optional<Instant> ready() {
            return registered.or(() -> running);
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
        Objects.requireNonNull(steps, "steps");
    }

    /** A machine with its steps, launched cold at {@code launchedAt} unless they say otherwise. */
    public Machine(String instanceId, String pool, MachineState state, Market market, String instanceType,
                   int buildsDone, Instant launchedAt, Instant stateSince, Optional<String> jobId,
                   Optional<Ending> ending) {
        this(instanceId, pool, state, market, instanceType, buildsDone, launchedAt, stateSince, jobId, ending,
                Steps.requested(BootPath.COLD, launchedAt));
    }

    /** A machine that has not ended. */
    public Machine(String instanceId, String pool, MachineState state, Market market, String instanceType,
                   int buildsDone, Instant launchedAt, Instant stateSince, Optional<String> jobId) {
        this(instanceId, pool, state, market, instanceType, buildsDone, launchedAt, stateSince, jobId,
                Optional.empty());
    }

    public Machine withState(MachineState next, Instant at, Optional<String> job) {
        return new Machine(instanceId, pool, next, market, instanceType, buildsDone, launchedAt, at, job, ending,
                steps);
    }

    /**
     * Started from the stopped pool at {@code at} (StartInstances): LAUNCHING again, its boot steps those of a
     * {@link BootPath#STOPPED} start from now.
     */
    public Machine startedFromPool(Instant at, Optional<String> job) {
        return new Machine(instanceId, pool, MachineState.LAUNCHING, market, instanceType, buildsDone, launchedAt, at,
                job, ending, Steps.requested(BootPath.STOPPED, at));
    }

    /** EC2 says the instance is running (at {@code at}): a LAUNCHING machine becomes IDLE; the instant is kept once. */
    public Machine running(Instant at) {
        MachineState next = state == MachineState.LAUNCHING ? MachineState.IDLE : state;
        return new Machine(instanceId, pool, next, market, instanceType, buildsDone, launchedAt,
                next == state ? stateSince : at, jobId, ending, steps.withRunning(at));
    }

    /** The forge says the machine's runner registered at {@code at}; kept once. */
    public Machine registered(Instant at) {
        return new Machine(instanceId, pool, state, market, instanceType, buildsDone, launchedAt, stateSince, jobId,
                ending, steps.withRegistered(at));
    }

    /** The machine runs {@code jobKey} since {@code at}: BUSY, and its first job's instant kept once. */
    public Machine startedJob(String jobKey, Instant at, Instant now) {
        return new Machine(instanceId, pool, MachineState.BUSY, market, instanceType, buildsDone, launchedAt, now,
                Optional.of(jobKey), ending, steps.withFirstJob(at));
    }

    /**
     * The way a job queued at {@code queuedAt} came to run on this machine (asked before it starts the job):
     * {@link BootPath#IDLE} if the machine had already run a job or was {@link Steps#ready() ready} by then,
     * else the way the machine itself came up, which the job waited for.
     */
    public BootPath pathFor(Instant queuedAt) {
        if (steps.firstJob().isPresent() || tookJob()) {
            return BootPath.IDLE;
        }
        return steps.ready().filter(ready -> !ready.isAfter(queuedAt)).isPresent() ? BootPath.IDLE : steps.path();
    }

    public Machine withBuildFinished(Instant at) {
        return new Machine(instanceId, pool, MachineState.IDLE, market, instanceType, buildsDone + 1, launchedAt, at,
                Optional.empty(), ending, steps);
    }

    /** The machine TERMINATED at {@code at} for {@code reason}, remembering whether it ever ran a job. */
    public Machine ended(Instant at, String reason) {
        return new Machine(instanceId, pool, MachineState.TERMINATED, market, instanceType, buildsDone, launchedAt, at,
                jobId, Optional.of(new Ending(reason, tookJob())), steps);
    }

    /** Whether a job ever ran on this machine (it is running one, or finished one). */
    public boolean tookJob() {
        return ending.map(Ending::tookJob).orElseGet(() -> buildsDone > 0 || state == MachineState.BUSY
                || (state == MachineState.DRAINING && jobId.isPresent()));
    }
}
