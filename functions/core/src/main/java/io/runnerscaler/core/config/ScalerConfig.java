package io.runnerscaler.core.config;

import java.util.List;
import java.util.Optional;

/** The whole configuration: global {@code concurrent} and the pools, in the order they were written. */
public record ScalerConfig(int concurrent, List<PoolConfig> pools) {

    public ScalerConfig {
        pools = List.copyOf(pools);
    }

    public Optional<PoolConfig> pool(String name) {
        return pools.stream().filter(p -> p.name().equals(name)).findFirst();
    }
}
