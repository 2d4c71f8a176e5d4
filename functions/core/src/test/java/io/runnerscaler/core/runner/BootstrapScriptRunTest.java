package io.runnerscaler.core.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.model.Forge;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the rendered bootstrap scripts in a sandbox where aws, curl (IMDS and GitLab), gitlab-runner, docker,
 * systemctl, runuser and shutdown are fakes that record how they were called.
 */
class BootstrapScriptRunTest {

    static final String TOKEN = "glrt-secret-token";
    static final String JIT = "jit-config-blob";

    @TempDir
    Path tmp;
    private Path bin;
    private Path calls;
    private Path configDir;
    private Path runnerDir;

    @BeforeEach
    void sandbox() throws IOException {
        bin = Files.createDirectories(tmp.resolve("bin"));
        calls = tmp.resolve("calls.log");
        configDir = tmp.resolve("etc/gitlab-runner");
        runnerDir = Files.createDirectories(tmp.resolve("actions-runner"));
        fake("curl", """
                echo "curl $*" >> "$CALLS"
                case "$*" in
                  *api/token*) printf imds-token ;;
                  *meta-data/instance-id*) printf i-0123456789abcdef0 ;;
                  *placement/region*) printf eu-west-1 ;;
                  *runners/managers*) printf 'curl stdin %s\\n' "$(cat)" >> "$CALLS" ;;
                esac""");
        fake("aws", """
                echo "aws $*" >> "$CALLS"
                case "$1 $2" in
                  "ssm get-parameter") [[ -z "${FAIL_SSM:-}" ]] || exit 255; printf '%s\\n' "$TOKEN_VALUE" ;;
                  "sts get-caller-identity") printf 'AROAEXAMPLEROLEID:i-0123456789abcdef0\\n' ;;
                  "dynamodb delete-item") printf '%s\\n' "${JIT_ITEM:-None}" ;;
                esac""");
        fake("gitlab-runner", "echo \"gitlab-runner $* env:CI_SERVER_TOKEN=${CI_SERVER_TOKEN:-}\" >> \"$CALLS\"");
        for (String tool : List.of("docker", "systemctl", "shutdown", "poweroff", "runuser")) {
            fake(tool, "echo \"" + tool + " $*\" >> \"$CALLS\"");
        }
        fake("pgrep", "exit 1");
        Path runSh = runnerDir.resolve("run.sh");
        Files.writeString(runSh, "#!/usr/bin/env bash\n");
        Files.setPosixFilePermissions(runSh, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void gitlabMachineRegistersAsItsRunnerManagerRunsMaxBuildsJobsThenLeaves() throws Exception {
        var run = run(Forge.GITLAB, 3, Map.of());

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(Files.readString(configDir.resolve(".runner_system_id"))).isEqualTo("s_56789abcdef0");
        List<String> log = run.calls();
        assertThat(log).contains("systemctl disable --now gitlab-runner");
        assertThat(log).anySatisfy(c -> assertThat(c).startsWith("aws ssm get-parameter --name /runner-scaler/docker-large/token --with-decryption"));
        assertThat(log).filteredOn(c -> c.startsWith("gitlab-runner register")).singleElement().satisfies(c -> {
            assertThat(c).contains("--url https://gitlab.example.com", "--name docker-large-i-0123456789abcdef0",
                    "--executor docker", "--docker-image alpine:3.20", "--limit 1",
                    "env:CI_SERVER_TOKEN=" + TOKEN);
            assertThat(c.substring(0, c.indexOf("env:"))).doesNotContain(TOKEN);
        });
        assertThat(log).filteredOn(c -> c.startsWith("gitlab-runner run-single")).singleElement().satisfies(c ->
                assertThat(c).contains("--runner docker-large-i-0123456789abcdef0", "--max-builds 3",
                        "--wait-timeout 3600").endsWith("env:CI_SERVER_TOKEN="));
        assertThat(log).contains("curl stdin " + TOKEN);
        assertThat(log).anySatisfy(c -> assertThat(c).contains("-X DELETE", "system_id=s_56789abcdef0",
                "https://gitlab.example.com/api/v4/runners/managers").doesNotContain(TOKEN));
        assertThat(log.get(log.size() - 1)).isEqualTo("shutdown -h now");
        assertThat(run.output()).doesNotContain(TOKEN);
    }

    @Test
    void gitlabMachineThatCannotReadItsTokenShutsDownWithoutRegistering() throws Exception {
        var run = run(Forge.GITLAB, 1, Map.of("FAIL_SSM", "1"));

        assertThat(run.exit()).isNotZero();
        assertThat(run.calls()).noneMatch(c -> c.startsWith("gitlab-runner"));
        assertThat(run.calls().get(run.calls().size() - 1)).isEqualTo("shutdown -h now");
        assertThat(run.output()).contains("shutting down: bootstrap ended with status");
    }

    @Test
    void githubMachineTakesItsOwnJitConfigRunsOneJobThenLeaves() throws Exception {
        var run = run(Forge.GITHUB, 1, Map.of("JIT_ITEM", JIT));

        assertThat(run.exit()).as(run.output()).isZero();
        List<String> log = run.calls();
        assertThat(log).anySatisfy(c -> assertThat(c).startsWith("aws dynamodb delete-item --table-name runner-scaler-bootstrap")
                .contains("{\"owner\":{\"S\":\"AROAEXAMPLEROLEID:i-0123456789abcdef0\"}}", "--return-values ALL_OLD"));
        assertThat(log).filteredOn(c -> c.startsWith("aws dynamodb delete-item")).hasSize(1);
        assertThat(log).contains("runuser -u runner -- " + runnerDir.resolve("run.sh") + " --jitconfig " + JIT);
        assertThat(log.get(log.size() - 1)).isEqualTo("shutdown -h now");
        assertThat(run.output()).doesNotContain(JIT);
    }

    @Test
    void githubMachineWithoutAJitConfigShutsDownWithoutStartingARunner() throws Exception {
        var run = run(Forge.GITHUB, 1, Map.of());

        assertThat(run.exit()).isNotZero();
        assertThat(run.calls()).noneMatch(c -> c.startsWith("runuser"));
        assertThat(run.calls().get(run.calls().size() - 1)).isEqualTo("shutdown -h now");
        assertThat(run.output()).contains("no runner config for AROAEXAMPLEROLEID:i-0123456789abcdef0");
    }

    private record Run(int exit, String output, List<String> calls) {
    }

    private Run run(Forge forge, int maxBuilds, Map<String, String> env) throws Exception {
        var settings = new BootstrapSettings("https://gitlab.example.com", "alpine:3.20", "runner-scaler-bootstrap",
                Duration.ofHours(1), Duration.ZERO, Duration.ZERO);
        var pool = forge == Forge.GITLAB ? UserDataTest.gitlabPool(maxBuilds) : UserDataTest.githubPool();
        Path script = tmp.resolve(forge.id() + ".sh");
        Files.writeString(script, new UserData().render(pool, settings));
        Path output = tmp.resolve("output.log");
        var builder = new ProcessBuilder("bash", script.toString())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        Map<String, String> environment = builder.environment();
        environment.put("PATH", bin + ":" + System.getenv("PATH"));
        environment.put("CALLS", calls.toString());
        environment.put("TOKEN_VALUE", TOKEN);
        environment.put("RUNNER_SCALER_CONFIG_DIR", configDir.toString());
        environment.put("RUNNER_SCALER_RUNNER_DIR", runnerDir.toString());
        environment.putAll(new HashMap<>(env));
        Process process = builder.start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("script finished").isTrue();
        List<String> recorded = Files.exists(calls) ? Files.readAllLines(calls) : List.of();
        return new Run(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8), recorded);
    }

    private void fake(String name, String body) throws IOException {
        Path file = bin.resolve(name);
        Files.writeString(file, "#!/usr/bin/env bash\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
