package io.runnerscaler.core.planner;

import io.runnerscaler.core.model.Machine;

/** Where the planner places a job that started running: on one of the pool's machines, or on none of them. */
public sealed interface Placement {

    Reason reason();

    /**
     * The job runs on this machine: mark it busy with the job. {@code reason} says how sure that is: the forge
     * named the machine ({@link Reason#RUNNER_MANAGER}, {@link Reason#RUNNER_NAME}, {@link Reason#ALREADY_BUSY}),
     * or it is the best guess the pool's records allow ({@link Reason#LAUNCHED_FOR_JOB},
     * {@link Reason#LONGEST_IDLE}, {@link Reason#OLDEST_LAUNCHING}).
     */
    record OnMachine(Machine machine, Reason reason) implements Placement {
    }

    /** The job runs on none of the pool's machines we know: no machine is marked busy. */
    record Nowhere(Reason reason, String detail) implements Placement {
    }
}
