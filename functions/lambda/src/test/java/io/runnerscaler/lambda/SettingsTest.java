package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnerscaler.forges.github.GitHubApp;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SettingsTest {

    private final Settings base = new Settings("us-east-1", Optional.empty(), "rs", "/c", "q", "dlq", "m", "j",
            "/gl", "/gh");

    private Settings withApp() {
        return base.with(Settings.GITHUB_APP_ID, "4242").with(Settings.GITHUB_APP_INSTALLATION_ID, "777")
                .with(Settings.GITHUB_APP_PRIVATE_KEY_PARAMETER, "/rs/github/app-private-key")
                .with(Settings.BOOTSTRAP_SECRETS_TABLE, "rs-bootstrap-secrets")
                .with(Settings.RUNNER_ROLE_ID, "AROAEXAMPLE");
    }

    @Test
    void withoutAnAppIdGitHubRunnersAreUnmanaged() {
        assertThat(base.githubApp()).isEmpty();
        assertThat(base.with(Settings.GITHUB_APP_INSTALLATION_ID, "777").githubApp()).isEmpty();
        assertThat(base.githubApiUrl()).isEqualTo("https://api.github.com");
    }

    @Test
    void anAppIdWithItsCompanionsIsTheApp() {
        assertThat(withApp().githubApp()).contains(new GitHubApp("4242", 777, "/rs/github/app-private-key"));
        assertThat(withApp().with(Settings.GITHUB_API_URL, "https://ghes.example.com/api/v3").githubApiUrl())
                .isEqualTo("https://ghes.example.com/api/v3");
    }

    @Test
    void anAppIdWithoutItsCompanionsFailsNamingWhatIsMissing() {
        assertThatThrownBy(() -> base.with(Settings.GITHUB_APP_ID, "4242").githubApp())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("RUNNER_SCALER_GITHUB_APP_ID is set, so these must be too: "
                        + "RUNNER_SCALER_GITHUB_APP_INSTALLATION_ID, RUNNER_SCALER_GITHUB_APP_PRIVATE_KEY_PARAMETER, "
                        + "RUNNER_SCALER_BOOTSTRAP_SECRETS_TABLE, RUNNER_SCALER_RUNNER_ROLE_ID");
        assertThatThrownBy(() -> withApp().with(Settings.GITHUB_APP_INSTALLATION_ID, "acme").githubApp())
                .hasMessage("RUNNER_SCALER_GITHUB_APP_INSTALLATION_ID must be the installation's number, found 'acme'");
    }

    @Test
    void theAppSettingsAreReadFromTheEnvironment() {
        var env = new java.util.HashMap<String, String>();
        Settings.REQUIRED_IN_TEMPLATE.forEach(k -> env.put(k, "x"));
        env.put(Settings.GITHUB_APP_ID, "4242");
        env.put(Settings.GITHUB_APP_INSTALLATION_ID, "777");
        env.put(Settings.GITHUB_APP_PRIVATE_KEY_PARAMETER, "/k");
        env.put(Settings.BOOTSTRAP_SECRETS_TABLE, "t");
        env.put(Settings.RUNNER_ROLE_ID, "AROA");
        assertThat(Settings.from(env).githubApp()).contains(new GitHubApp("4242", 777, "/k"));
    }

    @Test
    void theEnvironmentOfSettingsReadsBackAsTheSameSettings() {
        Settings full = withApp().withEndpoint("http://127.0.0.1:5000").with(Settings.GITLAB_URL, "https://gl.example");

        assertThat(Settings.from(full.environment())).isEqualTo(full);
        assertThat(Settings.from(base.environment())).isEqualTo(base);
        assertThat(base.environment()).doesNotContainKey(Settings.AWS_ENDPOINT);
    }

    @Test
    void theScaleUpRetryWaitIsTenSecondsUnlessSetAndRefusesWhatIsNoPositiveDuration() {
        assertThat(base.scaleUpFirstRetry()).isEqualTo(java.time.Duration.ofSeconds(10));
        assertThat(base.with(Settings.SCALE_UP_FIRST_RETRY, "2s").scaleUpFirstRetry())
                .isEqualTo(java.time.Duration.ofSeconds(2));
        assertThatThrownBy(() -> base.with(Settings.SCALE_UP_FIRST_RETRY, "soon").scaleUpFirstRetry())
                .hasMessage("RUNNER_SCALER_SCALE_UP_FIRST_RETRY: 'soon' is not a positive duration (10s, 1m)");
        assertThatThrownBy(() -> base.with(Settings.SCALE_UP_FIRST_RETRY, "0").scaleUpFirstRetry())
                .hasMessageContaining("not a positive duration");
    }
}
