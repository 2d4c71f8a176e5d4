package io.runnerscaler.lambda;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.runnerscaler.aws.DynamoJobLedger;
import io.runnerscaler.aws.Tags;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.testkit.AwsEmulator;
import io.runnerscaler.testkit.forge.ForgeApiStub;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;

/**
 * A GitLab job whose webhook never arrives: the reaper lists the watched project's pending jobs (a WireMock
 * GitLab answering with the recorded list), finds the job the ledger does not know and puts it on the job queue,
 * and scale-up launches a machine for it in the emulator. A second pass and the late webhook launch nothing
 * more; a GitLab outage does not stop the pass.
 */
class MissedJobsIT {

    private static final String JOBS = "/api/v4/projects/380/jobs";
    private static final String GROUP_PROJECTS = "/api/v4/groups/acme%2Fplatform/projects";
    private static final String APP_JOBS = "/api/v4/projects/acme%2Fplatform%2Fapp/jobs";
    private static final String CLI_JOBS = "/api/v4/projects/acme%2Fplatform%2Ftools%2Fcli/jobs";
    private static final String POOLS = """
            concurrent: 10
            pools:
              - name: docker
                forge: gitlab
                labels: [docker, linux]
                instanceTypes: [t3.large]
                launchTemplate: runner-scaler-docker
                market: on-demand
                limit: 3
                idleCount: 0
                idleTime: 300
                tokenParameter: /runner-scaler/rs-test/docker/runner-token
            watch:
              gitlab:
                projects: [380]
              every: 1m
              pendingAfter: 2m
              callsPerPass: 5
            """;

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();
    @RegisterExtension
    static final WireMockExtension gitlab = WireMockExtension.newInstance().options(options().dynamicPort()).build();

    private GitLabStack stack;
    private ReaperHandler reaper;

    @BeforeEach
    void provision() {
        stack = new GitLabStack(emulator, gitlab.getRuntimeInfo().getHttpBaseUrl(), POOLS, Map.of());
        reaper = new ReaperHandler(stack.app);
    }

    @AfterEach
    void tokenNeverLogged() {
        assertThat(stack.logs()).doesNotContain(GitLabStack.API_TOKEN);
    }

    @Test
    void jobWhoseWebhookWasLostGetsOneMachineAndNothingMoreFromASecondPassOrTheLateWebhook() {
        listing(200, "project-jobs-pending.json");
        // Scale-up looks up the tags of a GitLab job that has none; the untagged job 1978 really has none.
        gitlab.stubFor(get(urlPathEqualTo(JOBS + "/1978")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":1978,\"tag_list\":[]}")));
        stack.clock.set(java.time.Instant.parse("2026-11-23T09:03:00Z"));

        reapAndScaleUp();
        assertThat(instancesForJob("gitlab:1977")).as("launched for the missed job").isEqualTo(1);
        assertThat(ledger().find("gitlab:1977")).hasValueSatisfying(j -> {
            assertThat(j.status()).isEqualTo(JobStatus.QUEUED);
            assertThat(j.pool()).contains("docker");
        });
        assertThat(stack.logs()).contains("\"event\":\"job.missed\"").contains("\"job\":\"gitlab:1977\"")
                .contains("\"reason\":\"UNKNOWN\"").contains("\"MissedJobsFound\":1.0")
                .as("the untagged job 1978 matches no pool and says so").contains("\"event\":\"job.unmatched\"");

        stack.clock.advance(Duration.ofMinutes(1));
        reapAndScaleUp();
        gitlab.verify(2, getRequestedFor(urlPathEqualTo(JOBS)));
        assertThat(instancesForJob("gitlab:1977")).as("second pass: the job is known queued").isEqualTo(1);

        gitlab.stubFor(get(urlPathEqualTo("/api/v4/projects/gitlab-org%2Fgitlab-test/jobs/1977")).willReturn(aResponse()
                .withStatus(200).withHeader("Content-Type", "application/json")
                .withBody(GitLabStack.payload("jobs-api-job.json"))));
        stack.deliver("webhook-gitlab-pending.json");
        assertThat(allInstances()).as("the late webhook launches nothing more").isEqualTo(1);
        assertThat(stack.machines().alive("docker")).hasSize(1);
    }

    @Test
    void aWatchedGroupsProjectsAreListedAndTheirMissedJobGetsAMachineTheNextPass() {
        stack = new GitLabStack(emulator, gitlab.getRuntimeInfo().getHttpBaseUrl(), POOLS.replace(
                "projects: [380]", "groups: [acme/platform]"), Map.of());
        reaper = new ReaperHandler(stack.app);
        gitlab.stubFor(get(urlPathEqualTo(GROUP_PROJECTS)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withHeader("X-Next-Page", "")
                .withBody(ForgeApiStub.fixture("gitlab/group-projects.json"))));
        listing(APP_JOBS, 200, "project-jobs-pending.json");
        listing(CLI_JOBS, 200, "project-jobs-none.json");
        gitlab.stubFor(get(urlPathEqualTo(APP_JOBS + "/1978")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":1978,\"tag_list\":[]}")));
        stack.clock.set(java.time.Instant.parse("2026-11-23T09:03:00Z"));

        reapAndScaleUp();
        gitlab.verify(1, getRequestedFor(urlPathEqualTo(GROUP_PROJECTS)));
        assertThat(stack.logs()).contains("\"event\":\"missed_jobs.group_listed\"").contains("\"projects\":2")
                .contains("\"complete\":true");
        assertThat(allInstances()).as("the group's projects are listed from the next pass").isZero();

        stack.clock.advance(Duration.ofMinutes(1));
        reapAndScaleUp();
        gitlab.verify(1, getRequestedFor(urlPathEqualTo(APP_JOBS)));
        gitlab.verify(1, getRequestedFor(urlPathEqualTo(CLI_JOBS)));
        assertThat(instancesForJob("gitlab:1977")).as("launched for the missed job of the subgroup's project")
                .isEqualTo(1);
        assertThat(ledger().find("gitlab:1977")).hasValueSatisfying(j ->
                assertThat(j.project()).isEqualTo("acme/platform/app"));
        gitlab.verify(2, getRequestedFor(urlPathEqualTo(GROUP_PROJECTS)));
    }

    @Test
    void youngPendingJobIsLeftToItsWebhook() {
        listing(200, "project-jobs-pending.json");
        stack.clock.set(java.time.Instant.parse("2026-11-23T09:01:00Z"));
        reapAndScaleUp();
        assertThat(allInstances()).isZero();
        assertThat(ledger().find("gitlab:1977")).isEmpty();
        assertThat(stack.logs()).contains("\"event\":\"missed_jobs.listed\"").contains("\"redriven\":0");
    }

    @Test
    void gitLabOutageIsLoggedAndCountedAndThePassStillRuns() {
        gitlab.stubFor(get(urlPathEqualTo(JOBS)).willReturn(aResponse().withStatus(503)));
        var result = reaper.handleRequest(Map.of(), null);
        assertThat(result).containsEntry("pools", 1);
        assertThat(stack.logs()).contains("\"event\":\"missed_jobs.list_failed\"").contains("\"reason\":\"UNAVAILABLE\"")
                .contains("\"MissedJobsListFailures\":1.0");
    }

    /** One reaper pass, then scale-up over whatever it put on the job queue. */
    private void reapAndScaleUp() {
        reaper.handleRequest(Map.of(), null);
        new QueuePump(stack.aws.sqs(), stack.resources.queueUrl(), new ScaleUpHandler(stack.app)).drain();
    }

    private void listing(int status, String fixture) {
        listing(JOBS, status, fixture);
    }

    private void listing(String jobs, int status, String fixture) {
        gitlab.stubFor(get(urlPathEqualTo(jobs)).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json").withHeader("X-Next-Page", "")
                .withBody(ForgeApiStub.fixture("gitlab/" + fixture))));
    }

    private DynamoJobLedger ledger() {
        return new DynamoJobLedger(stack.aws.dynamo(), stack.resources.jobsTable());
    }

    private int instancesForJob(String job) {
        return (int) stack.aws.ec2().describeInstances(DescribeInstancesRequest.builder()
                        .filters(Filter.builder().name("tag:" + Tags.JOB).values(job).build()).build())
                .reservations().stream().mapToLong(r -> r.instances().size()).sum();
    }

    private int allInstances() {
        return (int) stack.aws.ec2().describeInstances().reservations().stream()
                .flatMap(r -> r.instances().stream())
                .filter(i -> !i.state().nameAsString().equals("terminated")).count();
    }
}
