package io.runnerscaler.core.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole configuration: global {@code concurrent}, the pools in the order they were written, and the
 * projects the reaper watches for jobs whose webhook was lost.
 */
public record ScalerConfig(int concurrent, List<PoolConfig> pools, WatchConfig watch) {

    public ScalerConfig {
        pools = List.copyOf(pools);
        Objects.requireNonNull(watch, "watch");
    }

    /** A configuration that watches no project. */
    public ScalerConfig(int concurrent, List<PoolConfig> pools) {
        this(concurrent, pools, WatchConfig.NONE);
    }

    public Optional<PoolConfig> pool(String name) {
        return pools.stream().filter(p -> p.name().equals(name)).findFirst();
    }
}
