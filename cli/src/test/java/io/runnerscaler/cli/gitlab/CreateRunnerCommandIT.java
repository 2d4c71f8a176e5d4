package io.runnerscaler.cli.gitlab;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.aws.AwsClients;
import io.runnerscaler.cli.RunnerScaler;
import io.runnerscaler.testkit.Emulator;
import io.runnerscaler.testkit.FaultProxy;
import io.runnerscaler.testkit.forge.ForgeApiStub;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * {@code runner-scaler gitlab create-runner} against a GitLab stub serving the API's recorded answers and SSM on
 * the emulator: the token lands in the pool's parameter and nowhere else, and every failure leaves nothing
 * half-done.
 */
class CreateRunnerCommandIT {

    private static final String ACCESS = "/runner-scaler/test/gitlab/admin-token";
    private static final String POOL_TOKEN = "/runner-scaler/test/runners/gitlab/docker";
    private static final String CREATED_TOKEN = "glrt-kyahzxLaj4Dc1jQf4xjX";

    @TempDir
    Path dir;
    private ForgeApiStub gitlab;
    private SsmClient ssm;
    private Path config;
    private URI endpoint;

    @BeforeEach
    void setUp() throws Exception {
        Emulator.reset();
        endpoint = Emulator.endpoint();
        gitlab = ForgeApiStub.start();
        ssm = AwsClients.create("us-east-1", Optional.of(endpoint)).ssm();
        ssm.putParameter(p -> p.name(ACCESS).type(ParameterType.SECURE_STRING).value("glpat-admin-secret-value"));
        config = dir.resolve("pools.yaml");
        Files.writeString(config, """
                concurrent: 4
                pools:
                  - name: docker
                    forge: gitlab
                    labels: [docker, linux]
                    runUntagged: true
                    instanceTypes: [t3.large]
                    launchTemplate: runner-scaler-runner
                    limit: 2
                    tokenParameter: %s
                  - name: gh
                    forge: github
                    labels: [large]
                    instanceTypes: [t3.large]
                    launchTemplate: runner-scaler-runner
                    limit: 2
                """.formatted(POOL_TOKEN));
    }

    @AfterEach
    void tearDown() {
        gitlab.close();
    }

    @Test
    void createsThePoolsRunnerWithItsTagsAndStoresTheTokenAsASecureString() {
        gitlab.answer("POST", "/api/v4/user/runners", 201, "gitlab/create-runner.json");

        var run = run("--project-id", "42");

        assertThat(run.code).as(run.err).isZero();
        var parameter = ssm.getParameter(p -> p.name(POOL_TOKEN).withDecryption(true)).parameter();
        assertThat(parameter.type()).isEqualTo(ParameterType.SECURE_STRING);
        assertThat(parameter.value()).isEqualTo(CREATED_TOKEN);
        var request = gitlab.only("POST", "/api/v4/user/runners");
        assertThat(request.getHeader("PRIVATE-TOKEN")).isEqualTo("glpat-admin-secret-value");
        assertThat(request.getBodyAsString()).contains("\"runner_type\":\"project_type\"", "\"project_id\":42",
                "\"tag_list\":[\"docker\",\"linux\"]", "\"run_untagged\":true", "\"description\":\"runner-scaler docker\"");
        assertThat(run.out).contains("created GitLab runner 9171", POOL_TOKEN);
        assertThat(run.out + run.err).doesNotContain(CREATED_TOKEN).doesNotContain("glpat-admin-secret-value");
    }

    @Test
    void anExistingTokenIsKeptUnlessOverwriteIsGivenAndGitLabIsNotAsked() {
        ssm.putParameter(p -> p.name(POOL_TOKEN).type(ParameterType.SECURE_STRING).value("glrt-existing"));

        var run = run("--group-id", "7");

        assertThat(run.code).isEqualTo(CreateRunnerCommand.FAILED);
        assertThat(run.err).contains("already holds a token", "--overwrite");
        assertThat(gitlab.requests("POST", "/api/v4/user/runners")).isEmpty();
        assertThat(ssm.getParameter(p -> p.name(POOL_TOKEN).withDecryption(true)).parameter().value())
                .isEqualTo("glrt-existing");

        gitlab.answer("POST", "/api/v4/user/runners", 201, "gitlab/create-runner.json");
        assertThat(run("--group-id", "7", "--overwrite").code).isZero();
        assertThat(ssm.getParameter(p -> p.name(POOL_TOKEN).withDecryption(true)).parameter().value())
                .isEqualTo(CREATED_TOKEN);
        assertThat(gitlab.only("POST", "/api/v4/user/runners").getBodyAsString())
                .contains("\"runner_type\":\"group_type\"", "\"group_id\":7");
    }

    @Test
    void gitLabRefusingLeavesNoParameter() {
        gitlab.answer("POST", "/api/v4/user/runners", 403, "gitlab/error-403.json");

        var run = run("--instance");

        assertThat(run.code).isEqualTo(CreateRunnerCommand.FAILED);
        assertThat(run.err).contains("GitLab did not create the runner");
        assertThat(parameterExists(POOL_TOKEN)).isFalse();
    }

    @Test
    void aTokenThatCannotBeStoredIsNotLeftBehindInGitLab() {
        gitlab.answer("POST", "/api/v4/user/runners", 201, "gitlab/create-runner.json");
        gitlab.answerEmpty("DELETE", "/api/v4/runners", 204);
        try (var proxy = new FaultProxy(endpoint)) {
            proxy.jsonError("AmazonSSM.PutParameter", 400, "AccessDeniedException");
            endpoint = proxy.endpoint();

            var run = run("--project-id", "42");

            assertThat(run.code).isEqualTo(CreateRunnerCommand.FAILED);
            assertThat(run.err).contains("storing the token", "AccessDeniedException", "runner 9171", "deleted it again")
                    .doesNotContain(CREATED_TOKEN);
        }
        assertThat(gitlab.only("DELETE", "/api/v4/runners").getBodyAsString())
                .isEqualTo("token=" + CREATED_TOKEN);
        assertThat(parameterExists(POOL_TOKEN)).isFalse();
    }

    @Test
    void onlyGitLabPoolsWithATokenParameterAreAccepted() {
        var github = run("--project-id", "42", "--pool", "gh");
        assertThat(github.code).isEqualTo(CreateRunnerCommand.USAGE);
        assertThat(github.err).contains("pool 'gh' is a github pool");

        var unknown = run("--project-id", "42", "--pool", "nope");
        assertThat(unknown.code).isEqualTo(CreateRunnerCommand.USAGE);
        assertThat(unknown.err).contains("no pool 'nope'", "docker, gh");

        var missingAccessToken = run("--project-id", "42", "--access-token-parameter", "/runner-scaler/none");
        assertThat(missingAccessToken.code).isEqualTo(CreateRunnerCommand.FAILED);
        assertThat(missingAccessToken.err).contains("/runner-scaler/none does not exist");
        assertThat(gitlab.requests("POST", "/api/v4/user/runners")).isEmpty();
    }

    private boolean parameterExists(String name) {
        try {
            ssm.getParameter(p -> p.name(name));
            return true;
        } catch (ParameterNotFoundException e) {
            return false;
        }
    }

    private record Run(int code, String out, String err) {
    }

    private Run run(String... extra) {
        var args = new ArrayList<>(List.of("gitlab", "create-runner", "--config", config.toString(), "--pool", "docker",
                "--access-token-parameter", ACCESS, "--gitlab-url", gitlab.baseUri().toString(),
                "--endpoint", endpoint.toString()));
        // later options win over the defaults above
        args.addAll(List.of(extra));
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = RunnerScaler.commandLine().setOverwrittenOptionsAllowed(true);
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }
}
