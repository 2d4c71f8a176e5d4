package io.runnerscaler.core.planner;

import io.runnerscaler.core.model.Market;

/**
 * One thing the planner wants done to a pool, with the reason. Executors carry actions out as they are; they
 * decide nothing. A machine ended by {@link Terminate}, {@link Discard} or {@link Ended} with
 * {@code bootFailure} set is counted against the pool's boot health.
 */
public sealed interface Action {

    Reason reason();

    /** Launch {@code count} machines on {@code market}. */
    record Launch(int count, Market market, Reason reason) implements Action {
        public Launch {
            if (count <= 0) {
                throw new IllegalArgumentException("launch count must be positive: " + count);
            }
        }
    }

    /**
     * Start a machine of the stopped pool (StartInstances): it keeps its place, boots, registers and takes a job
     * as a launched one does. If EC2 cannot start it, {@link Planner#afterStart} says what to launch instead.
     */
    record Start(String instanceId, Reason reason) implements Action {
    }

    /** Stop a machine that booted to ready for the stopped pool (StopInstances). */
    record Stop(String instanceId, Reason reason) implements Action {
    }

    /** Stop giving the machine new jobs; terminate once it is not busy. */
    record Drain(String instanceId, Reason reason) implements Action {
    }

    /**
     * Terminate a recorded machine (never a busy one): re-check it with the forge, remove its runner, terminate
     * the instance, record it ended.
     */
    record Terminate(String instanceId, Reason reason, boolean bootFailure) implements Action {
        public Terminate(String instanceId, Reason reason) {
            this(instanceId, reason, false);
        }
    }

    /**
     * Terminate an instance without asking the forge, as it can run no job (an orphan, a stopped instance, a machine
     * whose registration failed), and record it ended if the table has it live.
     */
    record Discard(String instanceId, Reason reason, boolean bootFailure) implements Action {
    }

    /** The instance already ended without us: record the machine ended (no EC2 call). */
    record Ended(String instanceId, Reason reason, boolean bootFailure) implements Action {
    }

    /** The pool's machines boot again: forget its boot failures ({@code instanceId} is the machine that proved it). */
    record ResetBootFailures(String instanceId, Reason reason) implements Action {
    }

    /** A decision not to act, recorded so logs can say why nothing happened. */
    record Hold(Reason reason, String detail) implements Action {
    }
}
