package io.runnerscaler.core.config;

import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.Metrics;
import io.runnerscaler.core.port.SecretStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Reads the pools YAML from its parameter and validates it before use. An invalid update keeps the last
 * good config running, logs every problem and counts {@code ConfigRejected} (the template alarms on it);
 * with no good config yet — a cold start — it fails with the validation message, as
 * {@code runner-scaler config validate} would show it.
 */
public final class LastGoodConfig implements Supplier<ScalerConfig> {

    private final SecretStore parameters;
    private final String parameter;
    private final EventLog log;
    private final Metrics metrics;
    private final ConfigLoader loader;
    private final UnaryOperator<ScalerConfig> deploymentCheck;
    private ScalerConfig good;
    private String goodYaml;

    public LastGoodConfig(SecretStore parameters, String parameter, EventLog log, Metrics metrics) {
        this(parameters, parameter, log, metrics, new ConfigLoader(), UnaryOperator.identity());
    }

    /**
     * @param loader          the validation for this stack (with a GitHub App, GitHub pools need a target)
     * @param deploymentCheck checks what only the deployed stack knows (e.g. {@link TokenParameterScope}); it
     *                        returns the config or throws a {@link ConfigException}, which rejects the update
     */
    public LastGoodConfig(SecretStore parameters, String parameter, EventLog log, Metrics metrics,
                          ConfigLoader loader, UnaryOperator<ScalerConfig> deploymentCheck) {
        this.loader = loader;
        this.parameters = parameters;
        this.parameter = parameter;
        this.log = log;
        this.metrics = metrics;
        this.deploymentCheck = deploymentCheck;
    }

    @Override
    public synchronized ScalerConfig get() {
        String yaml = parameters.get(parameter).orElse(null);
        if (yaml == null) {
            return reject(new ConfigException(java.util.List.of("config parameter '" + parameter
                    + "' does not exist; put the pools YAML there")));
        }
        if (yaml.equals(goodYaml)) {
            return good;
        }
        try {
            good = deploymentCheck.apply(loader.parse(yaml));
            goodYaml = yaml;
            return good;
        } catch (ConfigException e) {
            return reject(e);
        }
    }

    private ScalerConfig reject(ConfigException e) {
        metrics.count("ConfigRejected", Map.of());
        var fields = new LinkedHashMap<String, Object>();
        fields.put("parameter", parameter);
        fields.put("problems", e.problems());
        fields.put("keeping", good == null ? "nothing: no valid config loaded yet" : "the last good config");
        log.warn("config.rejected", fields);
        if (good == null) {
            throw e;
        }
        return good;
    }
}
