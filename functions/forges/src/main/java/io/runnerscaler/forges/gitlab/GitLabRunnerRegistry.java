package io.runnerscaler.forges.gitlab;

import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Forge;
import io.runnerscaler.core.port.ForgeException;
import io.runnerscaler.core.port.RunnerRegistry;
import io.runnerscaler.core.port.SecretStore;
import io.runnerscaler.core.runner.RunnerBinding;
import io.runnerscaler.core.runner.RunnerIdentity;
import io.runnerscaler.core.runner.Secret;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * GitLab runner machines: all machines of a pool share the pool's runner (its {@code glrt-} token in SSM) and
 * each registers as a runner manager whose system id comes from its instance id ({@link RunnerIdentity}).
 * Nothing is made per machine; busy is "a running job on that manager"; deregistering deletes the manager.
 */
public final class GitLabRunnerRegistry implements RunnerRegistry {

    private final GitLabRunnersApi api;
    private final SecretStore secrets;
    private final String accessTokenParameter;
    private final Map<String, Long> runnerIds = new ConcurrentHashMap<>();

    /**
     * @param accessTokenParameter SSM name of an access token (project, group or personal) with at least the
     *                             Reporter role where the runner works, for listing its jobs
     */
    public GitLabRunnerRegistry(GitLabRunnersApi api, SecretStore secrets, String accessTokenParameter) {
        this.api = api;
        this.secrets = secrets;
        this.accessTokenParameter = accessTokenParameter;
    }

    @Override
    public Forge forge() {
        return Forge.GITLAB;
    }

    @Override
    public Optional<RunnerBinding> prepare(PoolConfig pool, String instanceId) {
        return Optional.empty();
    }

    @Override
    public boolean isBusy(PoolConfig pool, String instanceId) {
        String systemId = new RunnerIdentity(pool.name(), instanceId).gitlabSystemId();
        long runnerId = runnerId(pool);
        // A job without manager details could be this machine's: count it, never terminate a busy machine.
        return api.runningJobs(secret(accessTokenParameter, pool), runnerId, systemId).stream()
                .anyMatch(job -> job.systemId().map(systemId::equals).orElse(true));
    }

    @Override
    public void deregister(PoolConfig pool, String instanceId) {
        String systemId = new RunnerIdentity(pool.name(), instanceId).gitlabSystemId();
        api.deleteManager(runnerToken(pool), systemId);
    }

    /** The id GitLab's {@code POST /runners/verify} gives the pool's token, once per warm function. */
    @Override
    public Optional<String> poolRunnerId(PoolConfig pool) {
        return Optional.of(Long.toString(runnerId(pool)));
    }

    private long runnerId(PoolConfig pool) {
        String parameter = tokenParameter(pool);
        Long cached = runnerIds.get(parameter);
        if (cached != null) {
            return cached;
        }
        long id = api.runnerIdForToken(runnerToken(pool));
        runnerIds.put(parameter, id);
        return id;
    }

    private Secret runnerToken(PoolConfig pool) {
        return secret(tokenParameter(pool), pool);
    }

    private static String tokenParameter(PoolConfig pool) {
        return pool.tokenParameter().orElseThrow(() -> new ForgeException.Misconfigured(
                "pool '" + pool.name() + "': tokenParameter is required for GitLab pools"));
    }

    private Secret secret(String parameter, PoolConfig pool) {
        return secrets.get(parameter).map(Secret::new).orElseThrow(() -> new ForgeException.Misconfigured(
                "pool '" + pool.name() + "': SSM parameter '" + parameter + "' not found"));
    }
}
