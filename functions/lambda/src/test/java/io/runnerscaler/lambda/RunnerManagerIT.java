package io.runnerscaler.lambda;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.runner.RunnerIdentity;
import io.runnerscaler.testkit.AwsEmulator;
import io.runnerscaler.testkit.forge.ForgeApiStub;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A running GitLab job marks busy the machine whose runner manager GitLab's Jobs API names
 * ({@code runner_manager.system_id}, GitLab 17.0+), not the machine launched for it: the Job Hook names only the
 * runner, which every machine of the pool shares. A job that another runner took marks none of ours busy, with a
 * manager (none of our machines) or without one (another runner id than the pool's, from {@code runners/verify}).
 * The manager's {@code created_at} is recorded as the machine's runner registration.
 */
class RunnerManagerIT {

    private static final String JOBS = "/api/v4/projects/gitlab-org%2Fgitlab-test/jobs/";
    private static final String RUNNER_TOKEN_PARAMETER = "/runner-scaler/rs-test/docker/runner-token";
    private static final String POOL = """
            concurrent: 10
            pools:
              - name: docker
                forge: gitlab
                labels: [docker, linux]
                instanceTypes: [m6i.large]
                launchTemplate: runner-scaler-docker
                tokenParameter: /runner-scaler/rs-test/docker/runner-token
                market: on-demand
                limit: 4
                idleCount: 0
                idleTime: 300
            """;

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();
    @RegisterExtension
    static final WireMockExtension gitlab = WireMockExtension.newInstance().options(options().dynamicPort()).build();

    GitLabStack stack;

    /** Where the stack lives: the plain emulator here, IAM enforced in {@link RunnerManagerIamIT}. */
    StackAccess access() {
        return StackAccess.of(emulator);
    }

    @BeforeEach
    void provision() {
        for (String job : new String[] {"1977", "1978"}) {
            gitlab.stubFor(get(urlEqualTo(JOBS + job)).willReturn(json(GitLabStack.payload("jobs-api-job.json")
                    .replace("\"id\": 1977", "\"id\": " + job))));
        }
        gitlab.stubFor(post(urlEqualTo("/api/v4/runners/verify")).willReturn(json(
                ForgeApiStub.fixture("gitlab/verify-runner.json"))));
        stack = new GitLabStack(access(), gitlab.getRuntimeInfo().getHttpBaseUrl(), POOL,
                Map.of(RUNNER_TOKEN_PARAMETER, "glrt-kyahzxLaj4Dc1jQf4xjX"));
    }

    @Test
    void aRunningJobMarksBusyTheMachineWhoseRunnerManagerGitLabNames() {
        stack.deliver(hook("webhook-gitlab-pending.json", "1977", "p-1977"));
        stack.deliver(hook("webhook-gitlab-pending.json", "1978", "p-1978"));
        Machine forFirst = launchedFor("gitlab:1977");
        Machine forSecond = launchedFor("gitlab:1978");

        // GitLab gave job 1977 to the manager of the machine launched for job 1978.
        gitlab.stubFor(get(urlEqualTo(JOBS + "1977")).willReturn(json(GitLabStack.payload("jobs-api-job-running.json")
                .replace("s_56789abcdef0", systemId(forSecond)))));
        stack.clock.advance(java.time.Duration.ofMinutes(1));
        stack.deliver(hook("webhook-gitlab-running.json", "1977", "r-1977"));

        assertThat(stack.machines().find(forSecond.instanceId()).orElseThrow()).satisfies(m -> {
            assertThat(m.state()).isEqualTo(MachineState.BUSY);
            assertThat(m.jobId()).contains("gitlab:1977");
            assertThat(m.steps().registered()).as("the manager's created_at in the recorded answer")
                    .contains(java.time.Instant.parse("2026-11-23T09:00:52.112Z"));
        });
        assertThat(stack.machines().find(forFirst.instanceId()).orElseThrow().state())
                .isNotEqualTo(MachineState.BUSY);
        assertThat(stack.logs()).contains("\"event\":\"machine.busy\"").contains("\"reason\":\"RUNNER_MANAGER\"")
                .contains("\"runnerManager\":\"" + systemId(forSecond) + "\"");

        stack.deliver(hook("webhook-gitlab-success.json", "1977", "s-1977"));
        assertThat(stack.machines().find(forSecond.instanceId()).orElseThrow()).satisfies(m -> {
            assertThat(m.state()).isEqualTo(MachineState.IDLE);
            assertThat(m.buildsDone()).as("the build counts on the machine that ran it").isEqualTo(1);
        });
        assertThat(stack.machines().find(forFirst.instanceId()).orElseThrow().buildsDone()).isZero();
    }

    @Test
    void aJobAnotherRunnersManagerRunsMarksNoMachineOfOursBusy() {
        stack.deliver(hook("webhook-gitlab-pending.json", "1977", "p-1977"));
        gitlab.stubFor(get(urlEqualTo(JOBS + "1977")).willReturn(json(GitLabStack.payload("jobs-api-job-running.json")
                .replace("\"id\": 9171", "\"id\": 4242").replace("s_56789abcdef0", "s_0a0a0a0a0a0a"))));

        stack.deliver(hook("webhook-gitlab-running.json", "1977", "r-1977"));

        assertThat(stack.machines().alive("docker")).noneMatch(m -> m.state() == MachineState.BUSY);
        assertThat(stack.logs()).contains("\"event\":\"job.running_on_unknown_machine\"")
                .contains("\"reason\":\"UNKNOWN_MACHINE\"").contains("\"JobsOnUnknownMachine\":1.0");
    }

    @Test
    void withoutARunnerManagerAJobOfAnotherRunnerIdMarksNoMachineOfOursBusy() {
        stack.deliver(hook("webhook-gitlab-pending.json", "1977", "p-1977"));
        // A GitLab before 17.0 shows no runner_manager; the runner id is another runner's than the pool's (9171).
        gitlab.stubFor(get(urlEqualTo(JOBS + "1977")).willReturn(json(GitLabStack.payload(
                "jobs-api-job-running-without-manager.json").replace("\"id\": 9171", "\"id\": 4242"))));

        stack.deliver(hook("webhook-gitlab-running.json", "1977", "r-1977"));

        assertThat(stack.machines().alive("docker")).noneMatch(m -> m.state() == MachineState.BUSY);
        assertThat(stack.logs()).contains("\"reason\":\"OTHER_RUNNER\"").contains("runner 4242 took the job");
    }

    @Test
    void withoutARunnerManagerTheJobOfThePoolsRunnerGoesOnTheMachineLaunchedForIt() {
        stack.deliver(hook("webhook-gitlab-pending.json", "1977", "p-1977"));
        Machine launched = launchedFor("gitlab:1977");
        gitlab.stubFor(get(urlEqualTo(JOBS + "1977")).willReturn(json(GitLabStack.payload(
                "jobs-api-job-running-without-manager.json"))));

        stack.deliver(hook("webhook-gitlab-running.json", "1977", "r-1977"));

        assertThat(stack.machines().find(launched.instanceId()).orElseThrow().state()).isEqualTo(MachineState.BUSY);
        assertThat(stack.logs()).contains("\"reason\":\"LAUNCHED_FOR_JOB\"");
    }

    private Machine launchedFor(String job) {
        return stack.machines().alive("docker").stream().filter(m -> m.jobId().filter(job::equals).isPresent())
                .findFirst().orElseThrow();
    }

    private static String systemId(Machine m) {
        return new RunnerIdentity("docker", m.instanceId()).gitlabSystemId();
    }

    /** A recorded Job Hook for another job id, with its own delivery id. */
    private static APIGatewayV2HTTPEvent hook(String sample, String jobId, String delivery) {
        APIGatewayV2HTTPEvent e = SampleEvents.http(sample);
        assertThat(e.getBody()).contains("\"build_id\": 1977");
        e.setBody(e.getBody().replace("\"build_id\": 1977", "\"build_id\": " + jobId));
        var headers = new HashMap<>(e.getHeaders());
        headers.put("x-gitlab-event-uuid", "00000000-0000-4000-8000-" + String.format("%012d", delivery.hashCode()
                & 0x7fffffff));
        e.setHeaders(headers);
        return e;
    }

    private static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
    }
}
