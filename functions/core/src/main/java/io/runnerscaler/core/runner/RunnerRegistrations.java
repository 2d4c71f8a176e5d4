package io.runnerscaler.core.runner;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.port.BootstrapSecrets;
import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.core.port.RunnerRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The forge steps of a machine's life, for the launch and terminate paths: hand a new machine its
 * registration material, and before terminating one, re-check that it runs no job and remove its registration.
 * Each step is idempotent and answers with a typed outcome; it never throws for a forge problem.
 */
public final class RunnerRegistrations {

    private final Map<Forge, RunnerRegistry> registries = new EnumMap<>(Forge.class);
    private final BootstrapSecrets secrets;
    private final EventLog log;

    public RunnerRegistrations(List<RunnerRegistry> registries, BootstrapSecrets secrets, EventLog log) {
        registries.forEach(r -> this.registries.put(r.forge(), r));
        this.secrets = secrets;
        this.log = log;
    }

    /** What handing a new machine its registration material came to. */
    public sealed interface HandOff {
        /** The machine registers with its pool's shared token (GitLab): nothing was made for it. */
        record SharedToken() implements HandOff {
        }

        /** A per-machine secret waits for the machine in {@link BootstrapSecrets}. */
        record Stored(String runnerName, String runnerId) implements HandOff {
        }

        /** The machine got nothing and will not register; terminate it (it would shut itself down anyway). */
        record Failed(String reason, boolean retryable) implements HandOff {
        }
    }

    /** What releasing a machine before termination came to. Only {@link Released} allows terminating it. */
    public sealed interface Release {
        default boolean mayTerminate() {
            return this instanceof Released;
        }

        /** Not busy, and the forge no longer has it (or never had). */
        record Released() implements Release {
        }

        /** The forge says it runs a job: keep it. */
        record Busy() implements Release {
        }

        /** The forge could not answer (rate limit, outage): keep it and try at the next pass. */
        record RetryLater(Optional<Duration> after, String reason) implements Release {
        }

        /** The forge refused for a configuration reason: keep it; its own idle limit ends it if nobody fixes this. */
        record Failed(String reason) implements Release {
        }
    }

    /**
     * After launch: generate the machine's registration material, if its forge makes any, and store it for it.
     * If the store fails, the registration just made is removed again, so a failed hand-off leaves nothing at
     * the forge or in the store; the caller terminates the machine.
     */
    public HandOff handOff(PoolConfig pool, String instanceId, Instant expiresAt) {
        try {
            Optional<RunnerBinding> binding = registry(pool).prepare(pool, instanceId);
            if (binding.isEmpty()) {
                return new HandOff.SharedToken();
            }
            try {
                secrets.put(instanceId, binding.get().secret(), expiresAt);
            } catch (RuntimeException e) {
                return unstored(pool, instanceId, e);
            }
            log.info("runner.prepared", fields(pool, instanceId, Map.of("runner", binding.get().runnerName(),
                    "runnerId", binding.get().runnerId())));
            return new HandOff.Stored(binding.get().runnerName(), binding.get().runnerId());
        } catch (ForgeException e) {
            log.warn("runner.prepare_failed", fields(pool, instanceId, Map.of("reason", kind(e), "detail",
                    e.getMessage())));
            return new HandOff.Failed(e.getMessage(), e.retryable());
        }
    }

    /** The secret store refused the machine's secret: take back its registration, best effort. */
    private HandOff unstored(PoolConfig pool, String instanceId, RuntimeException storeError) {
        // The store's exception class only: its message is not ours to vouch for.
        String reason = "bootstrap secret not stored (" + storeError.getClass().getSimpleName() + ")";
        var more = new LinkedHashMap<String, Object>();
        more.put("reason", "SECRET_NOT_STORED");
        more.put("detail", reason);
        try {
            registry(pool).deregister(pool, instanceId);
            more.put("registration", "removed");
        } catch (ForgeException e) {
            more.put("registration", "left for the reaper: " + e.getMessage());
        }
        log.warn("runner.prepare_failed", fields(pool, instanceId, more));
        return new HandOff.Failed(reason, true);
    }

    /**
     * Before terminate: re-check the machine is not busy, then remove its registration and any unread secret.
     * Call again after a {@link Release.RetryLater}; every step tolerates having been done already.
     */
    public Release release(PoolConfig pool, String instanceId) {
        RunnerRegistry registry = registry(pool);
        try {
            if (registry.isBusy(pool, instanceId)) {
                log.info("runner.release_refused", fields(pool, instanceId, Map.of("reason", "BUSY")));
                return new Release.Busy();
            }
            registry.deregister(pool, instanceId);
        } catch (ForgeException.Rejected e) {
            // GitHub refuses to delete a runner that took a job since the busy check.
            log.info("runner.release_refused", fields(pool, instanceId, Map.of("reason", "BUSY", "detail",
                    e.getMessage())));
            return new Release.Busy();
        } catch (ForgeException e) {
            log.warn("runner.release_failed", fields(pool, instanceId, Map.of("reason", kind(e), "detail",
                    e.getMessage())));
            if (e instanceof ForgeException.RateLimited limited) {
                return new Release.RetryLater(limited.retryAfter(), e.getMessage());
            }
            return e.retryable() ? new Release.RetryLater(Optional.empty(), e.getMessage())
                    : new Release.Failed(e.getMessage());
        }
        secrets.discard(instanceId);
        log.info("runner.released", fields(pool, instanceId, Map.of()));
        return new Release.Released();
    }

    /**
     * A machine that ended without its runner being removed by us (it died, or was never registered): its
     * registration secret, if it never read it, goes too. Absent is not an error, and neither is a store that
     * cannot be reached: the secret expires by itself, so this is best effort and never throws.
     */
    public void dropUnreadSecret(String instanceId) {
        try {
            secrets.discard(instanceId);
        } catch (RuntimeException e) {
            log.warn("runner.secret_discard_failed", Map.of("instance", instanceId, "error",
                    e.getClass().getSimpleName(), "detail", "the unread secret expires by itself"));
        }
    }

    /**
     * The id of the pool's shared runner at its forge ({@link RunnerRegistry#poolRunnerId}); empty where there is
     * none or the forge could not say (logged), which only makes a started job's machine less certain.
     */
    public Optional<String> poolRunnerId(PoolConfig pool) {
        try {
            return registry(pool).poolRunnerId(pool);
        } catch (ForgeException e) {
            log.warn("runner.id_unknown", Map.of("pool", pool.name(), "reason", kind(e), "detail", e.getMessage()));
            return Optional.empty();
        } catch (RuntimeException e) {
            // The token's store refused or failed (its class only: the message is not ours to vouch for).
            log.warn("runner.id_unknown", Map.of("pool", pool.name(), "reason", "TOKEN_UNREADABLE",
                    "detail", e.getClass().getSimpleName()));
            return Optional.empty();
        }
    }

    /**
     * Registrations the forge's API budget allows now for {@code machines} new machines
     * ({@link RunnerRegistry#registrations}). If the budget cannot be read, all are allowed: GitHub's own answer to
     * going over still pauses the App.
     */
    public RunnerRegistry.Allowance registrations(PoolConfig pool, int machines) {
        try {
            return registry(pool).registrations(pool, machines);
        } catch (RuntimeException e) {
            log.warn("runner.budget_unknown", Map.of("pool", pool.name(), "error", e.getClass().getSimpleName(),
                    "detail", "launching without the shared budget"));
            return new RunnerRegistry.Allowance(machines, Duration.ZERO);
        }
    }

    private RunnerRegistry registry(PoolConfig pool) {
        RunnerRegistry registry = registries.get(pool.forge());
        if (registry == null) {
            throw new IllegalStateException("pool '" + pool.name() + "': no runner registry for forge "
                    + pool.forge().id());
        }
        return registry;
    }

    private static String kind(ForgeException e) {
        return e.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }

    private static Map<String, Object> fields(PoolConfig pool, String instanceId, Map<String, ?> more) {
        var f = new LinkedHashMap<String, Object>();
        f.put("pool", pool.name());
        f.put("instance", instanceId);
        f.putAll(more);
        return f;
    }
}
