package io.runnerscaler.core.sim;

import io.runnerscaler.core.config.PoolConfig;
import java.time.Duration;

/** How long a launched machine takes to boot and register. Callers bring their own distribution. */
@FunctionalInterface
public interface BootTimes {

    Duration bootTime(PoolConfig pool, String instanceId);

    static BootTimes fixed(Duration d) {
        return (pool, id) -> d;
    }
}
