package io.runnerscaler.core.sim;

import io.runnerscaler.core.model.Market;
import java.util.Map;

/**
 * What a pool consumed over a simulation.
 *
 * @param machineSeconds seconds machines ran (launch request to termination or the end, less the time they spent
 *                       stopped), by market: what the instances are billed for
 * @param stoppedSeconds seconds machines spent stopped in the stopped pool: only their volumes are billed
 * @param started        machines started from the stopped pool
 */
public record PoolUsage(String pool, int launched, int terminated, int interrupted,
                        Map<Market, Long> machineSeconds, long stoppedSeconds, int started) {

    public PoolUsage {
        machineSeconds = Map.copyOf(machineSeconds);
    }

    public PoolUsage(String pool, int launched, int terminated, int interrupted, Map<Market, Long> machineSeconds) {
        this(pool, launched, terminated, interrupted, machineSeconds, 0, 0);
    }

    public double machineHours() {
        return machineSeconds.values().stream().mapToLong(Long::longValue).sum() / 3600.0;
    }
}
