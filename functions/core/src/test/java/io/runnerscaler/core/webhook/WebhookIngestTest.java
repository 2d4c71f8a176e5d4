package io.runnerscaler.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.log.JsonLinesLog;
import io.runnerscaler.core.model.JobStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookIngestTest {

    private final Fixtures.InMemoryJobQueue queue = new Fixtures.InMemoryJobQueue();
    private final Fixtures.RecordedMetrics metrics = new Fixtures.RecordedMetrics();
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private Supplier<SharedSecrets> githubSecrets = () -> SharedSecrets.parse(Fixtures.GITHUB_SECRET);
    private Supplier<SharedSecrets> gitlabSecrets = () -> SharedSecrets.parse(Fixtures.GITLAB_TOKEN);

    private WebhookIngest ingest() {
        return new WebhookIngest(() -> gitlabSecrets.get(), () -> githubSecrets.get(), queue,
                new JsonLinesLog(new PrintStream(logs, true, StandardCharsets.UTF_8),
                        Clock.fixed(Instant.parse("2026-11-23T09:00:00Z"), ZoneOffset.UTC)), metrics);
    }

    private String logs() {
        return logs.toString(StandardCharsets.UTF_8);
    }

    @AfterEach
    void noSecretIsEverLogged() {
        assertThat(logs()).doesNotContain(Fixtures.GITHUB_SECRET).doesNotContain(Fixtures.GITLAB_TOKEN)
                .doesNotContain(Fixtures.GITHUB_PREVIOUS_SECRET);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"workflow_job-waiting", "workflow_job-queued", "workflow_job-in_progress",
            "workflow_job-completed-success", "workflow_job-completed-failure", "workflow_job-completed-cancelled",
            "workflow_job-completed-skipped"})
    void signedWorkflowJobIsEnqueuedAnd202(String fixture) {
        var response = ingest().handle(Fixtures.signedGithub("workflow_job", Fixtures.github(fixture)));
        assertThat(response.status()).isEqualTo(202);
        assertThat(response.body()).contains("\"outcome\":\"accepted\"").contains("github:30433642001");
        assertThat(queue.events).hasSize(1);
        assertThat(queue.events.get(0).deliveryId()).isEqualTo("6c1d8f20-a94b-11f0-8000-000000000001");
        assertThat(logs()).contains("\"event\":\"webhook.accepted\"");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"job-created", "job-pending", "job-running", "job-success", "job-failed",
            "job-canceled"})
    void gitlabJobHookWithTokenIsEnqueuedAnd202(String fixture) {
        var response = ingest().handle(Fixtures.gitlabRequest(Fixtures.gitlab(fixture), Fixtures.GITLAB_TOKEN));
        assertThat(response.status()).isEqualTo(202);
        assertThat(queue.events).singleElement().extracting(e -> e.jobKey()).isEqualTo("gitlab:1977");
    }

    @Test
    void pingWithValidSignatureIs200AndEnqueuesNothing() {
        var response = ingest().handle(Fixtures.signedGithub("ping", Fixtures.github("ping")));
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).contains("pong");
        assertThat(queue.events).isEmpty();
    }

    @Test
    void pingWithBadSignatureIs401() {
        var body = Fixtures.github("ping");
        assertThat(ingest().handle(Fixtures.githubRequest("ping", body, Fixtures.signature("wrong", body))).status())
                .isEqualTo(401);
    }

    @Test
    void previousSecretStillWorksDuringRotation() {
        githubSecrets = () -> SharedSecrets.parse(Fixtures.GITHUB_SECRET + "\n" + Fixtures.GITHUB_PREVIOUS_SECRET);
        byte[] body = Fixtures.github("workflow_job-queued");
        var response = ingest().handle(Fixtures.githubRequest("workflow_job", body,
                Fixtures.signature(Fixtures.GITHUB_PREVIOUS_SECRET, body)));
        assertThat(response.status()).isEqualTo(202);
    }

    @Test
    void missingSignatureIs401AndNothingEnqueued() {
        var response = ingest().handle(Fixtures.githubRequest("workflow_job", Fixtures.github("workflow_job-queued"),
                null));
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.body()).contains("X-Hub-Signature-256 header is missing");
        assertThat(queue.events).isEmpty();
    }

    @Test
    void signatureWithWrongSecretIs401() {
        byte[] body = Fixtures.github("workflow_job-queued");
        var response = ingest().handle(Fixtures.githubRequest("workflow_job", body, Fixtures.signature("guess", body)));
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.body()).contains("does not match");
        assertThat(queue.events).isEmpty();
    }

    @Test
    void bodyChangedAfterSigningIs401() {
        byte[] body = Fixtures.github("workflow_job-queued");
        String signature = Fixtures.signature(Fixtures.GITHUB_SECRET, body);
        byte[] tampered = new String(body, StandardCharsets.UTF_8).replace("\"docker\"", "\"gpu\"")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(ingest().handle(Fixtures.githubRequest("workflow_job", tampered, signature)).status())
                .isEqualTo(401);
        assertThat(queue.events).isEmpty();
    }

    @Test
    void noGithubSecretConfiguredIs401WithReason() {
        githubSecrets = () -> SharedSecrets.parse("");
        var response = ingest().handle(Fixtures.signedGithub("workflow_job", Fixtures.github("workflow_job-queued")));
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.body()).contains("no GitHub webhook secret is configured");
    }

    @Test
    void gitlabOnlyConstructorRefusesGithub() {
        var gitlabOnly = new WebhookIngest(() -> SharedSecrets.parse(Fixtures.GITLAB_TOKEN), queue,
                io.runnerscaler.core.port.EventLog.NONE, metrics);
        assertThat(gitlabOnly.handle(Fixtures.signedGithub("workflow_job", Fixtures.github("workflow_job-queued")))
                .status()).isEqualTo(401);
    }

    @Test
    void gitlabTokenMissingOrWrongIs401() {
        assertThat(ingest().handle(Fixtures.gitlabRequest(Fixtures.gitlab("job-pending"), null)).status())
                .isEqualTo(401);
        assertThat(ingest().handle(Fixtures.gitlabRequest(Fixtures.gitlab("job-pending"), "wrong")).status())
                .isEqualTo(401);
        assertThat(ingest().handle(Fixtures.gitlabRequest(Fixtures.gitlab("job-pending"), Fixtures.GITHUB_SECRET))
                .status()).as("the other forge's secret").isEqualTo(401);
        assertThat(queue.events).isEmpty();
    }

    @Test
    void formEncodedDeliveryIs415TellingToChooseJson() {
        String form = "payload=" + java.net.URLEncoder.encode(new String(Fixtures.github("workflow_job-queued"),
                StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        byte[] body = form.getBytes(StandardCharsets.UTF_8);
        var request = withHeader(Fixtures.githubRequest("workflow_job", body, Fixtures.signature(Fixtures.GITHUB_SECRET,
                body)), "Content-Type", "application/x-www-form-urlencoded");
        var response = ingest().handle(request);
        assertThat(response.status()).isEqualTo(415);
        assertThat(response.body()).contains("application/x-www-form-urlencoded").contains("choose content type")
                .contains("application/json");
        assertThat(queue.events).isEmpty();
    }

    @Test
    void otherContentTypesAre415AndJsonWithCharsetIsFine() {
        byte[] body = Fixtures.github("workflow_job-queued");
        var signed = Fixtures.signedGithub("workflow_job", body);
        assertThat(ingest().handle(withHeader(signed, "Content-Type", "text/plain")).status()).isEqualTo(415);
        assertThat(ingest().handle(withHeader(signed, "Content-Type", "application/json; charset=utf-8")).status())
                .isEqualTo(202);
    }

    @Test
    void oversizedBodyIs413BeforeAnythingElse() {
        byte[] body = new byte[WebhookIngest.MAX_BODY_BYTES + 1];
        assertThat(ingest().handle(Fixtures.signedGithub("workflow_job", body)).status()).isEqualTo(413);
        assertThat(ingest().handle(Fixtures.gitlabRequest(body, Fixtures.GITLAB_TOKEN)).status()).isEqualTo(413);
    }

    @Test
    void signedMalformedJsonIs400() {
        byte[] body = "{\"action\":\"queued\",".getBytes(StandardCharsets.UTF_8);
        var response = ingest().handle(Fixtures.signedGithub("workflow_job", body));
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).contains("not valid JSON");
    }

    @Test
    void signedEmptyBodyIs400() {
        assertThat(ingest().handle(Fixtures.signedGithub("workflow_job", new byte[0])).status()).isEqualTo(400);
        assertThat(ingest().handle(Fixtures.gitlabRequest(new byte[0], Fixtures.GITLAB_TOKEN)).status()).isEqualTo(400);
    }

    @Test
    void unsignedEmptyBodyIs401() {
        assertThat(ingest().handle(Fixtures.githubRequest("workflow_job", new byte[0], null)).status()).isEqualTo(401);
    }

    @Test
    void signedWrongTypesAre400() {
        byte[] body = new String(Fixtures.github("workflow_job-queued"), StandardCharsets.UTF_8)
                .replace("\"id\": 30433642001", "\"id\": \"30433642001\"").getBytes(StandardCharsets.UTF_8);
        var response = ingest().handle(Fixtures.signedGithub("workflow_job", body));
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).contains("workflow_job.id");
    }

    @ParameterizedTest(name = "job id {0}")
    @ValueSource(longs = {0, -1, -30433642001L})
    void signedDeliveriesWithAJobIdBelowOneAre400AndNothingIsQueued(long id) {
        byte[] github = new String(Fixtures.github("workflow_job-queued"), StandardCharsets.UTF_8)
                .replace("\"id\": 30433642001", "\"id\": " + id).getBytes(StandardCharsets.UTF_8);
        byte[] gitlab = new String(Fixtures.gitlab("job-pending"), StandardCharsets.UTF_8)
                .replaceFirst("\"build_id\": *[0-9]+", "\"build_id\": " + id).getBytes(StandardCharsets.UTF_8);

        var githubResponse = ingest().handle(Fixtures.signedGithub("workflow_job", github));
        var gitlabResponse = ingest().handle(Fixtures.gitlabRequest(gitlab, Fixtures.GITLAB_TOKEN));

        assertThat(githubResponse.status()).isEqualTo(400);
        assertThat(githubResponse.body()).contains("workflow_job.id " + id + " is not a job id");
        assertThat(gitlabResponse.status()).isEqualTo(400);
        assertThat(gitlabResponse.body()).contains("build_id " + id + " is not a job id");
        assertThat(queue.events).isEmpty();
    }

    @Test
    void missingEventHeaderIs400() {
        byte[] body = Fixtures.github("workflow_job-queued");
        var request = Fixtures.signedGithub("workflow_job", body);
        var headers = new HashMap<>(request.headers());
        headers.remove("x-github-event");
        assertThat(ingest().handle(new WebhookRequest("POST", request.path(), headers, body)).status()).isEqualTo(400);
    }

    @Test
    void unknownEventIs202IgnoredWithReason() {
        var response = ingest().handle(Fixtures.signedGithub("push", "{\"ref\":\"main\"}".getBytes(StandardCharsets.UTF_8)));
        assertThat(response.status()).isEqualTo(202);
        assertThat(response.body()).contains("ignored").contains("push");
        assertThat(logs()).contains("\"event\":\"webhook.ignored\"");
        assertThat(queue.events).isEmpty();
    }

    @Test
    void unknownPathIs404() {
        var request = Fixtures.signedGithub("workflow_job", Fixtures.github("workflow_job-queued"));
        assertThat(ingest().handle(new WebhookRequest("POST", "/webhook/bitbucket", request.headers(), request.body()))
                .status()).isEqualTo(404);
        assertThat(ingest().handle(new WebhookRequest("POST", null, Map.of(), new byte[0])).status()).isEqualTo(404);
    }

    @Test
    void unreachableQueueIs503AndCounted() {
        queue.down = true;
        var response = ingest().handle(Fixtures.signedGithub("workflow_job", Fixtures.github("workflow_job-queued")));
        assertThat(response.status()).isEqualTo(503);
        assertThat(metrics.count("QueueUnavailable")).isEqualTo(1);
        assertThat(logs()).contains("webhook.queue_unavailable");
    }

    @Test
    void unreadableSecretIs503AndCounted() {
        githubSecrets = () -> {
            throw new IllegalStateException("SSM throttled");
        };
        var response = ingest().handle(Fixtures.signedGithub("workflow_job", Fixtures.github("workflow_job-queued")));
        assertThat(response.status()).isEqualTo(503);
        assertThat(metrics.count("SecretsUnavailable")).isEqualTo(1);
        assertThat(queue.events).isEmpty();
    }

    @Test
    void everyAnswerIsCountedByStatusAndForge() {
        ingest().handle(Fixtures.signedGithub("workflow_job", Fixtures.github("workflow_job-queued")));
        assertThat(metrics.counts).contains(Map.entry("WebhookResponses", Map.of("Status", "202", "Forge", "github")));
    }

    @Test
    void redeliveryIsEnqueuedAgainWithTheSameDeduplicationKey() {
        // The queue (SQS FIFO) drops the duplicate; the webhook stays stateless.
        var request = Fixtures.signedGithub("workflow_job", Fixtures.github("workflow_job-queued"));
        ingest().handle(request);
        ingest().handle(request);
        assertThat(queue.events).hasSize(2);
        assertThat(queue.events.get(0).deduplicationKey()).isEqualTo(queue.events.get(1).deduplicationKey())
                .isEqualTo("github:30433642001:" + JobStatus.QUEUED.name());
    }

    private static WebhookRequest withHeader(WebhookRequest r, String name, String value) {
        var headers = new HashMap<>(r.headers());
        headers.put(name.toLowerCase(java.util.Locale.ROOT), value);
        return new WebhookRequest(r.method(), r.path(), headers, r.body());
    }
}
