package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnerscaler.core.config.ConfigException;
import io.runnerscaler.core.config.Deployment;
import io.runnerscaler.testkit.AwsEmulator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A GitHub pool in a stack without a GitHub App would launch machines that wait for a just-in-time runner config
 * nothing writes: the functions refuse such a config at cold start, and keep the last good one on an update.
 */
class GitHubPoolWithoutAppIT {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    private static final String WITH_GITHUB_POOL = EmulatedStack.ONE_POOL + """
              - name: actions
                forge: github
                labels: [linux]
                instanceTypes: [t3.large]
                launchTemplate: runner-scaler-docker
                limit: 2
                github: {organization: acme}
            """;

    @Test
    void withoutAGitHubAppTheFunctionsRefuseAConfigWithAGitHubPool() {
        AwsEmulator.reset();
        EmulatedStack stack = new EmulatedStack(emulator, WITH_GITHUB_POOL);
        var log = new ByteArrayOutputStream();

        App function = new App(stack.settings(), stack.clock, new PrintStream(log, true, StandardCharsets.UTF_8));

        assertThatThrownBy(() -> function.config().get()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("pools[1].forge: github, but the stack has no GitHub App")
                .hasMessageContaining("wait for a runner config that never comes");
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("config.rejected");
    }

    @Test
    void withAGitHubAppTheSameConfigLoadsAndLocalOnlyWarnsWithoutOne() {
        AwsEmulator.reset();
        EmulatedStack stack = new EmulatedStack(emulator, WITH_GITHUB_POOL);
        Settings withApp = stack.settings().with(Settings.GITHUB_APP_ID, "4242")
                .with(Settings.GITHUB_APP_INSTALLATION_ID, "777")
                .with(Settings.GITHUB_APP_PRIVATE_KEY_PARAMETER, "/runner-scaler/rs-test/github/app-private-key")
                .with(Settings.BOOTSTRAP_SECRETS_TABLE, stack.resources.bootstrapSecretsTable())
                .with(Settings.RUNNER_ROLE_ID, "AROAEXAMPLEROLEID");
        var discard = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

        assertThat(new App(withApp, stack.clock, discard).config().get().pools()).hasSize(2);
        assertThat(new App(stack.settings(), stack.clock, discard, Deployment.UNKNOWN).config().get().pools())
                .as("local, which warns instead").hasSize(2);
    }
}
