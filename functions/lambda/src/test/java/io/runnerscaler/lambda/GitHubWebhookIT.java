package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import io.runnerscaler.aws.Provisioner;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.model.JobEventCodec;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.webhook.SharedSecrets;
import io.runnerscaler.testkit.AwsEmulator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/** GitHub deliveries through the webhook handler into the emulator's SQS FIFO queue, fed the samples in events/. */
class GitHubWebhookIT {

    /** The documented test secret the events/webhook-github-*.json samples are signed with. */
    static final String GITHUB_TEST_SECRET = "runner-scaler-test-github-secret";

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    private EmulatedStack stack;

    @BeforeEach
    void provision() {
        AwsEmulator.reset();
        stack = new EmulatedStack(emulator, EmulatedStack.ONE_POOL);
        new Provisioner(stack.aws).parameter(EmulatedStack.GITHUB_SECRET_PARAMETER, GITHUB_TEST_SECRET, true);
    }

    @AfterEach
    void noSecretLogged() {
        assertThat(stack.logs()).doesNotContain(GITHUB_TEST_SECRET).doesNotContain(SampleEvents.GITLAB_TEST_TOKEN)
                .doesNotContain("previous-github-secret");
    }

    @Test
    void queuedJobIsEnqueuedWithLabelsRepositoryOrganisationAndInstallation() {
        var response = stack.webhook().handleRequest(SampleEvents.http("webhook-github-queued.json"), null);
        assertThat(response.getStatusCode()).isEqualTo(202);
        assertThat(response.getBody()).contains("github:30433642001 queued");

        List<Message> messages = receiveAll();
        assertThat(messages).hasSize(1);
        Message m = messages.get(0);
        assertThat(m.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID)).isEqualTo("github:30433642001");
        JobEvent e = new JobEventCodec().decode(m.body());
        assertThat(e.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(e.project()).isEqualTo("runner-scaler-demo/app");
        assertThat(e.labels()).containsExactlyInAnyOrder("self-hosted", "linux", "x64", "docker");
        assertThat(e.owner()).contains("runner-scaler-demo");
        assertThat(e.installationId()).contains("56781234");
        assertThat(e.deliveryId()).isEqualTo("6c1d8f20-a94b-11f0-8000-000000000001");
    }

    @Test
    void redeliveredDeliveryBecomesOneMessage() {
        for (int i = 0; i < 3; i++) {
            assertThat(stack.webhook().handleRequest(SampleEvents.http("webhook-github-queued.json"), null)
                    .getStatusCode()).isEqualTo(202);
        }
        assertThat(receiveAll()).hasSize(1);
    }

    @Test
    void everySampleIsAnsweredAsDocumented() {
        var webhook = stack.webhook();
        for (String action : List.of("waiting", "queued", "in_progress", "completed-success", "completed-failure",
                "completed-cancelled", "completed-skipped")) {
            assertThat(webhook.handleRequest(SampleEvents.http("webhook-github-" + action + ".json"), null)
                    .getStatusCode()).as(action).isEqualTo(202);
        }
        var pong = webhook.handleRequest(SampleEvents.http("webhook-github-ping.json"), null);
        assertThat(pong.getStatusCode()).isEqualTo(200);
        assertThat(pong.getBody()).contains("pong");
        // cancelled and skipped are both CANCELED for the same job: one message, deduplicated by SQS.
        assertThat(receiveAll()).hasSize(6);
    }

    @Test
    void base64BodyIsVerifiedOverTheDecodedBytes() {
        APIGatewayV2HTTPEvent e = SampleEvents.http("webhook-github-queued.json");
        e.setBody(Base64.getEncoder().encodeToString(e.getBody().getBytes(StandardCharsets.UTF_8)));
        e.setIsBase64Encoded(true);
        assertThat(stack.webhook().handleRequest(e, null).getStatusCode()).isEqualTo(202);
        assertThat(receiveAll()).hasSize(1);
    }

    @Test
    void signatureFailuresEnqueueNothing() {
        var webhook = stack.webhook();
        assertThat(webhook.handleRequest(SampleEvents.http("webhook-github-queued.json", "x-hub-signature-256", null),
                null).getStatusCode()).isEqualTo(401);
        APIGatewayV2HTTPEvent wrongSecret = SampleEvents.http("webhook-github-queued.json");
        wrongSecret.getHeaders().put("x-hub-signature-256", SharedSecrets.signature(
                "guessed".getBytes(StandardCharsets.UTF_8), wrongSecret.getBody().getBytes(StandardCharsets.UTF_8)));
        assertThat(webhook.handleRequest(wrongSecret, null).getStatusCode()).isEqualTo(401);
        APIGatewayV2HTTPEvent tampered = SampleEvents.http("webhook-github-queued.json");
        tampered.setBody(tampered.getBody().replace("\"docker\"", "\"gpu\""));
        assertThat(webhook.handleRequest(tampered, null).getStatusCode()).isEqualTo(401);
        APIGatewayV2HTTPEvent badBase64 = SampleEvents.http("webhook-github-queued.json");
        badBase64.setIsBase64Encoded(true);
        assertThat(webhook.handleRequest(badBase64, null).getStatusCode()).isEqualTo(401);
        assertThat(receiveAll()).isEmpty();
        assertThat(stack.logs()).contains("X-Hub-Signature-256 does not match the body");
    }

    @Test
    void formEncodedDeliveryIs415AndEnqueuesNothing() {
        var response = stack.webhook().handleRequest(SampleEvents.http("webhook-github-queued.json", "content-type",
                "application/x-www-form-urlencoded"), null);
        assertThat(response.getStatusCode()).isEqualTo(415);
        assertThat(response.getBody()).contains("application/json");
        assertThat(receiveAll()).isEmpty();
    }

    @Test
    void rotatedSecretIsPickedUpAfterTheRefreshAndTheOldOneStillWorks() {
        var webhook = stack.webhook();
        assertThat(webhook.handleRequest(SampleEvents.http("webhook-github-queued.json"), null).getStatusCode())
                .isEqualTo(202);
        new Provisioner(stack.aws).parameter(EmulatedStack.GITHUB_SECRET_PARAMETER,
                "new-github-secret\n" + GITHUB_TEST_SECRET, true);
        APIGatewayV2HTTPEvent signedWithNew = SampleEvents.http("webhook-github-in_progress.json");
        signedWithNew.getHeaders().put("x-hub-signature-256", SharedSecrets.signature(
                "new-github-secret".getBytes(StandardCharsets.UTF_8),
                signedWithNew.getBody().getBytes(StandardCharsets.UTF_8)));
        assertThat(webhook.handleRequest(signedWithNew, null).getStatusCode()).as("before the refresh").isEqualTo(401);
        stack.clock.advance(App.REFRESH.plus(Duration.ofSeconds(1)));
        assertThat(webhook.handleRequest(signedWithNew, null).getStatusCode()).isEqualTo(202);
        assertThat(webhook.handleRequest(SampleEvents.http("webhook-github-completed-success.json"), null)
                .getStatusCode()).as("old secret during rotation").isEqualTo(202);
    }

    @Test
    void unreachableQueueIs503AndCounted() {
        var out = new ByteArrayOutputStream();
        String deleted = stack.resources.queueUrl().replace(".fifo", "-deleted.fifo");
        Settings settings = new Settings(AwsEmulator.REGION, Optional.of(AwsEmulator.endpoint().toString()),
                EmulatedStack.STACK, EmulatedStack.CONFIG_PARAMETER, deleted, stack.resources.dlqUrl(),
                stack.resources.machinesTable(),
                stack.resources.jobsTable(), EmulatedStack.GITLAB_SECRET_PARAMETER,
                EmulatedStack.GITHUB_SECRET_PARAMETER);
        var app = new App(settings, stack.clock, new PrintStream(out, true, StandardCharsets.UTF_8));
        var response = new WebhookHandler(app.webhook()).handleRequest(SampleEvents.http("webhook-github-queued.json"),
                null);
        assertThat(response.getStatusCode()).isEqualTo(503);
        String logs = out.toString(StandardCharsets.UTF_8);
        assertThat(logs).contains("\"event\":\"webhook.queue_unavailable\"").contains("\"QueueUnavailable\":1.0")
                .doesNotContain(GITHUB_TEST_SECRET);
    }

    @Test
    void aQueueTooSlowForTheWebhooksTimeoutIs503WithinItAndCounted() {
        try (var proxy = new io.runnerscaler.testkit.FaultProxy(AwsEmulator.endpoint())) {
            proxy.jsonDelay("AmazonSQS.SendMessage", Duration.ofSeconds(10));
            var out = new ByteArrayOutputStream();
            var app = new App(stack.settings().withEndpoint(proxy.endpoint().toString()), stack.clock,
                    new PrintStream(out, true, StandardCharsets.UTF_8));
            var webhook = new WebhookHandler(app.webhook());

            long started = System.nanoTime();
            var response = webhook.handleRequest(SampleEvents.http("webhook-github-queued.json"), null);
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(response.getStatusCode()).isEqualTo(503);
            assertThat(took).as("answered before the function's 6 s timeout").isLessThan(Duration.ofSeconds(6));
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"QueueUnavailable\":1.0");
        }
    }

    private List<Message> receiveAll() {
        List<Message> all = new ArrayList<>();
        while (true) {
            var batch = stack.aws.sqs().receiveMessage(ReceiveMessageRequest.builder()
                    .queueUrl(stack.resources.queueUrl()).maxNumberOfMessages(10).visibilityTimeout(30)
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL).build()).messages();
            if (batch.isEmpty()) {
                return all;
            }
            all.addAll(batch);
            // A FIFO group hands out its next message only once the ones in flight are deleted.
            batch.forEach(m -> stack.aws.sqs().deleteMessage(d -> d.queueUrl(stack.resources.queueUrl())
                    .receiptHandle(m.receiptHandle())));
        }
    }
}
