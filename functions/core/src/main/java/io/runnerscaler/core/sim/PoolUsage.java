package io.runnerscaler.core.sim;

import io.runnerscaler.core.model.Market;
import java.util.Map;

/**
 * What a pool consumed over a simulation.
 *
 * @param machineSeconds seconds machines existed (launch request to termination or the end), by market
 */
public record PoolUsage(String pool, int launched, int terminated, int interrupted,
                        Map<Market, Long> machineSeconds) {

    public PoolUsage {
        machineSeconds = Map.copyOf(machineSeconds);
    }

    public double machineHours() {
        return machineSeconds.values().stream().mapToLong(Long::longValue).sum() / 3600.0;
    }
}
