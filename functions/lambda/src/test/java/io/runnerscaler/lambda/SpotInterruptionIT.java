package io.runnerscaler.lambda;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.runnerscaler.aws.DynamoMachineStore;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.testkit.AwsEmulator;
import java.util.Comparator;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A job running on a spot machine that gets an interruption warning, and then fails, is retried through
 * GitLab's job retry API once, and the machine for the retried job is bought on demand — on a spot pool.
 */
class SpotInterruptionIT {

    private static final String RETRY_PATH = "/api/v4/projects/gitlab-org%2Fgitlab-test/jobs/1977/retry";
    private static final String SPOT_POOL = """
            concurrent: 10
            pools:
              - name: docker
                forge: gitlab
                labels: [docker, linux]
                instanceTypes: [m6i.large]
                launchTemplate: runner-scaler-docker
                tokenParameter: /runner-scaler/rs-test/docker/runner-token
                market: spot
                limit: 4
                idleCount: 0
                idleTime: 300
            """;

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();
    @RegisterExtension
    static final WireMockExtension gitlab = WireMockExtension.newInstance().options(options().dynamicPort()).build();

    private GitLabStack stack;

    /** Where the stack lives: the plain emulator here, IAM enforced in {@link SpotInterruptionIamIT}. */
    StackAccess access() {
        return StackAccess.of(emulator);
    }

    @BeforeEach
    void provision() {
        gitlab.stubFor(get(urlPathMatching("/api/v4/projects/.+/jobs/[0-9]+")).willReturn(aResponse()
                .withStatus(200).withHeader("Content-Type", "application/json")
                .withBody(GitLabStack.payload("jobs-api-job.json"))));
        gitlab.stubFor(post(urlEqualTo(RETRY_PATH)).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"id\": 1978, \"status\": \"pending\", \"name\": \"test\", \"stage\": \"test\"}")));
        stack = new GitLabStack(access(), gitlab.getRuntimeInfo().getHttpBaseUrl(), SPOT_POOL, Map.of());
    }

    @Test
    void interruptedJobThatFailsIsRetriedOnceAndItsNewMachineIsOnDemand() {
        deliver(SampleEvents.http("webhook-gitlab-pending.json"));
        Machine spot = onlyMachine();
        assertThat(spot.market()).isEqualTo(Market.SPOT);
        deliver(SampleEvents.http("webhook-gitlab-running.json"));
        assertThat(store().find(spot.instanceId()).orElseThrow().state()).isEqualTo(MachineState.BUSY);

        stack.ec2Events().handleRequest(Map.of(
                "detail-type", "EC2 Spot Instance Interruption Warning", "source", "aws.ec2",
                "detail", Map.of("instance-id", spot.instanceId(), "instance-action", "terminate")), null);
        assertThat(store().find(spot.instanceId()).orElseThrow().state()).isEqualTo(MachineState.DRAINING);

        APIGatewayV2HTTPEvent failed = status(SampleEvents.http("webhook-gitlab-success.json"), "failed");
        deliver(failed);
        deliver(failed);
        gitlab.verify(1, postRequestedFor(urlEqualTo(RETRY_PATH)));
        assertThat(logs()).contains("\"event\":\"job.retried\"").contains("\"newJob\":\"gitlab:1978\"")
                .contains("\"JobsRetried\":1.0");

        APIGatewayV2HTTPEvent retried = SampleEvents.http("webhook-gitlab-pending.json");
        retried.setBody(retried.getBody().replace("\"build_id\": 1977", "\"build_id\": 1978"));
        retried.getHeaders().put("x-gitlab-event-uuid", "00000000-0000-4000-8000-000000000099");
        deliver(retried);

        Machine replacement = store().alive("docker").stream().filter(m -> !m.instanceId().equals(spot.instanceId()))
                .max(Comparator.comparing(Machine::launchedAt)).orElseThrow();
        assertThat(replacement.market()).as("the retried job's machine is bought on demand").isEqualTo(Market.ON_DEMAND);
        assertThat(replacement.jobId()).contains("gitlab:1978");
    }

    @Test
    void aJobThatFailsWithoutAnInterruptionIsNotRetried() {
        deliver(SampleEvents.http("webhook-gitlab-pending.json"));
        deliver(SampleEvents.http("webhook-gitlab-running.json"));
        deliver(status(SampleEvents.http("webhook-gitlab-success.json"), "failed"));
        gitlab.verify(0, postRequestedFor(urlEqualTo(RETRY_PATH)));
    }

    private void deliver(APIGatewayV2HTTPEvent event) {
        stack.deliver(event);
    }

    private static APIGatewayV2HTTPEvent status(APIGatewayV2HTTPEvent e, String status) {
        e.setBody(e.getBody().replace("\"build_status\": \"success\"", "\"build_status\": \"" + status + "\""));
        var headers = new java.util.HashMap<>(e.getHeaders());
        headers.put("x-gitlab-event-uuid", "00000000-0000-4000-8000-0000000000" + status.length());
        e.setHeaders(headers);
        return e;
    }

    private DynamoMachineStore store() {
        return stack.machines();
    }

    private Machine onlyMachine() {
        var alive = store().alive("docker");
        assertThat(alive).as("machines launched; the functions logged:%n%s", logs()).hasSize(1);
        return alive.get(0);
    }

    private String logs() {
        return stack.logs();
    }
}
