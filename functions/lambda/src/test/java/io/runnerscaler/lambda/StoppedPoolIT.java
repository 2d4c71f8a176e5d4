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
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.PutParameterRequest;

/**
 * A stopped pool through the real handlers: the reaper refills (RunInstances), the refill says it is ready (its tag,
 * set here by the test as the machine's bootstrap would), the reaper stops it (StopInstances), ec2-events records
 * EC2's stopped as expected, and a job's webhook starts it through scale-up (StartInstances); a stopped machine of
 * an image older than the image parameter names is retired. Under the template's roles in {@link StoppedPoolIamIT}.
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

    /**
     * The image a pool launches now is read from the image pipeline's parameter (resolve:ssm:), by the reaper under
     * its role: a stopped machine of the image the parameter names stays, one of an older image is retired.
     * The emulator keeps a resolve:ssm: image id as written on the instances it launches (EC2 resolves it), so the
     * machine is refilled from the template's image and the pool then moved onto the parameter, as an operator who
     * adopts the image stack would.
     */
    @Test
    void aStoppedMachineOfAnImageOlderThanTheImageParametersIsRetired() {
        access().reset();
        stack = new EmulatedStack(access(), POOL);
        String id = stoppedRefill();
        String built = stack.aws.ec2().describeInstances(DescribeInstancesRequest.builder().instanceIds(id).build())
                .reservations().get(0).instances().get(0).imageId();
        publishImage(built);
        stack.aws.ssm().putParameter(PutParameterRequest.builder().name(EmulatedStack.CONFIG_PARAMETER)
                .value(POOL + "    ami: resolve:ssm:" + IMAGE_PARAMETER + "\n").type(ParameterType.STRING)
                .overwrite(true).build());

        stack.clock.advance(App.CONFIG_REFRESH.plusSeconds(1));
        stack.reaper().handleRequest(Map.of(), null);
        assertThat(stack.app.machines().find(id).orElseThrow().state()).as("the image the parameter names")
                .isEqualTo(MachineState.STOPPED);
        assertThat(stack.logs()).doesNotContain("image.unknown");

        publishImage("ami-0fedcba9876543210");
        stack.clock.advance(Duration.ofMinutes(1));
        stack.reaper().handleRequest(Map.of(), null);

        assertThat(ec2State(id)).isIn("shutting-down", "terminated");
        assertThat(stack.logs()).contains("IMAGE_OUTDATED");
    }

    private static final String IMAGE_PARAMETER = "/runner-scaler-image/x86_64";

    /** What the image stack's distribution writes for each new image. */
    private void publishImage(String imageId) {
        stack.aws.ssm().putParameter(PutParameterRequest.builder().name(IMAGE_PARAMETER).value(imageId)
                .type(ParameterType.STRING).dataType("aws:ec2:image").overwrite(true).build());
    }

    /** A refill the reaper launched, booted to ready (its tag, as its bootstrap sets it), stopped and recorded so. */
    private String stoppedRefill() {
        stack.reaper().handleRequest(Map.of(), null);
        String id = stack.app.machines().alive("docker").getFirst().instanceId();
        stack.aws.ec2().createTags(CreateTagsRequest.builder().resources(id)
                .tags(Tag.builder().key(Fleet.READY_TAG).value("true").build()).build());
        stack.clock.advance(Duration.ofMinutes(1));
        stack.reaper().handleRequest(Map.of(), null);
        stack.ec2Events().handleRequest(stateChange(id, "stopped"), null);
        assertThat(stack.app.machines().find(id).orElseThrow().state()).isEqualTo(MachineState.STOPPED);
        return id;
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
