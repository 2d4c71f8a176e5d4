package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runnerscaler.aws.EmfMetrics;
import io.runnerscaler.core.log.JsonLinesLog;
import io.runnerscaler.core.model.JobEvent;
import io.runnerscaler.core.webhook.SharedSecrets;
import io.runnerscaler.core.webhook.WebhookIngest;
import io.runnerscaler.core.webhook.WebhookRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The webhook as Lambda starts it: the API Gateway event as a stream, read as a JSON tree, the answer written
 * in the HTTP API's response format 2.0. It must take the same request from every sample as the typed entry the
 * CLI and tests use, and answer malformed events without a 5xx.
 */
class WebhookHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<JobEvent> queued = new ArrayList<>();
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private final WebhookHandler handler = new WebhookHandler(new WebhookIngest(
            () -> SharedSecrets.parse(SampleEvents.GITLAB_TEST_TOKEN),
            () -> SharedSecrets.parse("runner-scaler-test-github-secret"), queued::add,
            new JsonLinesLog(new PrintStream(logs), Clock.systemUTC()),
            new EmfMetrics(new PrintStream(logs), Clock.systemUTC())));

    static Stream<String> webhookSamples() throws IOException {
        try (Stream<Path> files = Files.list(SampleEvents.path("webhook-gitlab-pending.json").getParent())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("webhook-") && n.endsWith(".json"))
                    .sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("webhookSamples")
    void theStreamTakesTheSameRequestAsTheTypedEntry(String sample) throws IOException {
        WebhookRequest typed = WebhookHandler.request(SampleEvents.http(sample));
        WebhookRequest streamed = WebhookHandler.request(JSON.readTree(SampleEvents.path(sample).toFile()));

        assertThat(streamed.method()).isEqualTo(typed.method());
        assertThat(streamed.path()).isEqualTo(typed.path());
        assertThat(streamed.headers()).isEqualTo(typed.headers());
        assertThat(streamed.body()).isEqualTo(typed.body());
    }

    @ParameterizedTest
    @MethodSource("webhookSamples")
    void theStreamAnswersAsTheTypedEntryInResponseFormatTwo(String sample) throws IOException {
        var typed = handler.handleRequest(SampleEvents.http(sample), null);
        int queuedByTyped = queued.size();

        JsonNode answer = stream(Files.readAllBytes(SampleEvents.path(sample)));

        assertThat(answer.path("statusCode").asInt()).isEqualTo(typed.getStatusCode());
        assertThat(answer.path("body").textValue()).isEqualTo(typed.getBody());
        assertThat(answer.path("headers").path("content-type").textValue()).isEqualTo("application/json");
        assertThat(answer.path("isBase64Encoded").isBoolean()).isTrue();
        assertThat(queued).hasSize(2 * queuedByTyped);
        if (queuedByTyped == 1) {
            assertThat(queued.get(1)).isEqualTo(queued.get(0));
        }
    }

    @Test
    void theSampleGitLabDeliveryIsQueuedAndAnswered202() throws IOException {
        JsonNode answer = stream(Files.readAllBytes(SampleEvents.path("webhook-gitlab-pending.json")));

        assertThat(answer.path("statusCode").asInt()).isEqualTo(202);
        assertThat(answer.path("body").textValue()).contains("gitlab:1977");
        assertThat(queued).singleElement().extracting(JobEvent::jobKey).isEqualTo("gitlab:1977");
    }

    @Test
    void aBase64BodyIsDecodedBeforeTheTokenAndJsonChecks() throws IOException {
        ObjectNode event = (ObjectNode) JSON.readTree(SampleEvents.path("webhook-gitlab-pending.json").toFile());
        event.put("body", Base64.getEncoder().encodeToString(event.get("body").textValue()
                .getBytes(StandardCharsets.UTF_8)));
        event.put("isBase64Encoded", true);

        assertThat(stream(JSON.writeValueAsBytes(event)).path("statusCode").asInt()).isEqualTo(202);
        assertThat(queued).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "[1, 2]", "\"a string\"", "42", "{\"rawPath\": \"/webhook/gitlab\","})
    void anEventThatIsNoJsonObjectIs400AndQueuesNothing(String event) throws IOException {
        JsonNode answer = stream(event.getBytes(StandardCharsets.UTF_8));

        assertThat(answer.path("statusCode").asInt()).isEqualTo(400);
        assertThat(answer.path("body").textValue()).contains("not an API Gateway HTTP API event");
        assertThat(queued).isEmpty();
    }

    @Test
    void fieldsOfAnotherTypeAreTakenAsAbsentNotAsA5xx() throws IOException {
        ObjectNode event = (ObjectNode) JSON.readTree(SampleEvents.path("webhook-gitlab-pending.json").toFile());
        event.putArray("headers").add("x-gitlab-token");
        event.put("body", 12);
        event.put("isBase64Encoded", "yes");
        event.put("requestContext", "POST");

        JsonNode answer = stream(JSON.writeValueAsBytes(event));

        assertThat(answer.path("statusCode").asInt()).isEqualTo(401);
        assertThat(answer.path("body").textValue()).contains("X-Gitlab-Token header is missing");
        assertThat(queued).isEmpty();
    }

    @Test
    void aHeaderWithANonStringValueIsLeftOutAndTheRestKept() throws IOException {
        ObjectNode event = (ObjectNode) JSON.readTree(SampleEvents.path("webhook-gitlab-pending.json").toFile());
        ((ObjectNode) event.get("headers")).putNull("x-gitlab-event-uuid");

        WebhookRequest request = WebhookHandler.request(event);

        assertThat(request.header("x-gitlab-event-uuid")).isEmpty();
        assertThat(request.header("x-gitlab-token")).contains(SampleEvents.GITLAB_TEST_TOKEN);
        assertThat(stream(JSON.writeValueAsBytes(event)).path("statusCode").asInt()).isEqualTo(202);
    }

    @Test
    void theTypedEntryStillServesInProcessCallers() {
        APIGatewayV2HTTPEvent event = SampleEvents.http("webhook-gitlab-pending.json", "x-gitlab-token", "wrong");

        assertThat(handler.handleRequest(event, null).getStatusCode()).isEqualTo(401);
        assertThat(logs.toString(StandardCharsets.UTF_8)).doesNotContain(SampleEvents.GITLAB_TEST_TOKEN);
    }

    private JsonNode stream(byte[] event) throws IOException {
        var out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), out, null);
        return JSON.readTree(out.toByteArray());
    }
}
