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
                  *tags/instance/runner-scaler:refill*) [[ -n "${REFILL_TAG:-}" ]] || exit 22; printf '%s' "$REFILL_TAG" ;;
                  *instance-life-cycle*) printf '%s' "${LIFE_CYCLE:-on-demand}" ;;
                  *runners/managers*) printf 'curl stdin %s\\n' "$(cat)" >> "$CALLS" ;;
                esac""");
        fake("aws", """
                echo "aws $*" >> "$CALLS"
                case "$1 $2" in
                  "ssm get-parameter") [[ -z "${FAIL_SSM:-}" ]] || exit 255; printf '%s\\n' "$TOKEN_VALUE" ;;
                  "sts get-caller-identity") printf 'AROAEXAMPLEROLEID:i-0123456789abcdef0\\n' ;;
                  "dynamodb delete-item") printf '%s\\n' "${JIT_ITEM:-None}" ;;
                  "ec2 describe-instances") printf 'sir-0123abcd\\n' ;;
                esac""");
        // --version prints what gitlab-runner's AppVersionInfo.Extended() prints (common/version.go).
        fake("gitlab-runner", """
                echo "gitlab-runner $* env:CI_SERVER_TOKEN=${CI_SERVER_TOKEN:-}" >> "$CALLS"
                if [[ "$1" == --version ]]; then
                  printf 'Version:      %s\\nGit revision: 5c1e6e1d\\nGit branch:   HEAD\\n' "${GITLAB_RUNNER_VERSION:-18.4.0}"
                  printf 'GO version:   go1.24.4 X:cacheprog\\nBuilt:        2025-09-18T13:52:00Z\\nOS/Arch:      linux/amd64\\n'
                fi""");
        // Anything that would fetch software at boot: the image has it all, so none of these may be called.
        for (String tool : List.of("docker", "systemctl", "shutdown", "poweroff", "runuser", "dnf", "yum", "rpm",
                "apt-get", "pip3", "wget", "tar")) {
            fake(tool, "echo \"" + tool + " $*\" >> \"$CALLS\"");
        }
        fake("pgrep", "exit 1");
        // A refill boot waits the safety limit to be stopped: the sandbox does not wait that long.
        fake("sleep", """
                if (( $1 >= 600 )); then echo "sleep $*" >> "$CALLS"; exit 0; fi
                PATH=/usr/bin:/bin exec sleep "$@"
                """);
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
    void gitlabMachineWithRunnerOlderThan18_1PowersOffBeforeRegistering() throws Exception {
        var run = run(Forge.GITLAB, 1, Map.of("GITLAB_RUNNER_VERSION", "18.0.2"));

        assertThat(run.exit()).isNotZero();
        assertThat(run.calls()).contains("gitlab-runner --version env:CI_SERVER_TOKEN=")
                .noneMatch(c -> c.startsWith("gitlab-runner register") || c.startsWith("gitlab-runner run-single"))
                .noneMatch(c -> c.startsWith("aws ssm get-parameter"))
                .noneMatch(c -> c.contains("runners/managers"));
        assertThat(run.calls().get(run.calls().size() - 1)).isEqualTo("shutdown -h now");
        assertThat(run.output()).contains("runner-scaler[docker-large]: gitlab-runner 18.0.2 is older than 18.1: its"
                + " run-single ignores .runner_system_id, so this machine would not be the runner manager"
                + " s_56789abcdef0; not registering.");
    }

    @Test
    void gitlabMachineWithRunner18_4RegistersAndRuns() throws Exception {
        var run = run(Forge.GITLAB, 1, Map.of("GITLAB_RUNNER_VERSION", "18.4.0"));

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.calls()).anySatisfy(c -> assertThat(c).startsWith("gitlab-runner register"))
                .anySatisfy(c -> assertThat(c).startsWith("gitlab-runner run-single"));
        assertThat(run.output()).doesNotContain("older than");
    }

    @Test
    void gitlabRunnerVersionsAreComparedAsNumbers() throws Exception {
        for (String version : List.of("18.1.0", "18.10.2", "19.0.0", "v18.1.3")) {
            Files.deleteIfExists(calls);
            var run = run(Forge.GITLAB, 1, Map.of("GITLAB_RUNNER_VERSION", version));
            assertThat(run.calls()).as(version).anySatisfy(c -> assertThat(c).startsWith("gitlab-runner register"));
        }
        for (String version : List.of("17.11.4", "9.99.0", "18.0.5", "unknown")) {
            Files.deleteIfExists(calls);
            var run = run(Forge.GITLAB, 1, Map.of("GITLAB_RUNNER_VERSION", version));
            assertThat(run.calls()).as(version).noneMatch(c -> c.startsWith("gitlab-runner register"));
            assertThat(run.output()).as(version).contains("is older than 18.1");
        }
    }

    @Test
    void bootstrapsInstallAndDownloadNothing() throws Exception {
        for (Forge forge : Forge.values()) {
            Files.deleteIfExists(calls);
            var run = run(forge, 1, Map.of("JIT_ITEM", JIT));

            assertThat(run.exit()).as(run.output()).isZero();
            assertThat(run.calls()).as(forge.id()).noneMatch(c -> c.matches(
                    "(dnf|yum|rpm|apt-get|pip3|wget|tar) .*|docker (pull|load|image pull).*"));
            assertThat(run.calls()).as("%s: curl reaches only the instance metadata and the GitLab API", forge.id())
                    .filteredOn(c -> c.startsWith("curl ") && !c.startsWith("curl stdin"))
                    .isNotEmpty()
                    .allMatch(c -> c.contains("http://169.254.169.254/latest/")
                            || c.contains("https://gitlab.example.com/api/v4/runners/managers"));
        }
    }

    @Test
    void gitlabMachineThatCannotReadItsTokenShutsDownWithoutRegistering() throws Exception {
        var run = run(Forge.GITLAB, 1, Map.of("FAIL_SSM", "1"));

        assertThat(run.exit()).isNotZero();
        assertThat(run.calls()).noneMatch(c -> c.startsWith("gitlab-runner register"));
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

    @Test
    void aRefillBootWarmsUpSaysReadyAndRegistersNothing() throws Exception {
        var run = run(Forge.GITLAB, 1, Map.of("REFILL_TAG", "true"));

        assertThat(run.output()).contains("boot 1, refill", "ready for the stopped pool; waiting to be stopped");
        assertThat(run.calls()).contains("systemctl enable runner-scaler-boot.service", "systemctl start docker",
                "aws ec2 create-tags --resources i-0123456789abcdef0 --tags Key=runner-scaler:ready,Value=true")
                .noneMatch(c -> c.startsWith("gitlab-runner register") || c.startsWith("aws ssm get-parameter")
                        || c.contains("runners/managers"));
        assertThat(Files.readString(tmp.resolve("systemd/runner-scaler-boot.service")))
                .contains("ExecStart=/bin/bash " + tmp.resolve("state/bootstrap.sh"), "WantedBy=multi-user.target");
        assertThat(tmp.resolve("state/bootstrap.sh")).exists();
        assertThat(run.calls()).as("not stopped within its safety limit: it goes away").contains("sleep 3600")
                .last().isEqualTo("shutdown -h now");
    }

    @Test
    void theBootAfterARefillIsAJobBootThatRegistersAndRuns() throws Exception {
        run(Forge.GITLAB, 1, Map.of("REFILL_TAG", "true"));
        Files.deleteIfExists(calls);

        var run = run(Forge.GITLAB, 1, Map.of("REFILL_TAG", "true"));

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("boot 2, job");
        assertThat(run.calls()).noneMatch(c -> c.startsWith("systemctl enable") || c.startsWith("aws ec2 create-tags"))
                .anySatisfy(c -> assertThat(c).startsWith("gitlab-runner register"))
                .anySatisfy(c -> assertThat(c).startsWith("gitlab-runner run-single"));
    }

    @Test
    void aStartedGitHubMachineTakesTheJitConfigMadeAtStartNeverAtRefill() throws Exception {
        var refill = run(Forge.GITHUB, 1, Map.of("REFILL_TAG", "true", "JIT_ITEM", JIT));
        assertThat(refill.calls()).noneMatch(c -> c.startsWith("aws dynamodb delete-item") || c.startsWith("runuser"));
        Files.deleteIfExists(calls);

        var run = run(Forge.GITHUB, 1, Map.of("REFILL_TAG", "true", "JIT_ITEM", JIT));

        assertThat(run.calls()).contains("runuser -u runner -- " + runnerDir.resolve("run.sh") + " --jitconfig " + JIT);
    }

    @Test
    void aSpotPoolMachineCancelsItsPersistentRequestBeforeItShutsItselfDown() throws Exception {
        run(Forge.GITHUB, 1, Map.of("REFILL_TAG", "true", "LIFE_CYCLE", "spot"));
        Files.deleteIfExists(calls);

        var run = run(Forge.GITHUB, 1, Map.of("REFILL_TAG", "true", "LIFE_CYCLE", "spot", "JIT_ITEM", JIT));

        List<String> log = run.calls();
        assertThat(log).endsWith("aws ec2 cancel-spot-instance-requests --spot-instance-request-ids sir-0123abcd",
                "shutdown -h now");
        assertThat(log).anySatisfy(c -> assertThat(c).startsWith("aws ec2 describe-instances --instance-ids"
                + " i-0123456789abcdef0"));
    }

    @Test
    void aMachineOutsideTheStoppedPoolNeverSaysReadyNorCancelsASpotRequest() throws Exception {
        var run = run(Forge.GITLAB, 1, Map.of("LIFE_CYCLE", "spot"));

        assertThat(run.output()).contains("boot 1, job");
        assertThat(run.calls()).noneMatch(c -> c.startsWith("aws ec2 "));
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
        environment.put("RUNNER_SCALER_STATE_DIR", tmp.resolve("state").toString());
        environment.put("RUNNER_SCALER_UNIT_DIR", tmp.resolve("systemd").toString());
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
