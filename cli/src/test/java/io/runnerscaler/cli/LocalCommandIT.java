package io.runnerscaler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.aws.AwsClients;
import io.runnerscaler.cli.ops.LocalCommand;
import io.runnerscaler.core.webhook.SharedSecrets;
import io.runnerscaler.testkit.Emulator;
import io.runnerscaler.testkit.forge.ForgeApiStub;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;

/**
 * {@code runner-scaler local} takes real HTTP webhook deliveries and runs what the functions run: a tagged GitLab
 * job gets its tags from the GitLab API (a stub here) and a machine on the emulator, a signed GitHub delivery is
 * accepted, deliveries are served while another is still being read, and the operator commands find its tables.
 */
class LocalCommandIT {

    private static final String GITLAB_TOKEN = "runner-scaler-test-gitlab-token";
    private static final String GITHUB_SECRET = "runner-scaler-test-github-secret";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;
    private final ExecutorService runs = Executors.newCachedThreadPool();
    private ForgeApiStub gitlab;
    private int port;
    private Future<Integer> run;

    @BeforeEach
    void startLocal() throws Exception {
        Emulator.reset();
        gitlab = ForgeApiStub.start();
        gitlab.answer(com.github.tomakehurst.wiremock.client.WireMock.get(
                com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo(
                        "/api/v4/projects/gitlab-org%2Fgitlab-test/jobs/1977")), ForgeApiStub.gitlabJob());
        Path config = Files.writeString(dir.resolve("pools.yaml"), """
                concurrent: 4
                pools:
                  - name: docker
                    forge: gitlab
                    labels: [docker, linux]
                    instanceTypes: [t3.large]
                    launchTemplate: runner-scaler-docker
                    tokenParameter: /runner-scaler/local/docker/runner-token
                    market: on-demand
                    limit: 2
                    idleCount: 0
                    idleTime: 300
                  - name: actions
                    forge: github
                    labels: [docker]
                    instanceTypes: [t3.large]
                    launchTemplate: runner-scaler-docker
                    limit: 2
                """);
        Path gitlabSecret = Files.writeString(dir.resolve("gitlab-secret"), GITLAB_TOKEN + "\n");
        Path githubSecret = Files.writeString(dir.resolve("github-secret"), GITHUB_SECRET + "\n");
        Path apiToken = Files.writeString(dir.resolve("gitlab-api-token"), "glpat-local-test-token\n");
        LocalCommand local = new LocalCommand();
        var args = new String[] {"--config", config.toString(), "--port", "0", "--endpoint",
                Emulator.endpoint().toString(), "--gitlab-secret-file", gitlabSecret.toString(), "--github-secret-file",
                githubSecret.toString(), "--gitlab-url", gitlab.baseUri().toString(), "--gitlab-token-file",
                apiToken.toString(), "--metrics-file", dir.resolve("metrics.log").toString(), "--for-seconds", "60"};
        run = runs.submit(() -> new CommandLine(local).execute(args));
        port = local.awaitPort();
    }

    @AfterEach
    void stop() throws Exception {
        runs.shutdownNow();
        try {
            run.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException ended) {
            // interrupted: it has cleaned up
        }
        gitlab.close();
    }

    @Test
    void aTaggedGitLabJobGetsItsTagsFromGitLabAndAMachineOfThePoolWithThoseTags() throws Exception {
        var response = HTTP.send(gitlabDelivery(GITLAB_TOKEN), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(202);

        assertThat(launchedIn("docker")).isEqualTo(1);
        var lookup = gitlab.only("GET", "/api/v4/projects/gitlab-org%2Fgitlab-test/jobs/1977");
        assertThat(lookup.getHeader("PRIVATE-TOKEN")).isEqualTo("glpat-local-test-token");

        var wrong = HTTP.send(gitlabDelivery("nope"), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(401);
    }

    @Test
    void aSignedGitHubDeliveryIsAcceptedWithTheGivenSecret() throws Exception {
        byte[] body = Files.readAllBytes(Emulator.ProjectRoot.find()
                .resolve("functions/testkit/src/main/resources/payloads/github/workflow_job-queued.json"));
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhook/github"))
                .header("Content-Type", "application/json").header("X-GitHub-Event", "workflow_job")
                .header("X-GitHub-Delivery", "6c1d8f20-a94b-11f0-8000-000000000001")
                .header("X-Hub-Signature-256", SharedSecrets.signature(GITHUB_SECRET.getBytes(StandardCharsets.UTF_8),
                        body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();

        var response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(launchedIn("actions")).as("matched to the GitHub pool and launched").isEqualTo(1);
        assertThat(runOps("jobs")).containsPattern("github:30433642001 +QUEUED +actions");
    }

    @Test
    void aDeliveryIsServedWhileAnotherIsStillBeingRead() throws Exception {
        try (Socket slow = new Socket("127.0.0.1", port)) {
            OutputStream half = slow.getOutputStream();
            half.write(("POST /webhook/gitlab HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "X-Gitlab-Event: Job Hook\r\nX-Gitlab-Token: " + GITLAB_TOKEN + "\r\nContent-Length: 4096\r\n\r\n{")
                    .getBytes(StandardCharsets.UTF_8));
            half.flush();

            var response = HTTP.send(HttpRequest.newBuilder(gitlabDelivery(GITLAB_TOKEN).uri())
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                    .header("X-Gitlab-Event", "Job Hook").header("X-Gitlab-Token", GITLAB_TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofString(pendingHook())).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).as("answered while the first delivery's body is still coming")
                    .isEqualTo(202);
        }
    }

    @Test
    void machinesAndJobsFindTheLocalStacksTablesWithoutFlags() throws Exception {
        HTTP.send(gitlabDelivery(GITLAB_TOKEN), HttpResponse.BodyHandlers.ofString());
        assertThat(launchedIn("docker")).isEqualTo(1);

        String machines = runOps("machines");
        String jobs = runOps("jobs");

        assertThat(machines).contains("docker").containsPattern("i-[0-9a-f]+");
        // The labels in the order the tag lookup gave them (GitLab's tag_list keeps no order of its own).
        assertThat(jobs).contains("gitlab:1977").containsPattern("docker,linux|linux,docker");
    }

    /** An operator command run with no stack variable or flag, as a shell beside `local` would. */
    private static String runOps(String command) {
        var out = new ByteArrayOutputStream();
        PrintStream previous = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = RunnerScaler.commandLine().setErr(new PrintWriter(new StringWriter())).execute(command);
        } finally {
            System.setOut(previous);
        }
        assertThat(exit).as(command).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    private HttpRequest gitlabDelivery(String token) throws Exception {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhook/gitlab"))
                .header("Content-Type", "application/json").header("X-Gitlab-Event", "Job Hook")
                .header("X-Gitlab-Token", token).POST(HttpRequest.BodyPublishers.ofString(pendingHook())).build();
    }

    private static String pendingHook() throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                Emulator.ProjectRoot.find().resolve("events/webhook-gitlab-pending.json").toFile()).get("body").asText();
    }

    /**
     * Machines launched in the pool, waited for. Not the job's tag: the reaper's first pass may find the job queued
     * before its scale-up reserved a place, launch for it untagged, and the scale-up then plans again and launches
     * nothing more.
     */
    private static long launchedIn(String pool) throws InterruptedException {
        var ec2 = AwsClients.create("us-east-1", Optional.of(Emulator.endpoint())).ec2();
        long launched = 0;
        for (int i = 0; i < 100 && launched == 0; i++) {
            Thread.sleep(200);
            launched = ec2.describeInstances(DescribeInstancesRequest.builder().filters(Filter.builder()
                            .name("tag:" + io.runnerscaler.aws.Tags.POOL).values(pool).build()).build())
                    .reservations().stream().mapToLong(r -> r.instances().size()).sum();
        }
        return launched;
    }
}
