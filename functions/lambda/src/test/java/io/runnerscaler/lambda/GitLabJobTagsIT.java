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
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;

/**
 * GitLab jobs get their tags from the Jobs API (a WireMock GitLab answering with the recorded payload)
 * in scale-up, before pool matching: a tagged pool takes the job; a failed lookup leaves the message to
 * be retried with a log line and a metric, and the API token never shows in the output.
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
        stack = new GitLabStack(emulator, gitlab.getRuntimeInfo().getHttpBaseUrl(), TAGGED_POOL, java.util.Map.of());
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
    void unauthorizedLookupFailsTheMessageWithReasonAndMetric() {
        gitlab.stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(401)
                .withBody("{\"message\":\"401 Unauthorized\"}")));
        int failed = deliverPendingAndPump();
        assertThat(failed).isEqualTo(1);
        assertThat(instancesForJob("gitlab:1977")).isZero();
        assertThat(logs()).contains("\"event\":\"job.tag_lookup_failed\"").contains("\"reason\":\"UNAUTHORIZED\"")
                .contains(TOKEN_PARAMETER).contains("\"TagLookupFailures\":1.0").contains("\"Reason\":\"UNAUTHORIZED\"");
    }

    @Test
    void rateLimitedLookupIsRetryableWithTheWaitGitLabAskedFor() {
        gitlab.stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "20")
                .withHeader("RateLimit-Limit", "600").withHeader("RateLimit-Remaining", "0")));
        assertThat(deliverPendingAndPump()).isEqualTo(1);
        assertThat(logs()).contains("\"reason\":\"RATE_LIMITED\"").contains("\"retryable\":true")
                .contains("\"retryAfterSeconds\":20").contains("\"Reason\":\"RATE_LIMITED\"");
    }

    @Test
    void notFoundIsCountedAsItsOwnReason() {
        gitlab.stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(404)));
        assertThat(deliverPendingAndPump()).isEqualTo(1);
        assertThat(logs()).contains("\"Reason\":\"NOT_FOUND\"");
    }

    /** Delivers the pending sample and runs scale-up once over what it enqueued; returns the failed messages. */
    private int deliverPendingAndPump() {
        var accepted = new WebhookHandler(stack.app.webhook()).handleRequest(SampleEvents.http("webhook-gitlab-pending.json"),
                null);
        assertThat(accepted.getStatusCode()).as("the webhook does not wait for GitLab").isEqualTo(202);
        var messages = stack.aws.sqs().receiveMessage(b -> b.queueUrl(stack.resources.queueUrl()).maxNumberOfMessages(10)
                .messageSystemAttributeNames(software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName.ALL))
                .messages();
        assertThat(messages).hasSize(1);
        var event = new com.amazonaws.services.lambda.runtime.events.SQSEvent();
        var record = new com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage();
        record.setMessageId(messages.get(0).messageId());
        record.setBody(messages.get(0).body());
        event.setRecords(java.util.List.of(record));
        return new ScaleUpHandler(stack.app).handleRequest(event, null)
                .getBatchItemFailures().size();
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
