package io.runnerscaler.cli.simulate;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.sim.BootTimes;
import io.runnerscaler.core.sim.Interruptions;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The cloud's randomness, drawn per machine from a seed: boot times uniform in
 * {@code boot ± jitter}, and spot interruptions as a Poisson process of {@code ratePerHour} per spot
 * machine-hour (an exponential lifetime). Each machine's draws depend only on the seed, its pool and its
 * instance id, so two policies that launch the same machine see the same luck.
 */
public record SeededCloud(long seed, Duration boot, Duration jitter, double ratePerHour)
        implements BootTimes, Interruptions {

    public SeededCloud {
        if (boot.isNegative() || jitter.isNegative()) {
            throw new IllegalArgumentException("boot time and jitter must not be negative");
        }
        if (!(ratePerHour >= 0)) {
            throw new IllegalArgumentException("interruption rate must not be negative");
        }
    }

    @Override
    public Duration bootTime(PoolConfig pool, String instanceId) {
        if (jitter.isZero()) {
            return boot;
        }
        double u = random(pool, instanceId, 1).nextDouble(-1.0, 1.0);
        long millis = Math.round(boot.toMillis() + u * jitter.toMillis());
        return Duration.ofMillis(Math.max(0, millis));
    }

    @Override
    public Optional<Duration> interruptAfter(PoolConfig pool, String instanceId, Market market) {
        if (market != Market.SPOT || ratePerHour == 0) {
            return Optional.empty();
        }
        double u = random(pool, instanceId, 2).nextDouble();
        double hours = -Math.log(1.0 - u) / ratePerHour;
        return Optional.of(Duration.ofMillis((long) Math.min(Long.MAX_VALUE / 2.0, hours * 3_600_000)));
    }

    private SplittableRandom random(PoolConfig pool, String instanceId, int stream) {
        long h = seed;
        h = h * 31 + pool.name().hashCode();
        h = h * 31 + instanceId.hashCode();
        h = h * 31 + stream;
        return new SplittableRandom(h);
    }
}
