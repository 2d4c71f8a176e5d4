package io.runnerscaler.core.config;

import io.runnerscaler.core.model.Forge;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks that every GitLab pool's {@code tokenParameter} lies where the stack's runner role may read it,
 * {@code <parameter path>/runners/gitlab/}. A token anywhere else passes YAML validation but leaves every
 * machine of the pool unable to register: it fails only at boot, on the machine, one launch at a time.
 */
public final class TokenParameterScope {

    private final String readablePrefix;

    /** @param parameterPath the stack's SSM parameter path, e.g. {@code /runner-scaler/prod} */
    public TokenParameterScope(String parameterPath) {
        String path = parameterPath.endsWith("/") ? parameterPath.substring(0, parameterPath.length() - 1)
                : parameterPath;
        this.readablePrefix = path + "/runners/gitlab/";
    }

    /** One message per pool whose token the runner role could not read, naming the field and the fix. */
    public List<String> problems(ScalerConfig config) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < config.pools().size(); i++) {
            PoolConfig pool = config.pools().get(i);
            if (pool.forge() != Forge.GITLAB || pool.tokenParameter().isEmpty()) {
                continue;
            }
            String name = pool.tokenParameter().get();
            if (!name.startsWith(readablePrefix) || name.length() == readablePrefix.length()) {
                problems.add("pools[" + i + "].tokenParameter: '" + name + "' is outside " + readablePrefix
                        + ", the only parameters the runner role may read; store the token as "
                        + readablePrefix + pool.name());
            }
        }
        return problems;
    }

    /** The config unchanged when every token is readable, else a {@link ConfigException} with every problem. */
    public ScalerConfig check(ScalerConfig config) {
        List<String> problems = problems(config);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return config;
    }
}
