package io.runnerscaler.benchmarks.webhook;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import io.runnerscaler.aws.EmfMetrics;
import io.runnerscaler.core.log.JsonLinesLog;
import io.runnerscaler.core.port.JobQueue;
import io.runnerscaler.core.webhook.SharedSecrets;
import io.runnerscaler.core.webhook.WebhookIngest;
import io.runnerscaler.lambda.WebhookHandler;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import software.amazon.awssdk.services.sqs.model.PurgeQueueRequest;

/**
 * Warm webhook latency, in process: the real handler (verify, parse, enqueue to the emulator's SQS FIFO
 * queue) over N signed GitHub deliveries with distinct job ids, after a warm-up; and the same handler with
 * an in-memory queue, to separate our own work from the SQS round trip.
 *
 * <pre>java -cp ... io.runnerscaler.benchmarks.webhook.WebhookLatency [requests] [warmup] [bare-send requests]
 *     [phases: sqs,floor,memory]</pre>
 */
public final class WebhookLatency {

    private WebhookLatency() {
    }

    public static void main(String[] args) {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        int floor = args.length > 2 ? Integer.parseInt(args[2]) : requests;
        String phases = args.length > 3 ? args[3] : "sqs,floor,memory";
        var fixture = new WebhookFixture("bench-webhook-" + ProcessHandle.current().pid());
        List<APIGatewayV2HTTPEvent> events = new ArrayList<>(warmup + requests);
        for (int i = 0; i < warmup + requests; i++) {
            events.add(WebhookFixture.queued(40_000_000_000L + i));
        }
        if (phases.contains("sqs")) {
            var sqsHandler = new WebhookHandler(fixture.app.webhook());
            report("handler -> emulator SQS", run(sqsHandler, events, warmup));
            purge(fixture);
        }
        if (phases.contains("floor")) {
            report("bare SQS SendMessage to the emulator (the floor)", sendOnly(fixture, warmup + floor, warmup));
            purge(fixture);
        }
        if (phases.contains("memory")) {
            JobQueue discard = event -> { };
            PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
            var inMemory = new WebhookHandler(new WebhookIngest(() -> SharedSecrets.parse(""),
                    () -> SharedSecrets.parse(WebhookFixture.SECRET), discard,
                    new JsonLinesLog(nowhere, Clock.systemUTC()), new EmfMetrics(nowhere, Clock.systemUTC())));
            report("handler -> in-memory queue (verify, parse, log and metric lines)", run(inMemory, events, warmup));
        }
    }

    /** Empties the queue between phases; SQS allows one purge a minute, and a skipped one changes little. */
    private static void purge(WebhookFixture fixture) {
        try {
            fixture.aws.sqs().purgeQueue(PurgeQueueRequest.builder().queueUrl(fixture.queueUrl).build());
        } catch (software.amazon.awssdk.services.sqs.model.PurgeQueueInProgressException tooSoon) {
            // the previous purge is recent enough
        }
    }

    private static long[] sendOnly(WebhookFixture fixture, int total, int warmup) {
        long[] nanos = new long[total - warmup];
        String body = "{\"v\":1,\"forge\":\"github\"}";
        for (int i = 0; i < total; i++) {
            String id = "github:" + (60_000_000_000L + i);
            long start = System.nanoTime();
            fixture.aws.sqs().sendMessage(b -> b.queueUrl(fixture.queueUrl).messageBody(body).messageGroupId(id)
                    .messageDeduplicationId(id + ":QUEUED"));
            long took = System.nanoTime() - start;
            if (i >= warmup) {
                nanos[i - warmup] = took;
            }
        }
        return nanos;
    }

    private static long[] run(WebhookHandler handler, List<APIGatewayV2HTTPEvent> events, int warmup) {
        long[] nanos = new long[events.size() - warmup];
        for (int i = 0; i < events.size(); i++) {

            long start = System.nanoTime();
            int status = handler.handleRequest(events.get(i), null).getStatusCode();
            long took = System.nanoTime() - start;
            if (status != 202) {
                throw new IllegalStateException("request " + i + " answered " + status);
            }
            if (i >= warmup) {
                nanos[i - warmup] = took;
            }
        }
        return nanos;
    }

    private static void report(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f |%n", what, sorted.length,
                ms(percentile(sorted, 50)), ms(percentile(sorted, 90)), ms(percentile(sorted, 99)),
                ms(percentile(sorted, 99.9)), ms(sorted[sorted.length - 1]));
    }

    private static long percentile(long[] sorted, double p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }
}
