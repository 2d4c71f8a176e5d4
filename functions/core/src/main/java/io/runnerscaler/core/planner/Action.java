package io.runnerscaler.core.planner;

import io.runnerscaler.core.model.Market;

/** One thing the planner wants done to a pool, with the reason. */
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

    /** Stop giving the machine new jobs; terminate once it is not busy. */
    record Drain(String instanceId, Reason reason) implements Action {
    }

    /** Terminate the machine (never a busy one). */
    record Terminate(String instanceId, Reason reason) implements Action {
    }

    /** A decision not to act, recorded so logs can say why nothing happened. */
    record Hold(Reason reason, String detail) implements Action {
    }
}
