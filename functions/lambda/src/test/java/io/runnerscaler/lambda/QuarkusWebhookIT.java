package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.runnerscaler.testkit.AwsEmulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * The Lambda artifact as Quarkus runs it: CDI wiring, the handler chosen by {@code quarkus.lambda.handler},
 * and Quarkus' own deserialisation of the API Gateway event, fed the sample from events/ through
 * Quarkus' mock Lambda event server.
 */
@QuarkusTest
@QuarkusTestResource(EmulatedStackResource.class)
class QuarkusWebhookIT {

    /** The port Quarkus bound its mock event server to (test-port is 0: any free port). */
    @ConfigProperty(name = "quarkus.lambda.mock-event-server.test-port")
    int port;

    @ConfigProperty(name = Settings.QUEUE_URL)
    String queueUrl;

    @Test
    void sampleGitLabDeliveryIsAcceptedAndQueuedByTheQuarkusApp() throws Exception {
        String event = Files.readString(SampleEvents.path("webhook-gitlab-pending.json"));
        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(event)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"statusCode\":202").contains("gitlab:1977");
        var messages = new AwsEmulator().clients().sqs().receiveMessage(ReceiveMessageRequest.builder()
                .queueUrl(queueUrl).build()).messages();
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).body()).contains("\"jobId\":\"1977\"").contains("\"status\":\"QUEUED\"");
    }
}
