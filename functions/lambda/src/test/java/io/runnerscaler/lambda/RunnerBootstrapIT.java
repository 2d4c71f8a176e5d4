package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.aws.Tags;
import io.runnerscaler.testkit.AwsEmulator;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ec2.model.DescribeInstanceAttributeRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.InstanceAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The scale-up function launches machines that boot with their pool's bootstrap: the GitLab script, with the
 * pool's token parameter and the stack's GitLab URL and docker image. A pool whose bootstrap cannot be
 * rendered fails its launches as a configuration problem, logged with the reason, without failing the batch.
 */
class RunnerBootstrapIT {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    private EmulatedStack stack;

    @BeforeEach
    void provision() {
        AwsEmulator.reset();
    }

    @AfterEach
    void showLog() {
        System.out.println(stack.logs());
    }

    @Test
    void aPendingGitLabJobLaunchesAMachineBootingTheGitLabBootstrapOfItsPool() {
        stack = new EmulatedStack(emulator, EmulatedStack.ONE_POOL);
        var function = stack.newInstance(s -> s.with(Settings.GITLAB_URL, "https://gitlab.example.com/")
                .with(Settings.RUNNER_DOCKER_IMAGE, "docker.io/library/debian:12"));

        stack.webhook().handleRequest(SampleEvents.http("webhook-gitlab-pending.json"), null);
        assertThat(stack.pump(function).drain()).isEqualTo(1);

        List<String> launched = instancesOfPool("docker");
        assertThat(launched).hasSize(1);
        assertThat(userData(launched.get(0)))
                .startsWith("#!/usr/bin/env bash")
                .contains("POOL='docker'")
                .contains("TOKEN_PARAMETER='/runner-scaler/rs-test/docker/runner-token'")
                .contains("GITLAB_URL='https://gitlab.example.com'")
                .contains("DOCKER_IMAGE='docker.io/library/debian:12'")
                .contains("IDLE_TIMEOUT_SECONDS='3600'")
                .contains("MAX_LIFETIME_SECONDS='0'");
    }

    @Test
    void aPoolWhoseBootstrapCannotBeRenderedFailsItsLaunchAsAConfigProblem() {
        stack = new EmulatedStack(emulator, EmulatedStack.ONE_POOL.replaceAll("\\n.*tokenParameter: .*", ""));

        stack.webhook().handleRequest(SampleEvents.http("webhook-gitlab-pending.json"), null);
        assertThat(stack.pump().drain()).isEqualTo(1);

        assertThat(instancesOfPool("docker")).isEmpty();
        assertThat(stack.logs()).contains("\"machine.launch_failed\"").contains("\"reason\":\"CONFIG\"")
                .contains("\"code\":\"UserData\"")
                .contains("pool 'docker': tokenParameter is required for GitLab pools");
        assertThat(stack.aws.sqs().getQueueAttributes(b -> b.queueUrl(stack.resources.dlqUrl())
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).isEqualTo("0");
    }

    private List<String> instancesOfPool(String pool) {
        return stack.aws.ec2().describeInstances(DescribeInstancesRequest.builder().filters(
                        Filter.builder().name("tag:" + Tags.POOL).values(pool).build()).build())
                .reservations().stream().flatMap(r -> r.instances().stream()).map(i -> i.instanceId()).toList();
    }

    private String userData(String instanceId) {
        String encoded = stack.aws.ec2().describeInstanceAttribute(DescribeInstanceAttributeRequest.builder()
                .instanceId(instanceId).attribute(InstanceAttributeName.USER_DATA).build()).userData().value();
        return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    }
}
