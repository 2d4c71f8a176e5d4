package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnerscaler.testkit.AwsEmulator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * The webhook function as the template starts it, without Quarkus: built from its settings at init with its
 * primers registered, then answering the API Gateway event Lambda streams to it, against the emulator.
 */
class WebhookFunctionIT {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    private static final ObjectMapper JSON = new ObjectMapper();

    private EmulatedStack stack;
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();

    @BeforeEach
    void provision() {
        AwsEmulator.reset();
        stack = new EmulatedStack(emulator, EmulatedStack.ONE_POOL);
    }

    @Test
    void theSampleDeliveryIsQueuedAndAnswered202() throws Exception {
        var started = WebhookFunction.start(stack.settings(), new PrintStream(logs, true, StandardCharsets.UTF_8));
        var out = new ByteArrayOutputStream();

        new WebhookFunction(started.handler()).handleRequest(new ByteArrayInputStream(
                Files.readAllBytes(SampleEvents.path("webhook-gitlab-pending.json"))), out, null);

        JsonNode answer = JSON.readTree(out.toByteArray());
        assertThat(answer.path("statusCode").asInt()).isEqualTo(202);
        assertThat(answer.path("body").textValue()).contains("gitlab:1977");
        var messages = stack.aws.sqs().receiveMessage(ReceiveMessageRequest.builder()
                .queueUrl(stack.resources.queueUrl()).maxNumberOfMessages(10).build()).messages();
        assertThat(messages).singleElement().satisfies(m -> assertThat(m.body()).contains("\"jobId\":\"1977\"")
                .contains("\"status\":\"QUEUED\""));
        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("webhook.accepted")
                .doesNotContain(SampleEvents.GITLAB_TEST_TOKEN);
    }

    @Test
    void startRegistersTheWebhookPrimersWhichRunWithoutFailureOrMessage() {
        var started = WebhookFunction.start(stack.settings(), new PrintStream(logs, true, StandardCharsets.UTF_8));

        assertThat(started.priming().prime()).isZero();

        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("snapstart.primed").contains("\"primers\":3")
                .doesNotContain("\"_aws\"");
        assertThat(stack.aws.sqs().receiveMessage(ReceiveMessageRequest.builder()
                .queueUrl(stack.resources.queueUrl()).build()).messages()).isEmpty();
    }
}
