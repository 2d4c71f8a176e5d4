package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.port.Fleet;
import io.runnerscaler.testkit.AwsEmulator;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ec2.model.CreateTagsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * A stopped pool through the real handlers: the reaper refills (RunInstances), the refill says it is ready (its tag,
 * set here by the test as the machine's bootstrap would), the reaper stops it (StopInstances), ec2-events records
 * EC2's stopped as expected, and a job's webhook starts it through scale-up (StartInstances). Under the template's
 * roles in {@link StoppedPoolIamIT}.
 */
class StoppedPoolIT {

    private static final String POOL = EmulatedStack.ONE_POOL + "    stoppedCount: 1\n";

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    EmulatedStack stack;

    StackAccess access() {
        return StackAccess.of(emulator);
    }

    @AfterEach
    void showLog() {
        if (stack != null) {
            System.out.println(stack.logs());
        }
    }

    @Test
    void aRefillIsStoppedWhenReadyAndAJobStartsIt() {
        access().reset();
        stack = new EmulatedStack(access(), POOL);

        stack.reaper().handleRequest(Map.of(), null);
        Machine refill = stack.app.machines().alive("docker").getFirst();
        assertThat(refill.state()).isEqualTo(MachineState.WARMING);
        stack.aws.ec2().createTags(CreateTagsRequest.builder().resources(refill.instanceId())
                .tags(Tag.builder().key(Fleet.READY_TAG).value("true").build()).build());

        stack.clock.advance(Duration.ofMinutes(1));
        stack.reaper().handleRequest(Map.of(), null);
        assertThat(ec2State(refill.instanceId())).isEqualTo("stopped");
        stack.ec2Events().handleRequest(stateChange(refill.instanceId(), "stopped"), null);
        assertThat(stack.app.machines().find(refill.instanceId()).orElseThrow().state())
                .isEqualTo(MachineState.STOPPED);

        stack.clock.advance(Duration.ofMinutes(1));
        APIGatewayV2HTTPEvent pending = SampleEvents.http("webhook-gitlab-pending.json");
        assertThat(stack.webhook().handleRequest(pending, null).getStatusCode()).isEqualTo(202);
        stack.pump().drain();

        Machine started = stack.app.machines().find(refill.instanceId()).orElseThrow();
        assertThat(started.state()).isEqualTo(MachineState.LAUNCHING);
        assertThat(started.jobId()).contains("gitlab:1977");
        assertThat(ec2State(refill.instanceId())).isIn("pending", "running");
        assertThat(stack.app.machines().alive("docker")).as("no launch on the job's path").hasSize(1);
        assertThat(stack.logs()).contains("\"event\":\"machine.started\"").contains("STARTED_FROM_POOL");
    }

    private String ec2State(String id) {
        return stack.aws.ec2().describeInstances(DescribeInstancesRequest.builder().instanceIds(id).build())
                .reservations().get(0).instances().get(0).state().nameAsString();
    }

    private static Map<String, Object> stateChange(String id, String state) {
        return Map.of("detail-type", "EC2 Instance State-change Notification", "source", "aws.ec2",
                "detail", Map.of("instance-id", id, "state", state));
    }
}
