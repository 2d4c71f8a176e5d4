package io.runnerscaler.benchmarks.webhook;

import io.runnerscaler.lambda.App;
import io.runnerscaler.lambda.Settings;
import io.runnerscaler.lambda.WebhookHandler;
import io.runnerscaler.testkit.AwsEmulator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * One cold start: from this JVM's process start to the first GitHub delivery answered, with everything a
 * fresh Lambda instance does on the way (read the event JSON, build the App and its SDK clients, read the
 * secret from SSM, send to SQS). Prints {@code cold_start_ms=<total> before_main_ms=<JVM start>
 * first_request_ms=<main to answer>}.
 *
 * <pre>
 * WebhookColdStart provision STACK   creates the stack's queue, tables and secret once, prints its queue URL
 * WebhookColdStart run STACK QUEUE_URL   one measured cold start
 * </pre>
 * {@code benchmarks/webhook-cold-start.sh} runs it in N fresh JVMs.
 */
public final class WebhookColdStart {

    private WebhookColdStart() {
    }

    public static void main(String[] args) {
        Instant processStart = ProcessHandle.current().info().startInstant().orElseThrow();
        Instant mainStart = Instant.now();
        long mainNanos = System.nanoTime();
        String stack = args[1];
        if (args[0].equals("provision")) {
            System.out.println(new WebhookFixture(stack).queueUrl);
            return;
        }
        var event = WebhookFixture.queued(50_000_000_000L + ProcessHandle.current().pid());
        Settings settings = new Settings(AwsEmulator.REGION, Optional.of(AwsEmulator.endpoint().toString()), stack,
                "/runner-scaler/" + stack + "/config", args[2], args[2].replace("-jobs.fifo", "-jobs-dlq.fifo"),
                stack + "-machines", stack + "-jobs",
                "/runner-scaler/" + stack + "/gitlab-webhook-secret", "/runner-scaler/" + stack + "/github-webhook-secret");
        var app = new App(settings, Clock.systemUTC(), System.err);
        int status = new WebhookHandler(app.webhook()).handleRequest(event, null).getStatusCode();
        long done = System.nanoTime();
        if (status != 202) {
            throw new IllegalStateException("first request answered " + status);
        }
        long beforeMain = Duration.between(processStart, mainStart).toMillis();
        long firstRequest = (done - mainNanos) / 1_000_000;
        System.out.printf(Locale.ROOT, "cold_start_ms=%d before_main_ms=%d first_request_ms=%d%n",
                beforeMain + firstRequest, beforeMain, firstRequest);
    }
}
