package io.runnerscaler.core.sim;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Market;
import java.time.Duration;
import java.util.Optional;

/** When, if ever, the cloud takes a launched machine back (spot interruption), measured from launch. */
@FunctionalInterface
public interface Interruptions {

    Optional<Duration> interruptAfter(PoolConfig pool, String instanceId, Market market);

    Interruptions NONE = (pool, id, market) -> Optional.empty();
}
