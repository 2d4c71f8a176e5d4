package io.runnerscaler.lambda;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.testkit.AwsEmulator;
import io.runnerscaler.testkit.forge.ForgeApiStub;
import io.runnerscaler.testkit.forge.TestAppKey;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;

/**
 * GitHub runners managed through a GitHub App, end to end on the emulator with a WireMock GitHub: a queued
 * {@code workflow_job} launches a machine with a just-in-time runner config stored for that instance alone,
 * the reaper checks GitHub before removing the runner and terminating, a job a spot interruption failed is
 * re-run once on an on-demand machine, and every GitHub refusal leaves neither a machine nor a stored config.
 */
class GitHubAppIT {

    private static final String ORG = "runner-scaler-demo";
    private static final String RUNNERS = "/orgs/" + ORG + "/actions/runners";
    private static final String JIT = RUNNERS + "/generate-jitconfig";
    private static final String TOKENS = "/app/installations/" + GitHubStack.INSTALLATION_ID + "/access_tokens";
    private static final String RERUN = "/repos/runner-scaler-demo/app/actions/jobs/30433642001/rerun";
    private static final String INSTALLATION_TOKEN = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";
    private static final String POOL = """
            concurrent: 10
            pools:
              - name: gh-docker
                forge: github
                labels: [docker]
                instanceTypes: [m6i.large]
                launchTemplate: runner-scaler-docker
                market: %s
                limit: 4
                idleCount: 0
                idleTime: 300
                github: {organization: runner-scaler-demo, runnerGroupId: 3}
            """;

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    /** Where the stack lives: the plain emulator here, IAM enforced in {@link GitHubAppIamIT}. */
    StackAccess access() {
        return StackAccess.of(emulator);
    }

    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;
    private ForgeApiStub github;
    private GitHubStack stack;
    private String encodedJitConfig;

    @BeforeEach
    void start() throws Exception {
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(tee(originalOut), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(tee(originalErr), true, StandardCharsets.UTF_8));
        github = ForgeApiStub.start();
        github.answer("POST", TOKENS, 201, "github/installation-token.json");
        github.answer("POST", JIT, 201, "github/generate-jitconfig.json");
        github.answerEmpty("DELETE", RUNNERS + "/23", 204);
        encodedJitConfig = new ObjectMapper().readTree(ForgeApiStub.fixture("github/generate-jitconfig.json"))
                .path("encoded_jit_config").asText();
    }

    @AfterEach
    void noSecretAnywhereInTheOutput() {
        System.setOut(originalOut);
        System.setErr(originalErr);
        github.close();
        if (stack == null) {
            return;
        }
        String pemBody = TestAppKey.pkcs1Pem().lines().skip(1).findFirst().orElseThrow();
        for (String output : List.of(stack.logs(), console.toString(StandardCharsets.UTF_8))) {
            assertThat(output).doesNotContain(encodedJitConfig).doesNotContain(INSTALLATION_TOKEN)
                    .doesNotContain(pemBody).doesNotContain(GitHubWebhookIT.GITHUB_TEST_SECRET);
        }
    }

    @Test
    void queuedJobGetsAMachineWhoseJitConfigWaitsForItAloneAndTheReaperRemovesRunnerMachineAndConfig()
            throws Exception {
        stack = stack("on-demand", UnaryOperator.identity());
        stack.deliver("webhook-github-queued.json");

        Machine machine = onlyMachine();
        String runnerName = "gh-docker-" + machine.instanceId();
        JsonNode jit = new ObjectMapper().readTree(github.only("POST", JIT).getBodyAsString());
        assertThat(jit.path("name").asText()).isEqualTo(runnerName);
        assertThat(jit.path("runner_group_id").asLong()).isEqualTo(3);
        assertThat(texts(jit.path("labels"))).containsExactlyInAnyOrder("docker", "self-hosted", "linux", "x64");
        assertThat(jit.path("work_folder").asText()).isEqualTo("_work");
        assertThat(github.only("POST", JIT).getHeader("Authorization")).isEqualTo("Bearer " + INSTALLATION_TOKEN);

        var secrets = stack.bootstrapSecrets();
        assertThat(secrets).as("one config, for this instance only").singleElement().satisfies(item -> {
            assertThat(item.get("owner").s()).isEqualTo(GitHubStack.RUNNER_ROLE_ID + ":" + machine.instanceId());
            assertThat(item.get("secret").s()).isEqualTo(encodedJitConfig);
            assertThat(Long.parseLong(item.get("expiresAt").n())).as("useless after the boot timeout")
                    .isEqualTo(stack.clock.instant().plus(Duration.ofMinutes(10)).getEpochSecond());
        });
        assertThat(stack.logs()).contains("\"event\":\"runner.prepared\"").contains(runnerName);

        stack.deliver(GitHubStack.edited("webhook-github-in_progress.json", "gh-it-running",
                Map.of("\"runner_name\": \"i-0abc123def4567890\"", "\"runner_name\": \"" + runnerName + "\"")));
        assertThat(stack.machines().find(machine.instanceId()).orElseThrow().state()).isEqualTo(MachineState.BUSY);
        stack.deliver(GitHubStack.edited("webhook-github-completed-success.json", "gh-it-done",
                Map.of("\"runner_name\": \"i-0abc123def4567890\"", "\"runner_name\": \"" + runnerName + "\"")));
        assertThat(stack.machines().find(machine.instanceId()).orElseThrow().state()).isEqualTo(MachineState.IDLE);

        // GitHub still has the runner busy (a job it has not told us about): the reaper keeps the machine.
        runnerListed(runnerName, true);
        stack.clock.advance(Duration.ofSeconds(301));
        stack.reap();
        assertThat(ec2State(machine.instanceId())).isEqualTo("running");
        assertThat(stack.logs()).contains("\"event\":\"machine.terminate_deferred\"").contains("\"reason\":\"BUSY\"");
        assertThat(github.requests("DELETE", RUNNERS + "/23")).isEmpty();

        runnerListed(runnerName, false);
        stack.clock.advance(Duration.ofSeconds(60));
        stack.reap();
        assertThat(github.requests("GET", RUNNERS)).as("busy check, then the lookup for deletion").hasSize(2)
                .allSatisfy(r -> assertThat(r.queryParameter("name").firstValue()).isEqualTo(runnerName));
        github.only("DELETE", RUNNERS + "/23");
        assertThat(ec2State(machine.instanceId())).isEqualTo("terminated");
        assertThat(stack.machines().find(machine.instanceId()).orElseThrow().state()).isEqualTo(MachineState.TERMINATED);
        assertThat(stack.bootstrapSecrets()).as("the unread config went with the machine").isEmpty();
    }

    @Test
    void aQueuedJobWhoseWebhookWasLostIsFoundThroughTheAppAndGetsItsRunner() {
        stack = new GitHubStack(access(), github.baseUri(), POOL.formatted("on-demand") + """
                watch:
                  github:
                    repositories: [runner-scaler-demo/app]
                  pendingAfter: 2m
                """, UnaryOperator.identity());
        github.answer("GET", "/repos/runner-scaler-demo/app/actions/runs", 200, "github/workflow-runs-queued.json");
        github.answer("GET", "/repos/runner-scaler-demo/app/actions/runs/11234567890/jobs", 200,
                "github/workflow-run-jobs.json");
        stack.clock.set(java.time.Instant.parse("2026-11-23T09:05:00Z"));

        stack.reap();
        stack.scaleUp();

        assertThat(github.requests("GET", "/repos/runner-scaler-demo/app/actions/runs"))
                .as("queued runs, then in-progress ones").hasSize(2)
                .allSatisfy(r -> assertThat(r.getHeader("Authorization")).isEqualTo("Bearer " + INSTALLATION_TOKEN));
        Machine machine = onlyMachine();
        assertThat(machine.jobId()).contains("github:30433642001");
        JsonNode jit;
        try {
            jit = new ObjectMapper().readTree(github.only("POST", JIT).getBodyAsString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(jit.path("name").asText()).isEqualTo("gh-docker-" + machine.instanceId());
        assertThat(stack.logs()).contains("\"event\":\"job.missed\"").contains("github:30433642001");

        stack.clock.advance(Duration.ofSeconds(30));
        stack.reap();
        stack.scaleUp();
        assertThat(stack.machines().alive("gh-docker")).as("listed again within watch.every: nothing more")
                .hasSize(1);
    }

    @Test
    void aRateLimitOnTheReapersListingPausesTheAppSoScaleUpSendsNoJitConfigUntilTheReset() {
        stack = new GitHubStack(access(), github.baseUri(), POOL.formatted("on-demand") + """
                watch:
                  github:
                    repositories: [runner-scaler-demo/app]
                """, UnaryOperator.identity());
        java.time.Instant reset = stack.clock.instant().plusSeconds(600);
        github.answer("GET", "/repos/runner-scaler-demo/app/actions/runs", 403, "github/error-403-rate-limit.json",
                ForgeApiStub.githubRateLimit(0, reset));

        stack.reap();

        assertThat(stack.logs()).contains("\"event\":\"missed_jobs.list_failed\"").contains("\"reason\":\"RATE_LIMITED\"")
                .as("the listing's answer is the metric too").contains("\"GitHubRateLimitRemaining\":0");
        assertThat(stack.appQuota().pausedUntil("github-" + GitHubStack.INSTALLATION_ID, stack.clock.instant()))
                .as("the App is paused for every function, in the table").contains(reset);

        stack.deliver("webhook-github-queued.json");

        assertThat(github.requests("POST", JIT)).as("scale-up does not ask GitHub while paused").isEmpty();
        assertThat(stack.machines().alive("gh-docker")).as("no machine that could not get its runner").isEmpty();
        assertThat(stack.logs()).contains("\"reason\":\"FORGE_RATE_LIMIT\"").contains("scale_up.message_failed");
    }

    @Test
    void aRunningJobMarksBusyTheMachineWhoseRunnerGitHubNames() {
        stack = stack("on-demand", UnaryOperator.identity());
        stack.deliver("webhook-github-queued.json");
        Machine first = onlyMachine();
        stack.deliver(GitHubStack.edited("webhook-github-queued.json", "gh-it-second-queued",
                Map.of("\"id\": 30433642001", "\"id\": 30433642002")));
        Machine second = stack.machines().alive("gh-docker").stream()
                .filter(m -> !m.instanceId().equals(first.instanceId())).findFirst().orElseThrow();

        // GitHub gave the first job to the runner of the machine launched for the second.
        stack.deliver(GitHubStack.edited("webhook-github-in_progress.json", "gh-it-running", Map.of(
                "\"runner_name\": \"i-0abc123def4567890\"", "\"runner_name\": \"gh-docker-" + second.instanceId() + "\"")));

        Machine busy = stack.machines().find(second.instanceId()).orElseThrow();
        assertThat(busy.state()).isEqualTo(MachineState.BUSY);
        assertThat(busy.jobId()).contains("github:30433642001");
        assertThat(stack.machines().find(first.instanceId()).orElseThrow().state()).isNotEqualTo(MachineState.BUSY);
    }

    @Test
    void aMachineThatEndsOnItsOwnTakesItsUnreadConfigWithIt() {
        stack = stack("on-demand", UnaryOperator.identity());
        stack.deliver("webhook-github-queued.json");
        Machine machine = onlyMachine();
        assertThat(stack.bootstrapSecrets()).hasSize(1);

        stack.ec2Events().handleRequest(Map.of(
                "detail-type", "EC2 Instance State-change Notification", "source", "aws.ec2",
                "detail", Map.of("instance-id", machine.instanceId(), "state", "terminated")), null);

        assertThat(stack.bootstrapSecrets()).isEmpty();
        assertThat(stack.machines().find(machine.instanceId()).orElseThrow().state()).isEqualTo(MachineState.TERMINATED);
    }

    @Test
    void jobASpotInterruptionFailedIsReRunOnceOnAnOnDemandMachine() {
        github.answer("POST", RERUN, 201, "github/rerun-job.json");
        stack = stack("spot", UnaryOperator.identity());
        stack.deliver("webhook-github-queued.json");
        Machine spot = onlyMachine();
        assertThat(spot.market()).isEqualTo(Market.SPOT);
        Map<String, String> onThisMachine = Map.of("\"runner_name\": \"i-0abc123def4567890\"",
                "\"runner_name\": \"gh-docker-" + spot.instanceId() + "\"");
        stack.deliver(GitHubStack.edited("webhook-github-in_progress.json", "gh-it-running", onThisMachine));
        assertThat(stack.machines().find(spot.instanceId()).orElseThrow().state()).isEqualTo(MachineState.BUSY);

        stack.ec2Events().handleRequest(Map.of(
                "detail-type", "EC2 Spot Instance Interruption Warning", "source", "aws.ec2",
                "detail", Map.of("instance-id", spot.instanceId(), "instance-action", "terminate")), null);
        var failed = GitHubStack.edited("webhook-github-completed-failure.json", "gh-it-failed", onThisMachine);
        stack.deliver(failed);
        stack.deliver(GitHubStack.edited("webhook-github-completed-failure.json", "gh-it-failed-again", onThisMachine));

        assertThat(github.only("POST", RERUN).getHeader("Authorization")).isEqualTo("Bearer " + INSTALLATION_TOKEN);
        assertThat(stack.logs()).contains("\"event\":\"job.retried\"").contains("\"JobsRetried\":1.0");

        // GitHub queues the re-run as a new job of a new run attempt.
        stack.deliver(GitHubStack.edited("webhook-github-queued.json", "gh-it-rerun-queued",
                Map.of("\"id\": 30433642001", "\"id\": 30433642002")));
        Machine replacement = stack.machines().alive("gh-docker").stream()
                .filter(m -> !m.instanceId().equals(spot.instanceId()))
                .max(Comparator.comparing(Machine::launchedAt)).orElseThrow();
        assertThat(replacement.market()).as("the re-run's machine is bought on demand").isEqualTo(Market.ON_DEMAND);
        assertThat(replacement.jobId()).contains("github:30433642002");
        assertThat(github.requests("POST", JIT)).as("a JIT runner for each machine").hasSize(2);
        github.only("POST", RERUN);
    }

    static Stream<Arguments> githubRefusals() {
        return Stream.of(
                Arguments.of("bad App key", TOKENS, 401, "github/error-401.json", Map.of(), "UNAUTHORIZED",
                        "answered 401: Bad credentials"),
                Arguments.of("organization not found", JIT, 404, "github/error-404.json", Map.of(), "NOT_FOUND",
                        "answered 404: Not Found"),
                Arguments.of("labels rejected", JIT, 422, "github/error-422-jitconfig.json", Map.of(), "REJECTED",
                        "answered 422: Validation Failed"),
                Arguments.of("GitHub down", JIT, 502, null, Map.of(), "UNAVAILABLE", "generate-jitconfig for"
                        + " organization 'runner-scaler-demo' answered 502"),
                Arguments.of("rate limit", JIT, 403, "github/error-403-rate-limit.json",
                        Map.of("x-ratelimit-remaining", "0", "x-ratelimit-reset", "1795424700"), "RATE_LIMITED",
                        "answered 403: API rate limit exceeded"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("githubRefusals")
    void aGitHubRefusalEndsTheMachineAndStoresNothing(String behaviour, String path, int status, String fixture,
                                                      Map<String, String> headers, String kind, String detail) {
        if (fixture == null) {
            github.answerEmpty("POST", path, status);
        } else {
            github.answer("POST", path, status, fixture, headers);
        }
        stack = stack("on-demand", UnaryOperator.identity());
        stack.deliver("webhook-github-queued.json");

        assertRegistrationFailedAndNothingLeft(kind, detail);
        assertThat(github.requests("DELETE", RUNNERS + "/23")).as("no runner was made").isEmpty();
    }

    @Test
    void aMissingAppKeyIsAConfigurationProblemNamingTheParameterNotAnyKey() {
        stack = stack("on-demand", s -> s.with(Settings.GITHUB_APP_PRIVATE_KEY_PARAMETER,
                "/runner-scaler/rs-test/github/no-such-key"));
        stack.deliver("webhook-github-queued.json");

        assertRegistrationFailedAndNothingLeft("MISCONFIGURED",
                "GitHub App 4242: SSM parameter '/runner-scaler/rs-test/github/no-such-key' not found");
        assertThat(github.requests("POST", JIT)).isEmpty();
    }

    @Test
    void aConfigThatCannotBeStoredTakesItsRunnerBackAndEndsTheMachine() {
        stack = stack("on-demand", s -> s.with(Settings.BOOTSTRAP_SECRETS_TABLE, "rs-test-no-such-table"));
        // The runner name holds the instance id, known only after launch: list whatever name is asked for.
        github.answer(get(urlPathEqualTo(RUNNERS)), aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withTransformers("response-template")
                .withBody(runnersNamed("{{request.query.name}}", false)));
        stack.deliver("webhook-github-queued.json");

        assertRegistrationFailedAndNothingLeft("SECRET_NOT_STORED", "bootstrap secret not stored");
        github.only("DELETE", RUNNERS + "/23");
        assertThat(stack.logs()).contains("\"registration\":\"removed\"");
    }

    private void assertRegistrationFailedAndNothingLeft(String kind, String detail) {
        var machines = stack.machines().alive("gh-docker");
        assertThat(machines).as("no live machine without its config; logs:%n%s", stack.logs()).isEmpty();
        String logs = stack.logs();
        assertThat(logs).contains("\"event\":\"runner.prepare_failed\"").contains("\"reason\":\"" + kind + "\"")
                .contains(detail).contains("\"reason\":\"REGISTRATION_FAILED\"");
        String launched = logs.lines().filter(l -> l.contains("\"event\":\"machine.launched\"")).findFirst()
                .orElseThrow();
        String instance = launched.replaceAll(".*\"instance\":\"(i-[0-9a-f]+)\".*", "$1");
        assertThat(ec2State(instance)).isEqualTo("terminated");
        assertThat(stack.machines().find(instance).orElseThrow().state()).isEqualTo(MachineState.TERMINATED);
        if (!kind.equals("SECRET_NOT_STORED")) {
            assertThat(stack.bootstrapSecrets()).isEmpty();
        }
    }

    @Test
    void aJobBeyondTheAppsJitBudgetWaitsOnTheQueueWithNoMachineLaunchedAndIsLaunchedForWhenTheBudgetHasRoom() {
        stack = stack("on-demand", UnaryOperator.identity());
        // Other instances spent this minute's 900 points of generate-jitconfig (180 configs at 5 points a POST).
        stack.appQuota().spend("github-" + GitHubStack.INSTALLATION_ID, "generate-jitconfig", 5, 180, 900,
                stack.clock.instant());

        stack.deliver("webhook-github-queued.json");

        assertThat(stack.machines().alive("gh-docker")).as("no machine that could not get its runner").isEmpty();
        assertThat(github.requests("POST", JIT)).isEmpty();
        assertThat(stack.logs()).contains("\"reason\":\"FORGE_RATE_LIMIT\"").contains("scale_up.message_failed")
                .contains("\"retryInSeconds\":55");
        assertThat(stack.bootstrapSecrets()).isEmpty();

        // The next minute has room: the reaper's pass plans the job still queued in the ledger.
        stack.clock.advance(java.time.Duration.ofSeconds(60));
        stack.reap();
        onlyMachine();
        assertThat(stack.logs()).contains("\"Reason\":\"JOBS_WAITING\",\"MachinesLaunched\":1.0");
        assertThat(github.requests("POST", JIT)).hasSize(1);
    }

    @Test
    void theInstallationTokenIsAskedForOnceAndSharedByTheFunctionsThroughTheTable() {
        stack = stack("on-demand", UnaryOperator.identity());
        github.answer("POST", JIT, 201, "github/generate-jitconfig.json", ForgeApiStub.githubRateLimit(4987,
                stack.clock.instant().plusSeconds(1800)));
        stack.deliver("webhook-github-queued.json");
        assertThat(github.requests("POST", TOKENS)).as("scale-up asked GitHub").hasSize(1);
        String id = onlyMachine().instanceId();
        stack.ec2Events().handleRequest(Map.of("detail-type", "EC2 Instance State-change Notification",
                "source", "aws.ec2", "detail", Map.of("instance-id", id, "state", "running")), null);
        // The job went to another runner and finished: the idle machine is past its idle time at the reaper's pass.
        stack.deliver("webhook-github-completed-success.json");
        runnerListed("gh-docker-" + id, false);

        stack.clock.advance(java.time.Duration.ofSeconds(301));
        stack.reap();

        assertThat(github.requests("GET", RUNNERS)).as("the reaper checked the runner").isNotEmpty();
        assertThat(github.requests("POST", TOKENS)).as("the reaper used the stored token").isEmpty();
        assertThat(stack.appQuota().token("github-" + GitHubStack.INSTALLATION_ID, stack.clock.instant()))
                .get().satisfies(t -> assertThat(t.token().value()).isEqualTo(INSTALLATION_TOKEN));
        assertThat(stack.logs()).contains("\"GitHubRateLimitRemaining\":4987").doesNotContain(INSTALLATION_TOKEN);
    }

    private GitHubStack stack(String market, UnaryOperator<Settings> settings) {
        return new GitHubStack(access(), github.baseUri(), POOL.formatted(market), settings);
    }

    private void runnerListed(String name, boolean busy) {
        github.server().resetRequests();
        github.answer(get(urlPathEqualTo(RUNNERS)), aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(runnersNamed(name, busy)));
    }

    /** The recorded list answer, for a runner of this name, busy or not. */
    private static String runnersNamed(String name, boolean busy) {
        String fixture = ForgeApiStub.fixture("github/runners-by-name.json");
        assertThat(fixture).contains("\"busy\": true");
        return fixture.replace("linux-x64-i-0123456789abcdef0", name).replace("\"busy\": true", "\"busy\": " + busy);
    }

    private Machine onlyMachine() {
        var alive = stack.machines().alive("gh-docker");
        assertThat(alive).as("machines launched; the functions logged:%n%s", stack.logs()).hasSize(1);
        return alive.get(0);
    }

    private String ec2State(String id) {
        return stack.aws.ec2().describeInstances(DescribeInstancesRequest.builder().instanceIds(id).build())
                .reservations().get(0).instances().get(0).state().nameAsString();
    }

    private static List<String> texts(JsonNode array) {
        var out = new ArrayList<String>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Everything written also goes to the captured console, which the checks for secrets read. */
    private OutputStream tee(PrintStream original) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                original.write(b);
                console.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                original.write(b, off, len);
                console.write(b, off, len);
            }
        };
    }
}
