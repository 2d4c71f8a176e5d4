package io.runnerscaler.forges.github;

import io.runnerscaler.core.matching.PoolMatcher;
import io.runnerscaler.core.config.GitHubTarget;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.core.port.RunnerRegistry;
import io.runnerscaler.core.runner.RunnerBinding;
import io.runnerscaler.core.runner.RunnerIdentity;
import java.util.Optional;
import java.util.function.Function;

/**
 * GitHub runner machines: one just-in-time (ephemeral) runner per machine, named after the instance
 * ({@link RunnerIdentity}), with the pool's labels. Busy is GitHub's {@code busy} flag of that runner;
 * deregistering deletes it when it is still there.
 */
public final class GitHubRunnerRegistry implements RunnerRegistry {

    static final String WORK_FOLDER = "_work";

    private final GitHubRunnersApi api;
    private final Function<PoolConfig, GitHubTarget> targets;

    /** @param targets where each pool's runners register (organisation and runner group, or repository) */
    public GitHubRunnerRegistry(GitHubRunnersApi api, Function<PoolConfig, GitHubTarget> targets) {
        this.api = api;
        this.targets = targets;
    }

    @Override
    public Forge forge() {
        return Forge.GITHUB;
    }

    /**
     * Generates the machine's JIT config. A runner of that name left by an earlier attempt (GitHub answers 409)
     * is deleted and the config generated again, so a retried launch step does not fail for good.
     */
    @Override
    public Optional<RunnerBinding> prepare(PoolConfig pool, String instanceId) {
        GitHubTarget target = targets.apply(pool);
        String name = new RunnerIdentity(pool.name(), instanceId).githubRunnerName();
        GitHubRunnersApi.JitRunner jit;
        try {
            jit = api.generateJitConfig(target, name, PoolMatcher.effectiveLabels(pool), WORK_FOLDER);
        } catch (ForgeException.Rejected e) {
            if (e.status() != 409) {
                throw e;
            }
            api.findByName(target, name).ifPresent(stale -> api.delete(target, stale.id()));
            jit = api.generateJitConfig(target, name, PoolMatcher.effectiveLabels(pool), WORK_FOLDER);
        }
        return Optional.of(new RunnerBinding(instanceId, name, Long.toString(jit.runner().id()), jit.encodedJitConfig()));
    }

    /** One JIT config per machine, within the App's shared per-minute budget for the endpoint. */
    @Override
    public Allowance registrations(PoolConfig pool, int machines) {
        GitHubAppClient.Budget budget = api.jitConfigBudget(machines);
        return new Allowance(budget.granted(), budget.retryAfter());
    }

    @Override
    public boolean isBusy(PoolConfig pool, String instanceId) {
        String name = new RunnerIdentity(pool.name(), instanceId).githubRunnerName();
        return api.findByName(targets.apply(pool), name).map(GitHubRunnersApi.Runner::busy).orElse(false);
    }

    /** Deletes the runner if GitHub still has it; a busy runner makes GitHub answer 422, thrown as Rejected. */
    @Override
    public void deregister(PoolConfig pool, String instanceId) {
        GitHubTarget target = targets.apply(pool);
        String name = new RunnerIdentity(pool.name(), instanceId).githubRunnerName();
        api.findByName(target, name).ifPresent(runner -> api.delete(target, runner.id()));
    }
}
