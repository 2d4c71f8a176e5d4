package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnerscaler.core.config.ConfigException;
import io.runnerscaler.testkit.AwsEmulator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With the stack's parameter path set (as the template sets it), the functions reject a config whose GitLab
 * pool token the runner role could not read; without it they do not check.
 */
class TokenParameterScopeIT {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    private static final String PATH = "/runner-scaler/" + EmulatedStack.STACK;

    @Test
    void aTokenOutsideTheStacksRunnerPathFailsTheColdStartWithTheFieldAndTheFix() {
        AwsEmulator.reset();
        EmulatedStack stack = new EmulatedStack(emulator, withToken("/elsewhere/docker-token"));

        assertThatThrownBy(() -> app(stack, PATH).config().get()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("pools[0].tokenParameter: '/elsewhere/docker-token' is outside "
                        + PATH + "/runners/gitlab/");
        assertThat(app(stack, "").config().get().pools()).as("no parameter path: not checked").hasSize(1);
    }

    @Test
    void aTokenUnderTheStacksRunnerPathIsAccepted() {
        AwsEmulator.reset();
        EmulatedStack stack = new EmulatedStack(emulator, withToken(PATH + "/runners/gitlab/docker"));

        assertThat(app(stack, PATH).config().get().pools()).hasSize(1);
    }

    private static String withToken(String parameter) {
        String pools = EmulatedStack.ONE_POOL.replaceAll("tokenParameter: \\S+", "tokenParameter: " + parameter);
        assertThat(pools).contains("tokenParameter: " + parameter);
        return pools;
    }

    private static App app(EmulatedStack stack, String parameterPath) {
        return new App(stack.settings().with(Settings.PARAMETER_PATH, parameterPath), stack.clock,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }
}
