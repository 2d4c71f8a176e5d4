package io.runnerscaler.lambda;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.runnerscaler.aws.AwsClients;
import io.runnerscaler.aws.Provisioner;
import io.runnerscaler.aws.SqsDeadLetters;
import io.runnerscaler.aws.Tags;
import io.runnerscaler.testkit.AwsEmulator;
import io.runnerscaler.testkit.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * GitLab jobs get their tags from the Jobs API (a WireMock GitLab answering with the recorded payload)
 * in scale-up, before pool matching: a tagged pool takes the job; a lookup GitLab will never answer (bad
 * token, job not visible) parks the message in the DLQ at once, one that may succeed later (rate limit, 5xx)
 * comes back after a short backoff or GitLab's Retry-After; both with a log line and a metric, and the API token
 * never shows.
 */
class GitLabJobTagsIT {

    private static final String TOKEN_PARAMETER = GitLabStack.API_TOKEN_PARAMETER;
    private static final String API_TOKEN = GitLabStack.API_TOKEN;
    private static final String JOB_PATH = "/api/v4/projects/gitlab-org%2Fgitlab-test/jobs/1977";
    private static final String TAGGED_POOL = """
            concurrent: 10
            pools:
              - name: docker
                forge: gitlab
                labels: [docker, linux]
                runUntagged: false
                instanceTypes: [t3.large]
                launchTemplate: runner-scaler-docker
                tokenParameter: /runner-scaler/rs-test/docker/runner-token
                market: on-demand
                limit: 3
                idleCount: 0
                idleTime: 300
            """;

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();
    @RegisterExtension
    static final WireMockExtension gitlab = WireMockExtension.newInstance().options(options().dynamicPort()).build();

    private GitLabStack stack;

    @BeforeEach
    void provision() {
        stack = new GitLabStack(emulator, gitlab.getRuntimeInfo().getHttpBaseUrl(), TAGGED_POOL, Map.of());
    }

    @AfterEach
    void tokenNeverLogged() {
        assertThat(logs()).doesNotContain(API_TOKEN).doesNotContain(SampleEvents.GITLAB_TEST_TOKEN);
    }

    @Test
    void pendingJobIsMatchedToTheTaggedPoolByItsLookedUpTags() {
        gitlab.stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(GitLabStack.payload("jobs-api-job.json"))));
        deliverPendingAndPump();
        assertThat(instancesForJob("gitlab:1977")).isEqualTo(1);
        gitlab.verify(1, getRequestedFor(urlEqualTo(JOB_PATH)));
    }

    @Test
    void unauthorizedLookupParksTheMessageInTheDlqWithItsReasonAndDoesNotRetryIt() {
        gitlab.stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(401)
                .withBody("{\"message\":\"401 Unauthorized\"}")));
        redeliverAtOnce();

        assertThat(deliverPendingAndPump()).as("handled as parked, not returned").isZero();
        assertThat(pump().drain()).as("nothing comes back to the queue").isZero();

        var parked = deadLetters();
        assertThat(parked).hasSize(1);
        assertThat(parked.get(0).body()).contains("\"jobId\":\"1977\"");
        assertThat(parked.get(0).messageAttributes().get(SqsDeadLetters.REASON).stringValue())
                .contains("UNAUTHORIZED").contains("answered 401").contains(TOKEN_PARAMETER)
                .contains("runner-scaler dlq redrive").doesNotContain(API_TOKEN);
        assertThat(parked.get(0).attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID)).isEqualTo("gitlab:1977");
        gitlab.verify(1, getRequestedFor(urlEqualTo(JOB_PATH)));
        assertThat(instancesForJob("gitlab:1977")).isZero();
        assertThat(logs()).contains("\"event\":\"job.tag_lookup_failed\"").contains("\"retryable\":false")
                .contains("\"event\":\"scale_up.message_parked\"").contains("\"TagLookupFailures\":1.0")
                .contains("\"Reason\":\"UNAUTHORIZED\"");
    }

    @Test
    void rateLimitedLookupComesBackAfterGitLabsRetryAfterAndThenSucceeds() {
        gitlab.stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2")
                .withHeader("RateLimit-Limit", "600").withHeader("RateLimit-Remaining", "0")));

        assertThat(deliverPendingAndPump()).as("returned to the queue").isEqualTo(1);
        assertThat(logs()).contains("\"reason\":\"RATE_LIMITED\"").contains("\"retryable\":true")
                .contains("\"retryAfterSeconds\":2").contains("\"Reason\":\"RATE_LIMITED\"")
                .contains("\"retryInSeconds\":2");
        assertThat(instancesForJob("gitlab:1977")).isZero();
        assertThat(pump().pumpOnce(0)).as("hidden for GitLab's Retry-After").isZero();

        gitlab.stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(GitLabStack.payload("jobs-api-job.json"))));
        assertThat(pumpUntilHandled(java.time.Duration.ofSeconds(10))).as("back after 2 s, not the queue's visibility"
                + " timeout").isEqualTo(1);

        assertThat(instancesForJob("gitlab:1977")).isEqualTo(1);
        assertThat(deadLetters()).isEmpty();
        gitlab.verify(2, getRequestedFor(urlEqualTo(JOB_PATH)));
    }

    /**
     * A job whose first attempt meets GitLab's 5xx is launched about ten seconds later (scale-up's first backoff,
     * set with ChangeMessageVisibility), with the queue's visibility timeout as deployed (360 s), which is when it
     * came back before.
     */
    @Test
    void aJobWhoseFirstAttemptFailedIsLaunchedWellInsideAMinuteNotAfterTheVisibilityTimeout() {
        stack.aws.sqs().setQueueAttributes(b -> b.queueUrl(stack.resources.queueUrl())
                .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "360")));
        gitlab.stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(502)));
        long delivered = System.nanoTime();

        assertThat(deliverPendingAndPump()).as("the first attempt failed").isEqualTo(1);
        gitlab.stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(GitLabStack.payload("jobs-api-job.json"))));
        pumpUntilHandled(java.time.Duration.ofSeconds(60));
        long seconds = java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - delivered);

        assertThat(instancesForJob("gitlab:1977")).as("launched %d s after delivery; logs:%n%s", seconds, logs())
                .isEqualTo(1);
        assertThat(seconds).as("seconds from delivery to launch").isLessThan(60);
        assertThat(logs()).contains("\"retryInSeconds\":10");
        System.out.printf("retried job launched %d s after its delivery (visibility timeout 360 s)%n", seconds);
    }

    @Test
    void notFoundIsCountedAsItsOwnReasonAndParked() {
        gitlab.stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(404)));
        assertThat(deliverPendingAndPump()).isZero();
        assertThat(logs()).contains("\"Reason\":\"NOT_FOUND\"");
        assertThat(deadLetters()).singleElement().satisfies(m -> assertThat(
                m.messageAttributes().get(SqsDeadLetters.REASON).stringValue()).contains("NOT_FOUND"));
    }

    /**
     * Scale-up over the queue, asking every half second (short polls: the emulator's long polls can outlast their
     * wait time), until a message was handled or {@code within} passed; returns how many were handled.
     */
    private int pumpUntilHandled(java.time.Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        int handled = 0;
        while (handled == 0 && System.nanoTime() < deadline) {
            handled = pump().pumpOnce(0);
            if (handled == 0) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
        return handled;
    }

    /** Delivers the pending sample and runs scale-up once over what it enqueued; returns the failed messages. */
    private int deliverPendingAndPump() {
        var accepted = new WebhookHandler(stack.app.webhook()).handleRequest(SampleEvents.http("webhook-gitlab-pending.json"),
                null);
        assertThat(accepted.getStatusCode()).as("the webhook does not wait for GitLab").isEqualTo(202);
        var failed = new ArrayList<String>();
        var pump = new QueuePump(stack.aws.sqs(), stack.resources.queueUrl(), (event, context) -> {
            var response = new ScaleUpHandler(stack.app).handleRequest(event, context);
            response.getBatchItemFailures().forEach(f -> failed.add(f.getItemIdentifier()));
            return response;
        });
        assertThat(pump.pumpOnce(0)).isEqualTo(1);
        return failed.size();
    }

    /** Scale-up as Lambda's event source mapping runs it. */
    private QueuePump pump() {
        return new QueuePump(stack.aws.sqs(), stack.resources.queueUrl(), new ScaleUpHandler(stack.app));
    }

    /** A returned message comes back on the next receive, as it does after the visibility timeout in AWS. */
    private void redeliverAtOnce() {
        stack.aws.sqs().setQueueAttributes(b -> b.queueUrl(stack.resources.queueUrl())
                .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "0")));
    }

    private List<Message> deadLetters() {
        return stack.aws.sqs().receiveMessage(ReceiveMessageRequest.builder().queueUrl(stack.resources.dlqUrl())
                .maxNumberOfMessages(10).messageAttributeNames("All")
                .messageSystemAttributeNames(MessageSystemAttributeName.MESSAGE_GROUP_ID).build()).messages();
    }

    private int instancesForJob(String job) {
        return (int) stack.aws.ec2().describeInstances(DescribeInstancesRequest.builder()
                        .filters(Filter.builder().name("tag:" + Tags.JOB).values(job).build()).build())
                .reservations().stream().mapToLong(r -> r.instances().size()).sum();
    }

    private String logs() {
        return stack.logs();
    }

}
