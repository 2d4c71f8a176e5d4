package io.runnerscaler.lambda;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.testkit.AwsEmulator;
import io.runnerscaler.testkit.forge.ForgeApiStub;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;

/**
 * Invariant 2 with the forge in the loop: before terminating an idle machine the reaper asks GitLab whether
 * the machine's runner manager runs a job (GitLab may know before its webhook arrives), keeps it while it
 * does, and removes the runner manager before terminating once it does not.
 */
class ForgeBusyCheckIT {

    private static final String RUNNER_TOKEN_PARAMETER = "/runner-scaler/rs-test/runner-token";
    private static final String RUNNER_TOKEN = "glrt-kyahzxLaj4Dc1jQf4xjX";
    private static final String POOL = """
            concurrent: 10
            pools:
              - name: docker
                forge: gitlab
                labels: [docker, linux]
                instanceTypes: [m6i.large]
                launchTemplate: runner-scaler-docker
                market: on-demand
                limit: 2
                idleCount: 0
                idleTime: 300
                tokenParameter: /runner-scaler/rs-test/runner-token
            """;

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();
    @RegisterExtension
    static final WireMockExtension gitlab = WireMockExtension.newInstance().options(options().dynamicPort()).build();

    private GitLabStack stack;

    @BeforeEach
    void provision() {
        gitlab.stubFor(get(urlPathMatching("/api/v4/projects/.+/jobs/[0-9]+")).willReturn(json(
                GitLabStack.payload("jobs-api-job.json"))));
        gitlab.stubFor(post(urlEqualTo("/api/v4/runners/verify")).willReturn(json(
                ForgeApiStub.fixture("gitlab/verify-runner.json"))));
        gitlab.stubFor(delete(urlEqualTo("/api/v4/runners/managers")).willReturn(aResponse().withStatus(204)));
        stack = new GitLabStack(emulator, gitlab.getRuntimeInfo().getHttpBaseUrl(), POOL, Map.of(RUNNER_TOKEN_PARAMETER, RUNNER_TOKEN));
    }

    @Test
    void idleMachineThatGitLabSaysIsBusyIsKeptThenDeregisteredAndTerminated() {
        deliver("webhook-gitlab-pending.json");
        deliver("webhook-gitlab-running.json");
        deliver("webhook-gitlab-success.json");
        var store = stack.machines();
        String id = store.alive("docker").get(0).instanceId();
        assertThat(store.find(id).orElseThrow().state()).isEqualTo(MachineState.IDLE);

        gitlab.stubFor(get(urlPathEqualTo("/api/v4/runners/9171/jobs")).willReturn(json(
                ForgeApiStub.fixture("gitlab/runner-jobs-running-without-manager.json"))));
        stack.clock.advance(Duration.ofSeconds(301));
        new ReaperHandler(stack.app.reaper()).handleRequest(Map.of(), null);
        assertThat(ec2State(id)).as("GitLab says it runs a job").isEqualTo("running");
        assertThat(logs()).contains("\"event\":\"machine.terminate_deferred\"").contains("\"reason\":\"BUSY\"");
        gitlab.verify(0, deleteRequestedFor(urlEqualTo("/api/v4/runners/managers")));

        gitlab.stubFor(get(urlPathEqualTo("/api/v4/runners/9171/jobs")).willReturn(json(
                ForgeApiStub.fixture("gitlab/runner-jobs-none.json"))));
        stack.clock.advance(Duration.ofSeconds(60));
        new ReaperHandler(stack.app.reaper()).handleRequest(Map.of(), null);
        assertThat(ec2State(id)).isEqualTo("terminated");
        assertThat(store.find(id).orElseThrow().state()).isEqualTo(MachineState.TERMINATED);
        gitlab.verify(1, deleteRequestedFor(urlEqualTo("/api/v4/runners/managers")));
        assertThat(logs()).doesNotContain(RUNNER_TOKEN).doesNotContain(GitLabStack.API_TOKEN);
    }

    private void deliver(String sample) {
        stack.deliver(sample);
    }

    private String ec2State(String id) {
        return stack.aws.ec2().describeInstances(DescribeInstancesRequest.builder().instanceIds(id).build())
                .reservations().get(0).instances().get(0).state().nameAsString();
    }

    private static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
    }

    private String logs() {
        return stack.logs();
    }
}
