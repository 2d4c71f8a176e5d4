package io.runnerscaler.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnerscaler.core.port.EventLog;
import io.runnerscaler.core.port.Metrics;
import io.runnerscaler.core.port.SecretStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LastGoodConfigTest {

    private static final String GOOD = """
            pools:
              - name: docker
                forge: gitlab
                runUntagged: true
                instanceTypes: [t3.large]
                launchTemplate: lt
                limit: 3
            """;

    private final Map<String, String> stored = new HashMap<>();
    private final List<String> logged = new ArrayList<>();
    private final List<String> counted = new ArrayList<>();
    private final SecretStore parameters = name -> Optional.ofNullable(stored.get(name));
    private final EventLog log = new EventLog() {
        @Override
        public void info(String event, Map<String, ?> fields) {
            logged.add(event + " " + fields);
        }

        @Override
        public void warn(String event, Map<String, ?> fields) {
            logged.add(event + " " + fields);
        }
    };
    private final Metrics metrics = new Metrics() {
        @Override
        public void count(String name, Map<String, String> dimensions, double value) {
            counted.add(name);
        }

        @Override
        public void milliseconds(String name, Map<String, String> dimensions, double millis) {
        }
    };
    private final LastGoodConfig config = new LastGoodConfig(parameters, "/cfg", log, metrics);

    @Test
    void anInvalidUpdateKeepsTheLastGoodConfigAndIsCountedForTheAlarm() {
        stored.put("/cfg", GOOD);
        assertThat(config.get().pools()).extracting(PoolConfig::limit).containsExactly(3);

        stored.put("/cfg", GOOD.replace("limit: 3", "limit: 3\n    idleCount: 9"));

        assertThat(config.get().pools()).extracting(PoolConfig::limit).containsExactly(3);
        assertThat(counted).containsExactly("ConfigRejected");
        assertThat(logged).anySatisfy(l -> assertThat(l).startsWith("config.rejected")
                .contains("pools[0].idleCount: 9 exceeds limit 3").contains("the last good config"));
    }

    @Test
    void aValidUpdateIsTakenUp() {
        stored.put("/cfg", GOOD);
        config.get();
        stored.put("/cfg", GOOD.replace("limit: 3", "limit: 5"));
        assertThat(config.get().pools()).extracting(PoolConfig::limit).containsExactly(5);
        assertThat(counted).isEmpty();
    }

    @Test
    void aColdStartWithAnInvalidConfigFailsWithTheValidationMessage() {
        stored.put("/cfg", "pools: []");
        assertThatThrownBy(config::get).isInstanceOf(ConfigException.class).hasMessageContaining("pools");
        assertThat(counted).containsExactly("ConfigRejected");
    }

    @Test
    void aMissingParameterSaysWhichOne() {
        assertThatThrownBy(config::get).hasMessageContaining("config parameter '/cfg' does not exist");
    }

    @Test
    void anUpdateFailingTheDeploymentCheckIsRejectedAndTheLastGoodConfigKept() {
        var checked = new LastGoodConfig(parameters, "/cfg", log, metrics, new ConfigLoader(),
                new TokenParameterScope("/runner-scaler/prod")::check);
        stored.put("/cfg", GOOD + "    tokenParameter: /runner-scaler/prod/runners/gitlab/docker\n");
        assertThat(checked.get().pools()).extracting(PoolConfig::limit).containsExactly(3);

        stored.put("/cfg", GOOD.replace("limit: 3", "limit: 4") + "    tokenParameter: /elsewhere/token\n");

        assertThat(checked.get().pools()).extracting(PoolConfig::limit).containsExactly(3);
        assertThat(counted).containsExactly("ConfigRejected");
        assertThat(logged).anySatisfy(l -> assertThat(l).startsWith("config.rejected")
                .contains("pools[0].tokenParameter: '/elsewhere/token' is outside /runner-scaler/prod/runners/gitlab/"));
    }
}
