package io.runnerscaler.core.port;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.runner.RunnerBinding;
import io.runnerscaler.core.runner.RunnerIdentity;
import java.util.Optional;

/**
 * The forge side of a runner machine, one implementation per forge: what the machine needs to register, whether
 * it runs a job, and removing its registration. Machines are named by instance id only ({@link RunnerIdentity}),
 * so callers keep no forge ids. Every method may throw
 * {@link io.runnerscaler.core.port.ForgeException}.
 */
public interface RunnerRegistry {

    Forge forge();

    /**
     * Registration material made for this machine alone, called once per launched instance. GitHub: a JIT config
     * for an ephemeral runner named after the instance. GitLab: empty, the machine registers itself with the
     * pool's shared runner token from SSM as a runner manager.
     */
    Optional<RunnerBinding> prepare(PoolConfig pool, String instanceId);

    /**
     * Whether the forge has a job running on this machine right now. A machine the forge does not know (never
     * registered, or already removed) is not busy. Called just before deregistering and terminating.
     */
    boolean isBusy(PoolConfig pool, String instanceId);

    /** Remove the machine's registration (GitLab runner manager, GitHub runner). Already gone is not an error. */
    void deregister(PoolConfig pool, String instanceId);

    /**
     * The forge's id of the pool's own runner, where every machine of the pool shares one (GitLab), so a job the
     * forge says another runner took is known not to run on our machines. Empty where the forge has one runner per
     * machine or the registry cannot ask.
     */
    default Optional<String> poolRunnerId(PoolConfig pool) {
        return Optional.empty();
    }

    /**
     * How many of {@code machines} new machines the forge's API budget lets us register now ({@link #prepare} makes a
     * forge call per machine for GitHub, none for GitLab). Taken before launching, so a machine is never launched that
     * could not be given its registration; the rest wait {@link Allowance#retryAfter}.
     */
    default Allowance registrations(PoolConfig pool, int machines) {
        return new Allowance(machines, java.time.Duration.ZERO);
    }

    /** Registrations that may be made now, and how long the rest wait. */
    record Allowance(int granted, java.time.Duration retryAfter) {
    }
}
