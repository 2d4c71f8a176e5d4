package io.runnerscaler.core.runner;

import java.util.Objects;

/**
 * What one machine needs from the forge to register, made for that machine only (a GitHub JIT config).
 * The secret goes to the machine through {@link io.runnerscaler.core.port.BootstrapSecrets}, never through
 * user-data, logs or the machine table.
 *
 * @param runnerName the name the runner has at the forge
 * @param runnerId   the forge's id of the runner, for deregistration and logs
 * @param secret     the one-time registration material
 */
public record RunnerBinding(String instanceId, String runnerName, String runnerId, Secret secret) {

    public RunnerBinding {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(runnerName, "runnerName");
        Objects.requireNonNull(runnerId, "runnerId");
        Objects.requireNonNull(secret, "secret");
    }
}
