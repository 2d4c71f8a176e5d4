package io.runnerscaler.core.config;

import io.runnerscaler.core.model.Forge;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A runner pool: which jobs it takes, what machines it launches, and its docker+machine knobs.
 *
 * @param labels          GitLab tags or GitHub labels the pool's runners register with
 * @param runUntagged     GitLab {@code run_untagged}: take jobs without tags
 * @param launchTemplate  EC2 launch template name or id the pool's machines are based on; empty: the stack's
 *                        runner template. {@code ami} overrides its image when set
 * @param limit           most machines in the pool at once
 * @param maxGrowthRate   most machines launching at once; 0 = unlimited
 * @param maxBuilds       jobs a machine runs before it is retired; 0 = unlimited
 * @param tokenParameter  SSM parameter name holding the runner token (the name, never the secret)
 * @param bootTimeout     a machine still launching after this long is considered stuck
 * @param github          GitHub pools: the organisation or repository their runners register with
 * @param stoppedMaxAge   a stopped machine launched longer ago than this is replaced (its image, its packages
 *                        and its runner age while it waits)
 */
public record PoolConfig(
        String name,
        Forge forge,
        Set<String> labels,
        boolean runUntagged,
        List<String> instanceTypes,
        List<String> subnets,
        String launchTemplate,
        Optional<String> ami,
        MarketPolicy market,
        int limit,
        IdleSettings idle,
        int maxGrowthRate,
        int maxBuilds,
        List<PeriodConfig> periods,
        ZoneId timezone,
        Optional<String> tokenParameter,
        Duration bootTimeout,
        Optional<GitHubTarget> github,
        Duration stoppedMaxAge) {

    /** How long a stopped machine waits at most before it is replaced, unless the pool says otherwise. */
    public static final Duration DEFAULT_STOPPED_MAX_AGE = Duration.ofDays(7);

    public PoolConfig {
        labels = Set.copyOf(labels);
        instanceTypes = List.copyOf(instanceTypes);
        subnets = List.copyOf(subnets);
        periods = List.copyOf(periods);
        java.util.Objects.requireNonNull(github, "github");
        java.util.Objects.requireNonNull(stoppedMaxAge, "stoppedMaxAge");
    }

    /** A pool with the default {@link #DEFAULT_STOPPED_MAX_AGE}. */
    public PoolConfig(String name, Forge forge, Set<String> labels, boolean runUntagged, List<String> instanceTypes,
                      List<String> subnets, String launchTemplate, Optional<String> ami, MarketPolicy market,
                      int limit, IdleSettings idle, int maxGrowthRate, int maxBuilds, List<PeriodConfig> periods,
                      ZoneId timezone, Optional<String> tokenParameter, Duration bootTimeout,
                      Optional<GitHubTarget> github) {
        this(name, forge, labels, runUntagged, instanceTypes, subnets, launchTemplate, ami, market, limit, idle,
                maxGrowthRate, maxBuilds, periods, timezone, tokenParameter, bootTimeout, github,
                DEFAULT_STOPPED_MAX_AGE);
    }

    /** Whether the pool keeps a stopped pool at any time (its own {@code stoppedCount} or a period's). */
    public boolean hasStoppedPool() {
        return idle.stoppedCount() > 0 || periods.stream().anyMatch(p -> p.idle().stoppedCount() > 0);
    }

    /** A pool without a GitHub target (every GitLab pool; GitHub pools of a stack without a GitHub App). */
    public PoolConfig(String name, Forge forge, Set<String> labels, boolean runUntagged, List<String> instanceTypes,
                      List<String> subnets, String launchTemplate, Optional<String> ami, MarketPolicy market,
                      int limit, IdleSettings idle, int maxGrowthRate, int maxBuilds, List<PeriodConfig> periods,
                      ZoneId timezone, Optional<String> tokenParameter, Duration bootTimeout) {
        this(name, forge, labels, runUntagged, instanceTypes, subnets, launchTemplate, ami, market, limit, idle,
                maxGrowthRate, maxBuilds, periods, timezone, tokenParameter, bootTimeout, Optional.empty());
    }
}
