package io.runnerscaler.core.runner;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.port.RunnerRegistry;
import java.util.Optional;

/**
 * The registry for a forge whose API the stack has no credentials for: the machines register with their
 * pool's token and remove themselves when they stop (the bootstrap scripts do both), nothing is made per
 * machine, and the table's BUSY state is the only busy check before terminating.
 */
public record UnmanagedRunners(Forge forge) implements RunnerRegistry {

    @Override
    public Optional<RunnerBinding> prepare(PoolConfig pool, String instanceId) {
        return Optional.empty();
    }

    @Override
    public boolean isBusy(PoolConfig pool, String instanceId) {
        return false;
    }

    @Override
    public void deregister(PoolConfig pool, String instanceId) {
        // the machine's own shutdown trap removes its registration
    }
}
