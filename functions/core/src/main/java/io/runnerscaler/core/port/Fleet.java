package io.runnerscaler.core.port;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Market;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Launches and terminates runner instances (EC2 in production). It carries out what it is asked, on the market
 * it is asked for: whether to fall back to on demand is the planner's decision, from the errors reported here.
 */
public interface Fleet {

    /**
     * Launch up to {@code count} machines for the pool on {@code market}, in one call.
     *
     * @param tags extra tags for instances and volumes (job id ...); pool, forge and managed-by are added
     */
    LaunchResult launch(PoolConfig pool, int count, Market market, Map<String, String> tags);

    /**
     * Launch up to {@code count} machines for the stopped pool: they must be stoppable (on spot, a persistent
     * request with interruption behaviour {@code stop}, which needs RunInstances rather than an instant fleet).
     */
    default LaunchResult launchStoppable(PoolConfig pool, int count, Market market, Map<String, String> tags) {
        return launch(pool, count, market, tags);
    }

    /**
     * Start a stopped instance (one StartInstances call). Empty when EC2 accepted it; else why not (a capacity
     * error when EC2 has no room for its type in its zone, {@code InsufficientInstanceCapacity}).
     */
    default Optional<LaunchFailure> start(String instanceId) {
        throw new UnsupportedOperationException("this fleet cannot start stopped instances");
    }

    /** Stop running instances (StopInstances); already stopping or stopped ones are not an error. */
    default void stop(Collection<String> instanceIds) {
        throw new UnsupportedOperationException("this fleet cannot stop instances");
    }

    /** Terminate the instances; already gone ones are not an error. */
    void terminate(Collection<String> instanceIds);

    /** Instances this stack tagged, whatever the table says; used by reconciliation. */
    List<FleetInstance> describeManaged();

    /** A launched instance. */
    record Launched(String instanceId, String instanceType, Market market) {
    }

    /**
     * What a launch produced: the instances, and every error the fleet reported (an instant fleet reports one per
     * override it could not use, also when others launched).
     */
    record LaunchResult(List<Launched> launched, int requested, List<LaunchFailure> errors) {
        public LaunchResult {
            launched = List.copyOf(launched);
            errors = List.copyOf(errors);
        }

        public LaunchResult(List<Launched> launched, int requested, Optional<LaunchFailure> failure) {
            this(launched, requested, failure.stream().toList());
        }

        /** The error that explains a shortfall: the first capacity error, else the first error. */
        public Optional<LaunchFailure> failure() {
            return errors.stream().filter(e -> e.kind() == LaunchFailure.Kind.CAPACITY).findFirst()
                    .or(() -> errors.stream().findFirst());
        }

        /** Whether any error was a capacity error (the market had no room for some of the request). */
        public boolean capacityError() {
            return errors.stream().anyMatch(e -> e.kind() == LaunchFailure.Kind.CAPACITY);
        }

        public int missing() {
            return requested - launched.size();
        }
    }

    /** Why machines could not be launched. Capacity errors are retryable elsewhere; quota and config are not. */
    record LaunchFailure(Kind kind, String code, String message) {
        public enum Kind { CAPACITY, QUOTA, THROTTLED, CONFIG, OTHER }
    }

    /**
     * An instance as EC2 reports it ({@code state}: pending, running, stopping, stopped, shutting-down).
     *
     * @param imageId the image it was launched from, empty when unknown
     * @param ready   it booted to ready for the stopped pool and said so (its {@link #READY_TAG})
     */
    record FleetInstance(String instanceId, String pool, String state, Instant launchTime, String imageId,
                         boolean ready) {
        public FleetInstance(String instanceId, String pool, String state, Instant launchTime) {
            this(instanceId, pool, state, launchTime, "", false);
        }
    }

    /** Tag a refill machine sets on itself once booted to ready (image warm, Docker up, nothing registered). */
    String READY_TAG = "runner-scaler:ready";

    /** Tag on a machine launched to refill the stopped pool: its first boot only warms up and says ready. */
    String REFILL_TAG = "runner-scaler:refill";
}
