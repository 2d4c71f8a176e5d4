package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.aws.Tags;
import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.testkit.AwsEmulator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * The first slice end to end, on the emulator, fed the samples in events/: a GitLab job goes pending,
 * a machine is launched for it, the job runs and succeeds, and IdleTime later the reaper terminates the
 * machine — in EC2 and in the table.
 */
class FirstSliceIT {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    private EmulatedStack stack;

    @BeforeEach
    void provision() {
        AwsEmulator.reset();
        stack = new EmulatedStack(emulator, EmulatedStack.ONE_POOL);
    }

    @org.junit.jupiter.api.AfterEach
    void showLog() {
        System.out.println(stack.logs());
    }

    @Test
    void pendingJobLaunchesMachineWhichGoesBusyIdleAndIsReapedAfterIdleTime() {
        var webhook = stack.webhook();
        var pump = stack.pump();

        var accepted = webhook.handleRequest(SampleEvents.http("webhook-gitlab-pending.json"), null);
        assertThat(accepted.getStatusCode()).isEqualTo(202);
        assertThat(pump.drain()).isEqualTo(1);

        List<Instance> launched = instancesForJob("gitlab:1977");
        assertThat(launched).hasSize(1);
        Instance instance = launched.get(0);
        assertThat(instance.state().nameAsString()).isEqualTo("running");
        assertThat(instance.instanceTypeAsString()).isEqualTo("t3.large");
        assertThat(tag(instance, Tags.POOL)).isEqualTo("docker");
        assertThat(tag(instance, Tags.STACK)).isEqualTo(EmulatedStack.STACK);
        assertThat(tag(instance, Tags.MANAGED_BY)).isEqualTo("runner-scaler");
        String id = instance.instanceId();
        assertThat(machineState(id)).isEqualTo(MachineState.LAUNCHING.name());

        stack.clock.advance(Duration.ofSeconds(65));
        assertThat(webhook.handleRequest(SampleEvents.http("webhook-gitlab-running.json"), null).getStatusCode())
                .isEqualTo(202);
        pump.drain();
        assertThat(machineState(id)).isEqualTo(MachineState.BUSY.name());

        stack.clock.advance(Duration.ofSeconds(600));
        assertThat(webhook.handleRequest(SampleEvents.http("webhook-gitlab-success.json"), null).getStatusCode())
                .isEqualTo(202);
        pump.drain();
        assertThat(machineState(id)).isEqualTo(MachineState.IDLE.name());
        assertThat(stack.app.machines().find(id).orElseThrow().buildsDone()).isEqualTo(1);
        assertThat(jobStatus("gitlab:1977")).isEqualTo(JobStatus.SUCCEEDED.name());

        stack.clock.advance(Duration.ofSeconds(299));
        assertThat(stack.reaper().handleRequest(SampleEvents.map("reaper-schedule.json"), null))
                .containsEntry("terminated", 0);
        assertThat(ec2State(id)).isEqualTo("running");

        stack.clock.advance(Duration.ofSeconds(1));
        // An invocation about to time out leaves the termination to the next pass rather than start it.
        stack.reaper().handleRequest(SampleEvents.map("reaper-schedule.json"), endingIn(Duration.ofSeconds(4)));
        assertThat(ec2State(id)).isEqualTo("running");
        assertThat(machineState(id)).isEqualTo(MachineState.IDLE.name());
        assertThat(stack.logs()).contains("\"event\":\"plan.terminations_deferred\"").contains("OUT_OF_TIME");

        assertThat(stack.reaper().handleRequest(SampleEvents.map("reaper-schedule.json"), endingIn(Duration.ofSeconds(50))))
                .containsEntry("terminated", 1);
        assertThat(ec2State(id)).isEqualTo("terminated");
        assertThat(machineState(id)).isEqualTo(MachineState.TERMINATED.name());
        assertThat(stack.logs()).contains("\"event\":\"machine.terminated\"").contains("IDLE_TIME_EXCEEDED");
    }

    @Test
    void redeliveredPendingWebhookLaunchesOnlyOneMachine() {
        var webhook = stack.webhook();
        for (int i = 0; i < 3; i++) {
            assertThat(webhook.handleRequest(SampleEvents.http("webhook-gitlab-pending.json"), null).getStatusCode())
                    .isEqualTo(202);
        }
        stack.pump().drain();
        assertThat(instancesForJob("gitlab:1977")).hasSize(1);
    }

    @Test
    void samplesScaleUpEventIsHandledLikeTheQueuesOwn() {
        var event = SampleEvents.read("scale-up-sqs.json", com.amazonaws.services.lambda.runtime.events.SQSEvent.class);
        var response = new ScaleUpHandler(stack.app).handleRequest(event, null);
        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(instancesForJob("gitlab:1977")).hasSize(1);
    }

    private List<Instance> instancesForJob(String job) {
        return stack.aws.ec2().describeInstances(DescribeInstancesRequest.builder()
                        .filters(Filter.builder().name("tag:" + Tags.JOB).values(job).build()).build())
                .reservations().stream().flatMap(r -> r.instances().stream()).toList();
    }

    private String ec2State(String id) {
        return stack.aws.ec2().describeInstances(DescribeInstancesRequest.builder().instanceIds(id).build())
                .reservations().get(0).instances().get(0).state().nameAsString();
    }

    private String machineState(String id) {
        return stack.app.machines().find(id).orElseThrow().state().name();
    }

    private String jobStatus(String jobKey) {
        return stack.aws.dynamo().scan(ScanRequest.builder().tableName(stack.resources.jobsTable()).build()).items()
                .stream().filter(i -> i.get("jobKey").s().equals(jobKey)).findFirst().orElseThrow()
                .get("status").s();
    }

    private static String tag(Instance i, String key) {
        return i.tags().stream().filter(t -> t.key().equals(key)).findFirst().orElseThrow().value();
    }

    /** A Lambda context whose invocation ends after {@code left}. */
    private static com.amazonaws.services.lambda.runtime.Context endingIn(Duration left) {
        long end = System.currentTimeMillis() + left.toMillis();
        return (com.amazonaws.services.lambda.runtime.Context) java.lang.reflect.Proxy.newProxyInstance(
                FirstSliceIT.class.getClassLoader(), new Class<?>[] {com.amazonaws.services.lambda.runtime.Context.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getRemainingTimeInMillis" -> (int) (end - System.currentTimeMillis());
                    case "toString" -> "context ending in " + left;
                    default -> null;
                });
    }
}
