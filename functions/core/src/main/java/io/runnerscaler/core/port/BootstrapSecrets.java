package io.runnerscaler.core.port;

import io.runnerscaler.core.runner.Secret;
import java.time.Instant;
import java.util.Optional;

/**
 * Hands a per-machine registration secret (a GitHub JIT config) to that machine alone, to be read once.
 * In production a DynamoDB item keyed by the instance's caller id ({@code <runner role id>:<instance id>}, IAM's
 * {@code aws:userid}), which only that instance's credentials may delete (see docs/runner-tokens.md); the
 * instance reads it with DeleteItem / ReturnValues=ALL_OLD.
 */
public interface BootstrapSecrets {

    /** Store the secret for the instance; it is useless after {@code expiresAt} and may be dropped then. */
    void put(String instanceId, Secret secret, Instant expiresAt);

    /** Read and remove in one step, as the instance does at boot. Empty if absent or expired. */
    Optional<Secret> take(String instanceId, Instant now);

    /** Remove the secret if still there (machine ended before reading it). Absent is not an error. */
    void discard(String instanceId);

    /** For stacks that hand machines no per-machine secret: nothing can be stored, so nothing is there. */
    BootstrapSecrets NONE = new BootstrapSecrets() {
        @Override
        public void put(String instanceId, Secret secret, Instant expiresAt) {
            throw new IllegalStateException("no bootstrap secrets table configured");
        }

        @Override
        public Optional<Secret> take(String instanceId, Instant now) {
            return Optional.empty();
        }

        @Override
        public void discard(String instanceId) {
        }
    };
}
