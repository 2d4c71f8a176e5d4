package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import io.runnerscaler.testkit.AwsEmulator;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/** Bad input at the webhook gets the right answer and never reaches the queue. */
class WebhookBadInputIT {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    private EmulatedStack stack;

    @BeforeEach
    void provision() {
        AwsEmulator.reset();
        stack = new EmulatedStack(emulator, EmulatedStack.ONE_POOL);
    }

    @AfterEach
    void nothingWasEnqueuedAndNoSecretLogged() {
        var messages = stack.aws.sqs().receiveMessage(ReceiveMessageRequest.builder()
                .queueUrl(stack.resources.queueUrl()).maxNumberOfMessages(10).build()).messages();
        assertThat(messages).isEmpty();
        assertThat(stack.logs()).doesNotContain(SampleEvents.GITLAB_TEST_TOKEN).doesNotContain("wrong-token");
    }

    @Test
    void missingTokenIs401() {
        assertThat(status(SampleEvents.http("webhook-gitlab-pending.json", "x-gitlab-token", null))).isEqualTo(401);
        assertThat(stack.logs()).contains("X-Gitlab-Token header is missing");
    }

    @Test
    void wrongTokenIs401() {
        assertThat(status(SampleEvents.http("webhook-gitlab-pending.json", "x-gitlab-token", "wrong-token")))
                .isEqualTo(401);
    }

    @Test
    void malformedJsonIs400() {
        APIGatewayV2HTTPEvent e = SampleEvents.http("webhook-gitlab-pending.json");
        e.setBody("{\"object_kind\": \"build\", \"build_id\": ");
        var response = stack.webhook().handleRequest(e, null);
        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(response.getBody()).contains("not valid JSON");
    }

    @Test
    void bodyOverOneMebibyteIs413() {
        APIGatewayV2HTTPEvent e = SampleEvents.http("webhook-gitlab-pending.json");
        e.setBody(Base64.getEncoder().encodeToString(new byte[1024 * 1024 + 1]));
        e.setIsBase64Encoded(true);
        assertThat(status(e)).isEqualTo(413);
    }

    @Test
    void unknownEventTypeIs202AndIgnoredWithReasonLogged() {
        APIGatewayV2HTTPEvent e = SampleEvents.http("webhook-gitlab-pending.json", "x-gitlab-event", "Push Hook");
        e.setBody("{\"object_kind\": \"push\", \"ref\": \"refs/heads/main\"}");
        var response = stack.webhook().handleRequest(e, null);
        assertThat(response.getStatusCode()).isEqualTo(202);
        assertThat(response.getBody()).contains("ignored").contains("Push Hook");
        assertThat(stack.logs()).contains("\"event\":\"webhook.ignored\"").contains("is not a Job Hook");
    }

    @Test
    void unknownPathIs404() {
        APIGatewayV2HTTPEvent e = SampleEvents.http("webhook-gitlab-pending.json");
        e.setRawPath("/webhook/bitbucket");
        assertThat(status(e)).isEqualTo(404);
    }

    private int status(APIGatewayV2HTTPEvent e) {
        return stack.webhook().handleRequest(e, null).getStatusCode();
    }
}
