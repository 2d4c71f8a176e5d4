package io.runnerscaler.cli.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import picocli.CommandLine;

class ConfigCommandTest {

    @TempDir
    Path dir;

    /** What a run printed and returned. */
    record Run(int exitCode, String out, String err) {
    }

    static Run run(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int exitCode = new CommandLine(new ConfigCommand())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    private static String fixture(String name) {
        return Fixtures.path(name).toString();
    }

    @Test
    void importWritesPoolsYamlToStandardOutputAndWarningsToStandardError() {
        Run run = run("import-gitlab", fixture("issue-scenario.toml"));

        assertThat(run.exitCode()).isEqualTo(ConfigCommand.OK);
        assertThat(run.out()).contains("concurrent: 6").contains("name: docker-machine").contains("idleTime: 300");
        assertThat(run.out()).doesNotContain("warning:");
        assertThat(run.err()).contains("warning: runners[0] \"docker-machine\": tags:")
                .contains("imported 1 pool(s) (docker-machine) to standard output");
    }

    @Test
    void importWritesTheOutputFileThatValidateThenAccepts() throws IOException {
        Path out = dir.resolve("pools.yaml");

        Run imported = run("import-gitlab", fixture("multi-runner.toml"), "-o", out.toString());
        Run validated = run("validate", out.toString());

        assertThat(imported.exitCode()).isEqualTo(ConfigCommand.OK);
        assertThat(imported.out()).isEmpty();
        assertThat(Files.readString(out)).contains("docker-small").contains("docker-large-spot");
        assertThat(validated.exitCode()).isEqualTo(ConfigCommand.OK);
        assertThat(validated.out()).contains("valid, concurrent 20, 2 pool(s): docker-small, docker-large-spot");
    }

    @Test
    void importDoesNotOverwriteAnExistingFileWithoutForce() throws IOException {
        Path out = Files.writeString(dir.resolve("pools.yaml"), "mine");

        Run refused = run("import-gitlab", fixture("issue-scenario.toml"), "-o", out.toString());
        assertThat(refused.exitCode()).isEqualTo(ConfigCommand.USAGE);
        assertThat(refused.err()).contains("exists; pass --force");
        assertThat(Files.readString(out)).isEqualTo("mine");

        Run forced = run("import-gitlab", fixture("issue-scenario.toml"), "-o", out.toString(), "--force");
        assertThat(forced.exitCode()).isEqualTo(ConfigCommand.OK);
        assertThat(Files.readString(out)).contains("name: docker-machine");
    }

    @Test
    void malformedTomlExitsWithInvalidConfigAndTheLine() {
        Run run = run("import-gitlab", fixture("malformed.toml"));

        assertThat(run.exitCode()).isEqualTo(ConfigCommand.INVALID_CONFIG);
        assertThat(run.err()).contains("malformed.toml: line 6, column").contains("not valid TOML");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aFileWithNothingToImportExitsWithInvalidConfig() {
        Run run = run("import-gitlab", fixture("no-docker-machine.toml"));

        assertThat(run.exitCode()).isEqualTo(ConfigCommand.INVALID_CONFIG);
        assertThat(run.err()).contains("nothing to import").contains("'docker'");
    }

    static final List<String> ALL_FIXTURES = Fixtures.TOML_FIXTURES;

    @ParameterizedTest
    @FieldSource("ALL_FIXTURES")
    void noSecretIsEverPrintedOrWritten(String name) throws IOException {
        Path out = dir.resolve(name + ".yaml");

        Run toStdout = run("import-gitlab", fixture(name));
        Run toFile = run("import-gitlab", fixture(name), "-o", out.toString());
        String written = Files.exists(out) ? Files.readString(out) : "";

        assertThat(Fixtures.secretsIn(Fixtures.read(name))).isNotEmpty().allSatisfy(secret -> assertThat(
                toStdout.out() + toStdout.err() + toFile.out() + toFile.err() + written).doesNotContain(secret));
    }

    @Test
    void validateAcceptsTheHandWrittenScenario() {
        Run run = run("validate", "--gitlab-api-token", fixture("issue-scenario.yaml"));

        assertThat(run.exitCode()).isEqualTo(ConfigCommand.OK);
        assertThat(run.out()).contains("issue-scenario.yaml: valid, concurrent 6, 1 pool(s): docker-machine");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void validateWithoutAGitLabApiTokenSaysWhatGitLabPoolsLose() {
        Run run = run("validate", fixture("issue-scenario.yaml"));

        assertThat(run.exitCode()).as("a warning, not a problem").isEqualTo(ConfigCommand.OK);
        assertThat(run.err()).contains("issue-scenario.yaml: warning: GitLab pool(s) docker-machine without a GitLab"
                        + " API token")
                .contains("matched as untagged").contains("never the runner manager")
                .contains("a job another runner took can mark one of ours busy").contains("busy re-check")
                .contains("spot interruption");
    }

    @Test
    void validatePrintsEveryProblemAndExitsWithInvalidConfig() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), """
                pools:
                  - name: ""
                    forge: gitlab
                    labels: [docker]
                    instanceTypes: [m5.large]
                    subnets: [subnet-0a1b2c3d]
                    launchTemplate: runners
                    limit: 1
                    idleCount: 3
                """);

        Run run = run("validate", file.toString());

        assertThat(run.exitCode()).isEqualTo(ConfigCommand.INVALID_CONFIG);
        assertThat(run.err()).contains("bad.yaml: pools[0].name: required (line 2)")
                .contains("bad.yaml: pools[0].idleCount: 3 exceeds limit 1 (line 9)")
                .contains("invalid, 2 problem(s)");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void validateRejectsAPoolWhoseRunnersCouldNotRegister() throws IOException {
        Path file = Files.writeString(dir.resolve("no-token.yaml"), """
                pools:
                  - name: docker
                    forge: gitlab
                    runUntagged: true
                    instanceTypes: [m5.large]
                    limit: 1
                  - name: actions
                    forge: github
                    labels: [linux]
                    instanceTypes: [m5.large]
                    limit: 1
                    github: {organization: acme}
                """);

        Run run = run("validate", "--github-app", file.toString());

        assertThat(run.exitCode()).isEqualTo(ConfigCommand.INVALID_CONFIG);
        assertThat(run.err()).contains("no-token.yaml: pool 'docker': tokenParameter is required for GitLab pools")
                .contains("invalid, 1 problem(s)");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void validateForAStackWithAGitHubAppRequiresEveryGitHubPoolsTargetAndWithoutOneRefusesGitHubPools()
            throws IOException {
        String pool = """
                pools:
                  - name: gh
                    forge: github
                    labels: [docker]
                    instanceTypes: [m7i.large]
                    launchTemplate: lt
                    limit: 2
                """;
        Path untargeted = Files.writeString(dir.resolve("github.yaml"), pool);
        Path targeted = Files.writeString(dir.resolve("github-acme.yaml"), pool + "    github: {organization: acme}\n");

        Run withApp = run("validate", "--github-app", untargeted.toString());
        Run withoutApp = run("validate", targeted.toString());

        assertThat(withApp.exitCode()).isEqualTo(ConfigCommand.INVALID_CONFIG);
        assertThat(withApp.err()).contains(untargeted + ": pools[0].github: pool 'gh' needs a GitHub target");
        assertThat(withoutApp.exitCode()).as("as its functions would").isEqualTo(ConfigCommand.INVALID_CONFIG);
        assertThat(withoutApp.err()).contains(targeted + ": pools[0].forge: github, but the stack has no GitHub App")
                .contains("wait for a runner config that never comes");
        assertThat(run("validate", "--github-app", targeted.toString()).exitCode()).isEqualTo(ConfigCommand.OK);
    }

    @Test
    void validateCatchesGravitonTypesOnTheStacksX86RunnerTemplate() throws IOException {
        String pool = """
                pools:
                  - name: arm
                    labels: [docker]
                    instanceTypes: [m7g.large, t4g.large]
                    tokenParameter: /rs/runners/gitlab/arm
                    limit: 2
                """;
        Path onStackTemplate = Files.writeString(dir.resolve("arm.yaml"), pool);
        Path named = Files.writeString(dir.resolve("arm-named.yaml"), pool + "    launchTemplate: ci-runner\n");
        Path ownImage = Files.writeString(dir.resolve("arm-ami.yaml"), pool + "    ami: ami-0fedcba9876543210\n");

        Run run = run("validate", onStackTemplate.toString());
        Run byName = run("validate", "--stack", "ci", named.toString());

        assertThat(run.exitCode()).isEqualTo(ConfigCommand.INVALID_CONFIG);
        assertThat(run.err()).contains(onStackTemplate + ": pools[0].instanceTypes: m7g.large, t4g.large are arm64, but"
                + " the stack's runner template runner-scaler-runner boots an x86_64 image")
                .contains("pass --runner-architecture");
        assertThat(byName.exitCode()).isEqualTo(ConfigCommand.INVALID_CONFIG);
        assertThat(byName.err()).contains("the stack's runner template ci-runner boots an x86_64 image");
        assertThat(run("validate", ownImage.toString()).exitCode()).isEqualTo(ConfigCommand.OK);
        assertThat(run("validate", "--runner-architecture", "arm64", onStackTemplate.toString()).exitCode())
                .isEqualTo(ConfigCommand.OK);
        assertThat(run("validate", "--runner-architecture", "sparc", onStackTemplate.toString()).exitCode())
                .isEqualTo(ConfigCommand.USAGE);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"examples/pools.yaml", "examples/local-pools.yaml"})
    void theShippedExamplesValidateForAStackWithAGitHubApp(String example) {
        Run run = run("validate", "--github-app",
                io.runnerscaler.testkit.Emulator.ProjectRoot.find().resolve(example).toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ConfigCommand.OK);
    }

    @Test
    void validateOfAMissingFileIsAUsageError() {
        Run run = run("validate", dir.resolve("nope.yaml").toString());

        assertThat(run.exitCode()).isEqualTo(ConfigCommand.USAGE);
        assertThat(run.err()).contains("nope.yaml: no such file");
    }

    @Test
    void importOfAMissingFileIsAUsageError() {
        Run run = run("import-gitlab", dir.resolve("config.toml").toString());

        assertThat(run.exitCode()).isEqualTo(ConfigCommand.USAGE);
        assertThat(run.err()).contains("config.toml: no such file");
    }

    @Test
    void aMissingArgumentOrUnknownOptionIsAUsageError() {
        assertThat(run("validate").exitCode()).isEqualTo(ConfigCommand.USAGE);
        assertThat(run("validate").err()).contains("Missing required parameter: 'FILE'");
        assertThat(run("import-gitlab", "config.toml", "--frobnicate").exitCode()).isEqualTo(ConfigCommand.USAGE);
        assertThat(run("launch").exitCode()).isEqualTo(ConfigCommand.USAGE);
    }

    @Test
    void configWithoutASubcommandShowsUsageAndIsAUsageError() {
        Run run = run();

        assertThat(run.exitCode()).isEqualTo(ConfigCommand.USAGE);
        assertThat(run.err()).contains("validate").contains("import-gitlab");
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"validate", "--help"},
                new String[] {"import-gitlab", "-h"})) {
            Run run = run(args);

            assertThat(run.exitCode()).isEqualTo(ConfigCommand.OK);
            assertThat(run.out()).startsWith("Usage: config").contains("Exit codes:");
        }
        assertThat(run("import-gitlab", "--help").out()).contains("-o, --output=OUT").contains("--force");
    }
}
