package io.runnerscaler.benchmarks.webhook;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.runnerscaler.aws.AwsClients;
import io.runnerscaler.aws.Provisioner;
import io.runnerscaler.core.webhook.SharedSecrets;
import io.runnerscaler.lambda.App;
import io.runnerscaler.lambda.Settings;
import io.runnerscaler.testkit.AwsEmulator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.HashMap;
import java.util.Optional;

/**
 * A stack on the emulator for the webhook benchmarks (its own stack name, so it never disturbs test
 * state), and GitHub deliveries made from the signed sample with a distinct job id each.
 */
final class WebhookFixture {

    static final String SECRET = "runner-scaler-test-github-secret";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES, true).build();

    final App app;
    final String queueUrl;
    final AwsClients aws;

    WebhookFixture(String stack) {
        aws = AwsClients.create(AwsEmulator.REGION, Optional.of(AwsEmulator.endpoint()));
        Provisioner provisioner = new Provisioner(aws);
        Provisioner.Resources resources = provisioner.create(stack);
        String secretParameter = "/runner-scaler/" + stack + "/github-webhook-secret";
        provisioner.parameter(secretParameter, SECRET, true);
        queueUrl = resources.queueUrl();
        Settings settings = new Settings(AwsEmulator.REGION, Optional.of(AwsEmulator.endpoint().toString()), stack,
                "/runner-scaler/" + stack + "/config", resources.queueUrl(), resources.dlqUrl(), resources.machinesTable(),
                resources.jobsTable(), "/runner-scaler/" + stack + "/gitlab-webhook-secret", secretParameter);
        // Log lines cost what they cost in Lambda (formatting); where they go is not what is measured.
        app = new App(settings, Clock.systemUTC(), new PrintStream(OutputStream.nullOutputStream()));
    }

    /** The queued sample, as job {@code jobId}, signed again for its new body. */
    static APIGatewayV2HTTPEvent queued(long jobId) {
        APIGatewayV2HTTPEvent e = sample("webhook-github-queued.json");
        String body = e.getBody().replace("30433642001", Long.toString(jobId));
        var headers = new HashMap<>(e.getHeaders());
        headers.put("x-hub-signature-256", SharedSecrets.signature(SECRET.getBytes(StandardCharsets.UTF_8),
                body.getBytes(StandardCharsets.UTF_8)));
        headers.put("x-github-delivery", "bench-" + jobId);
        e.setHeaders(headers);
        e.setBody(body);
        return e;
    }

    static APIGatewayV2HTTPEvent sample(String name) {
        try {
            return JSON.readValue(Files.readString(AwsEmulator.ProjectRoot.find().resolve("events").resolve(name)),
                    APIGatewayV2HTTPEvent.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
