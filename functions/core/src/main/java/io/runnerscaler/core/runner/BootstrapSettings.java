package io.runnerscaler.core.runner;

import io.runnerscaler.core.config.PoolConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * Deployment values the bootstrap scripts need beside the pool.
 *
 * @param gitlabUrl         GitLab base URL runners register with (GitLab pools)
 * @param dockerImage       default image of the docker executor (GitLab pools)
 * @param secretsTable      table holding per-machine JIT configs (GitHub pools)
 * @param safetyIdleTimeout a machine with no job for this long shuts itself down, whatever the control plane does
 * @param maxLifetime       a machine shuts itself down after this long; zero means no limit
 * @param secretWait        how long a GitHub machine waits for its JIT config before giving up
 */
public record BootstrapSettings(
        String gitlabUrl,
        String dockerImage,
        String secretsTable,
        Duration safetyIdleTimeout,
        Duration maxLifetime,
        Duration secretWait) {

    public BootstrapSettings {
        Objects.requireNonNull(gitlabUrl, "gitlabUrl");
        Objects.requireNonNull(dockerImage, "dockerImage");
        Objects.requireNonNull(secretsTable, "secretsTable");
        Objects.requireNonNull(safetyIdleTimeout, "safetyIdleTimeout");
        Objects.requireNonNull(maxLifetime, "maxLifetime");
        Objects.requireNonNull(secretWait, "secretWait");
        if (safetyIdleTimeout.toSeconds() < 60) {
            throw new IllegalArgumentException("safetyIdleTimeout " + safetyIdleTimeout + " is below one minute");
        }
    }

    /**
     * The safety idle limit for a pool: twice its {@code idleTime} and at least an hour, so the control plane's
     * own idle reaping always comes first and a machine kept warm by {@code idleCount} is at worst recycled.
     */
    public static Duration safetyIdleTimeoutFor(PoolConfig pool) {
        Duration twice = pool.idle().idleTime().multipliedBy(2);
        return twice.compareTo(Duration.ofHours(1)) > 0 ? twice : Duration.ofHours(1);
    }
}
