package io.runnerscaler.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.runnerscaler.core.model.Forge;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/** Reads the pools YAML into a {@link ScalerConfig}, reporting every problem at once. */
public final class ConfigLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public ScalerConfig parse(String yaml) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ConfigException(List.of("config is not valid YAML: " + e.getOriginalMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(List.of("config must be a YAML mapping with 'pools'"));
        }
        List<String> problems = new ArrayList<>();
        int concurrent = root.path("concurrent").asInt(10);
        List<PoolConfig> pools = new ArrayList<>();
        JsonNode poolsNode = root.path("pools");
        if (!poolsNode.isArray() || poolsNode.isEmpty()) {
            problems.add("pools: at least one pool is required");
        }
        for (int i = 0; i < poolsNode.size(); i++) {
            JsonNode p = poolsNode.get(i);
            String at = "pools[" + i + "]";
            String name = p.path("name").asText("");
            if (name.isBlank()) {
                problems.add(at + ".name: required");
            }
            int limit = p.path("limit").asInt(0);
            int idleCount = p.path("idleCount").asInt(0);
            if (idleCount > limit) {
                problems.add(at + ".idleCount: " + idleCount + " exceeds limit " + limit);
            }
            var labels = new LinkedHashSet<String>();
            p.path("labels").forEach(n -> labels.add(n.asText()));
            var types = new ArrayList<String>();
            p.path("instanceTypes").forEach(n -> types.add(n.asText()));
            var subnets = new ArrayList<String>();
            p.path("subnets").forEach(n -> subnets.add(n.asText()));
            Forge forge;
            try {
                forge = Forge.fromId(p.path("forge").asText("gitlab"));
            } catch (IllegalArgumentException e) {
                problems.add(at + ".forge: " + e.getMessage());
                forge = Forge.GITLAB;
            }
            pools.add(new PoolConfig(name, forge, labels, p.path("runUntagged").asBoolean(false), types, subnets,
                    p.path("launchTemplate").asText(""), Optional.ofNullable(p.path("ami").textValue()),
                    MarketPolicy.valueOf(p.path("market").asText("on-demand").toUpperCase().replace('-', '_')),
                    limit,
                    new IdleSettings(idleCount, p.path("idleCountMin").asInt(0), p.path("idleScaleFactor").asDouble(0),
                            Duration.ofSeconds(p.path("idleTime").asLong(600))),
                    p.path("maxGrowthRate").asInt(0), p.path("maxBuilds").asInt(0), List.of(),
                    ZoneId.of(p.path("timezone").asText("UTC")), Optional.ofNullable(p.path("tokenParameter").textValue()),
                    Duration.ofSeconds(p.path("bootTimeout").asLong(600))));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new ScalerConfig(concurrent, pools);
    }
}
