package io.runnerscaler.core.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.runnerscaler.core.config.IdleSettings;
import io.runnerscaler.core.config.MarketPolicy;
import io.runnerscaler.core.config.PoolConfig;
import io.runnerscaler.core.model.Forge;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class UserDataTest {

    private static final BootstrapSettings SETTINGS = new BootstrapSettings(
            "https://gitlab.example.com/", "alpine:3.20", "runner-scaler-bootstrap",
            Duration.ofMinutes(60), Duration.ofHours(12), Duration.ofMinutes(10));

    private final UserData userData = new UserData();

    @TempDir
    Path tmp;

    static PoolConfig pool(String name, Forge forge, int maxBuilds, Optional<String> tokenParameter) {
        return new PoolConfig(name, forge, Set.of("docker"), false, List.of("m7i.large"), List.of("subnet-1"),
                "lt-runner", Optional.empty(), MarketPolicy.SPOT_WITH_FALLBACK, 10,
                new IdleSettings(1, 0, 0, Duration.ofMinutes(20)), 0, maxBuilds, List.of(), ZoneId.of("UTC"),
                tokenParameter, Duration.ofMinutes(10));
    }

    static PoolConfig gitlabPool(int maxBuilds) {
        return pool("docker-large", Forge.GITLAB, maxBuilds, Optional.of("/runner-scaler/docker-large/token"));
    }

    static PoolConfig githubPool() {
        return pool("linux-x64", Forge.GITHUB, 1, Optional.empty());
    }

    @Test
    void gitlabScriptHonoursMaxBuildsWithRunSingle() {
        String script = userData.render(gitlabPool(3), SETTINGS);

        assertThat(script)
                .contains("MAX_BUILDS='3'")
                .contains("--max-builds \"$MAX_BUILDS\"")
                .contains("--wait-timeout \"$IDLE_TIMEOUT_SECONDS\"")
                .contains("IDLE_TIMEOUT_SECONDS='3600'")
                .contains("MAX_LIFETIME_SECONDS='43200'")
                .contains("GITLAB_URL='https://gitlab.example.com'")
                .contains("DOCKER_IMAGE='alpine:3.20'");
    }

    @Test
    void gitlabScriptReadsTheTokenFromSsmAtBootAndNeverCarriesIt() {
        String script = userData.render(gitlabPool(0), SETTINGS);

        assertThat(script)
                .contains("TOKEN_PARAMETER='/runner-scaler/docker-large/token'")
                .contains("aws ssm get-parameter --name \"$TOKEN_PARAMETER\" --with-decryption")
                .contains("CI_SERVER_TOKEN=\"$RUNNER_TOKEN\" gitlab-runner register")
                .doesNotContain("set -x");
        assertThat(script.lines().filter(l -> !l.startsWith("#")))
                .as("no token value and no token on a command line")
                .noneMatch(l -> l.contains("glrt-") || l.contains("--token"));
        assertThat(script.lines().filter(l -> l.contains("RUNNER_TOKEN") && l.matches("\\s*(echo|log|printf '%s\\\\n').*")))
                .as("no line prints the token").isEmpty();
    }

    @Test
    void githubScriptRunsOneEphemeralJobFromTheJitConfigItsInstanceTakes() {
        String script = userData.render(githubPool(), SETTINGS);

        assertThat(script)
                .contains("SECRETS_TABLE='runner-scaler-bootstrap'")
                .contains("SECRET_WAIT_SECONDS='600'")
                .contains("aws dynamodb delete-item")
                .contains("--return-values ALL_OLD")
                .contains("run.sh\" --jitconfig \"$JIT_CONFIG\"")
                .doesNotContain("MAX_BUILDS")
                .doesNotContain("set -x");
    }

    @ParameterizedTest
    @EnumSource(Forge.class)
    void everyPlaceholderIsFilled(Forge forge) {
        String script = userData.render(forge == Forge.GITLAB ? gitlabPool(1) : githubPool(), SETTINGS);

        assertThat(script).doesNotContain("{{");
    }

    @ParameterizedTest
    @EnumSource(Forge.class)
    void renderedScriptIsValidBash(Forge forge) throws Exception {
        Path file = write(userData.render(forge == Forge.GITLAB ? gitlabPool(2) : githubPool(), SETTINGS));

        Result result = run("bash", "-n", file.toString());

        assertThat(result.exit()).as(result.output()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Forge.class)
    void renderedScriptPassesShellcheck(Forge forge) throws Exception {
        assumeTrue(onPath("shellcheck"), "shellcheck is not installed: run scripts/shellcheck.sh to install it");
        Path file = write(userData.render(forge == Forge.GITLAB ? gitlabPool(2) : githubPool(), SETTINGS));

        Result result = run("shellcheck", "--severity=style", file.toString());

        assertThat(result.exit()).as(result.output()).isZero();
    }

    @Test
    void valuesCannotBreakOutOfTheirQuotes() throws Exception {
        String nasty = "it's $(touch " + tmp.resolve("pwned") + ") `id` \"x\" \\";
        String script = userData.render(pool(nasty, Forge.GITLAB, 1, Optional.of("/p/" + nasty)), SETTINGS);
        String assignments = script.lines()
                .filter(l -> l.startsWith("POOL=") || l.startsWith("TOKEN_PARAMETER="))
                .reduce("", (a, b) -> a + b + "\n");

        Result result = run("bash", "-c", assignments + "printf '%s|%s' \"$POOL\" \"$TOKEN_PARAMETER\"");

        assertThat(result.output()).isEqualTo(nasty + "|/p/" + nasty);
        assertThat(tmp.resolve("pwned")).doesNotExist();
    }

    @Test
    void aControlCharacterInAValueIsRefused() {
        assertThatThrownBy(() -> userData.render(pool("a\nb", Forge.GITHUB, 1, Optional.empty()), SETTINGS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control character");
    }

    @Test
    void gitlabPoolWithoutTokenParameterIsRefusedWithTheFix() {
        assertThatThrownBy(() -> userData.render(pool("docker", Forge.GITLAB, 1, Optional.empty()), SETTINGS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pool 'docker': tokenParameter is required for GitLab pools");
    }

    @Test
    void scriptComputesTheSameSystemIdAsTheControlPlane() throws Exception {
        String script = userData.render(gitlabPool(1), SETTINGS);
        var function = Pattern.compile("(?ms)^system_id_for\\(\\) \\{.*?^}").matcher(script);
        assertThat(function.find()).as("system_id_for in the GitLab script").isTrue();

        for (String instanceId : List.of("i-0123456789abcdef0", "i-1a2b3c4d", "i-0fffffffffffffff1")) {
            Result result = run("bash", "-c", function.group() + "\nsystem_id_for " + instanceId);

            assertThat(result.output()).isEqualTo(new RunnerIdentity("p", instanceId).gitlabSystemId());
        }
    }

    @Test
    void userDataStaysWellBelowTheEc2Limit() {
        assertThat(userData.render(gitlabPool(1), SETTINGS).length()).isLessThan(UserData.MAX_BYTES / 2);
        assertThat(userData.render(githubPool(), SETTINGS).length()).isLessThan(UserData.MAX_BYTES / 2);
    }

    @Test
    void safetyIdleTimeoutLeavesTheControlPlaneFirstSay() {
        assertThat(BootstrapSettings.safetyIdleTimeoutFor(gitlabPool(1))).isEqualTo(Duration.ofHours(1));
        var slowPool = pool("slow", Forge.GITLAB, 1, Optional.of("/t"));
        slowPool = new PoolConfig(slowPool.name(), slowPool.forge(), slowPool.labels(), false, slowPool.instanceTypes(),
                slowPool.subnets(), "lt", Optional.empty(), MarketPolicy.SPOT, 1,
                new IdleSettings(0, 0, 0, Duration.ofMinutes(90)), 0, 1, List.of(), ZoneId.of("UTC"),
                Optional.of("/t"), Duration.ofMinutes(10));
        assertThat(BootstrapSettings.safetyIdleTimeoutFor(slowPool)).isEqualTo(Duration.ofMinutes(180));
    }

    private Path write(String script) throws IOException {
        Path file = Files.createTempFile(tmp, "user-data", ".sh");
        Files.writeString(file, script, StandardCharsets.UTF_8);
        return file;
    }

    private record Result(int exit, String output) {
    }

    private static Result run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    private static boolean onPath(String tool) {
        try {
            return new ProcessBuilder(tool, "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
