package io.runnerscaler.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenParameterScopeTest {

    private final TokenParameterScope scope = new TokenParameterScope("/runner-scaler/prod");

    private static ScalerConfig pools(String... poolYaml) {
        return new ConfigLoader().parse("pools:\n" + String.join("", poolYaml));
    }

    private static String pool(String name, String forge, String tokenLine) {
        return """
                  - name: %s
                    forge: %s
                    labels: [docker]
                    instanceTypes: [t3.large]
                    launchTemplate: lt
                    limit: 3
                %s""".formatted(name, forge, tokenLine.isEmpty() ? "" : "    " + tokenLine + "\n");
    }

    @Test
    void gitLabTokenUnderTheRunnersPathIsAccepted() {
        ScalerConfig config = pools(pool("docker", "gitlab", "tokenParameter: /runner-scaler/prod/runners/gitlab/docker"));

        assertThat(scope.problems(config)).isEmpty();
        assertThat(scope.check(config)).isSameAs(config);
    }

    @Test
    void gitLabTokenElsewhereIsRejectedNamingTheFieldAndTheReadablePath() {
        ScalerConfig config = pools(pool("ok", "gitlab", "tokenParameter: /runner-scaler/prod/runners/gitlab/ok"),
                pool("docker", "gitlab", "tokenParameter: /other/runner-token"));

        assertThatThrownBy(() -> scope.check(config)).isInstanceOf(ConfigException.class).hasMessage(
                "pools[1].tokenParameter: '/other/runner-token' is outside /runner-scaler/prod/runners/gitlab/, the "
                        + "only parameters the runner role may read; store the token as "
                        + "/runner-scaler/prod/runners/gitlab/docker");
    }

    @Test
    void aSiblingPathWithTheSamePrefixTextIsNotUnderThePath() {
        ScalerConfig config = pools(pool("docker", "gitlab", "tokenParameter: /runner-scaler/prod-2/runners/gitlab/x"),
                pool("other", "gitlab", "tokenParameter: /runner-scaler/prod/runners/github/x"),
                pool("bare", "gitlab", "tokenParameter: /runner-scaler/prod/runners/gitlab/"));

        assertThat(scope.problems(config)).hasSize(3);
    }

    @Test
    void aTrailingSlashInThePathMakesNoDifference() {
        ScalerConfig config = pools(pool("docker", "gitlab", "tokenParameter: /p/runners/gitlab/docker"));

        assertThat(new TokenParameterScope("/p/").problems(config)).isEmpty();
        assertThat(new TokenParameterScope("/p").problems(config)).isEmpty();
    }

    @Test
    void poolsWithoutATokenAndGitHubPoolsAreNotChecked() {
        ScalerConfig config = pools(pool("plain", "gitlab", ""), pool("gh", "github", "tokenParameter: /elsewhere/x"));

        assertThat(scope.problems(config)).isEmpty();
    }
}
