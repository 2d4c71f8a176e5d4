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

    /** An instance as EC2 reports it ({@code state}: pending, running, stopping, stopped, shutting-down). */
    record FleetInstance(String instanceId, String pool, String state, Instant launchTime) {
    }
}
