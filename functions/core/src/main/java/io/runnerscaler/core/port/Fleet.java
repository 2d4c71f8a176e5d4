package io.runnerscaler.core.port;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Market;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Launches and terminates runner instances (EC2 in production). */
public interface Fleet {

    /**
     * Launch up to {@code count} machines for the pool in one call.
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

    /** What a launch produced: the instances, and for the machines it could not supply, why. */
    record LaunchResult(List<Launched> launched, int requested, Optional<LaunchFailure> failure) {
        public LaunchResult {
            launched = List.copyOf(launched);
        }
    }

    /** Why machines could not be launched. Capacity errors are retryable elsewhere; quota and config are not. */
    record LaunchFailure(Kind kind, String code, String message) {
        public enum Kind { CAPACITY, QUOTA, THROTTLED, CONFIG, OTHER }
    }

    /** An instance as EC2 reports it. */
    record FleetInstance(String instanceId, String pool, String state, Instant launchTime) {
    }
}
