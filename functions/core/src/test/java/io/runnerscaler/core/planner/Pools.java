package io.runnerscaler.core.planner;

import io.runnerscaler.core.config.IdleSettings;
import io.runnerscaler.core.config.MarketPolicy;
import io.runnerscaler.core.config.PeriodConfig;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Forge;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Builds pool configs for tests, docker+machine style: start from defaults, change what the case needs. */
public record Pools(String name, MarketPolicy market, int limit, IdleSettings idle, int maxGrowthRate, int maxBuilds,
                    List<PeriodConfig> periods, ZoneId zone, Duration bootTimeout) {

    public static Pools pool() {
        return new Pools("docker", MarketPolicy.SPOT, 10, new IdleSettings(0, 0, 0, Duration.ofSeconds(300)), 0, 0,
                List.of(), ZoneOffset.UTC, Duration.ofMinutes(10));
    }

    public Pools limit(int v) {
        return new Pools(name, market, v, idle, maxGrowthRate, maxBuilds, periods, zone, bootTimeout);
    }

    public Pools idle(int idleCount, int idleTimeSeconds) {
        return idle(new IdleSettings(idleCount, 0, 0, Duration.ofSeconds(idleTimeSeconds)));
    }

    /** The pool keeps {@code n} machines stopped. */
    public Pools stopped(int n) {
        return idle(idle.withStoppedCount(n));
    }

    public Pools idle(IdleSettings v) {
        return new Pools(name, market, limit, v, maxGrowthRate, maxBuilds, periods, zone, bootTimeout);
    }

    public Pools maxGrowthRate(int v) {
        return new Pools(name, market, limit, idle, v, maxBuilds, periods, zone, bootTimeout);
    }

    public Pools maxBuilds(int v) {
        return new Pools(name, market, limit, idle, maxGrowthRate, v, periods, zone, bootTimeout);
    }

    public Pools market(MarketPolicy v) {
        return new Pools(name, v, limit, idle, maxGrowthRate, maxBuilds, periods, zone, bootTimeout);
    }

    public Pools bootTimeout(Duration v) {
        return new Pools(name, market, limit, idle, maxGrowthRate, maxBuilds, periods, zone, v);
    }

    public Pools periods(ZoneId z, PeriodConfig... v) {
        return new Pools(name, market, limit, idle, maxGrowthRate, maxBuilds, List.of(v), z, bootTimeout);
    }

    public PoolConfig build() {
        return new PoolConfig(name, Forge.GITLAB, Set.of("docker"), true, List.of("m7i.large"), List.of("subnet-1"),
                "lt-runner", Optional.empty(), market, limit, idle, maxGrowthRate, maxBuilds, periods, zone,
                Optional.of("/runner-scaler/docker/token"), bootTimeout);
    }
}
