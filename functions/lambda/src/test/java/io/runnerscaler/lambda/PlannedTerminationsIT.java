package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.testkit.AwsEmulator;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;

/**
 * Scale-up carries out the whole plan it makes for a queued job, and the planner puts terminations before
 * launches: a machine stuck launching past its boot timeout, or one that ran its MaxBuilds jobs, is ended when
 * the next job of its pool arrives, and that job still gets its machine. Under the template's roles
 * ({@link PlannedTerminationsIamIT}) this needs scale-up to be allowed TerminateInstances.
 */
class PlannedTerminationsIT {

    /** The one pool, retiring a machine after one job; its boot timeout is the default, 10 minutes. */
    private static final String POOL = EmulatedStack.ONE_POOL + "    maxBuilds: 1\n";

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    EmulatedStack stack;

    /** Where the stack lives: the plain emulator here, IAM enforced in {@link PlannedTerminationsIamIT}. */
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
    void machineStuckLaunchingPastItsBootTimeoutIsEndedWhenTheNextJobArrivesWhichGetsItsMachine() {
        stack = stack();
        Machine stuck = deliverPending(1977);
        assertThat(stuck.state()).isEqualTo(MachineState.LAUNCHING);

        stack.clock.advance(Duration.ofMinutes(11));
        deliverPending(1978);

        assertNextJobLaunchedAndEnded(stuck, "BOOT_TIMEOUT");
    }

    @Test
    void machineThatRanItsMaxBuildsIsEndedWhenTheNextJobArrivesWhichGetsItsMachine() {
        stack = stack();
        Machine used = deliverPending(1977);
        stack.clock.advance(Duration.ofSeconds(60));
        deliver(SampleEvents.http("webhook-gitlab-running.json"));
        stack.clock.advance(Duration.ofMinutes(5));
        deliver(SampleEvents.http("webhook-gitlab-success.json"));
        assertThat(stack.app.machines().find(used.instanceId()).orElseThrow().buildsDone()).isEqualTo(1);

        stack.clock.advance(Duration.ofSeconds(30));
        deliverPending(1978);

        assertNextJobLaunchedAndEnded(used, "MAX_BUILDS_REACHED");
    }

    private EmulatedStack stack() {
        access().reset();
        return new EmulatedStack(access(), POOL);
    }

    /** A pending job through the webhook and scale-up; the machine launched for it. */
    private Machine deliverPending(int jobId) {
        APIGatewayV2HTTPEvent pending = SampleEvents.http("webhook-gitlab-pending.json");
        pending.setBody(pending.getBody().replace("\"build_id\": 1977", "\"build_id\": " + jobId));
        var headers = new HashMap<>(pending.getHeaders());
        headers.put("x-gitlab-event-uuid", "00000000-0000-4000-8000-00000000" + jobId);
        pending.setHeaders(headers);
        deliver(pending);
        return machineFor("gitlab:" + jobId);
    }

    private void deliver(APIGatewayV2HTTPEvent event) {
        assertThat(stack.webhook().handleRequest(event, null).getStatusCode()).isEqualTo(202);
        stack.pump().drain();
    }

    /**
     * The second job has its machine from scale-up; the old machine is ended, by scale-up's plan or at the
     * latest by the next reaper pass, in EC2 and in the table.
     */
    private void assertNextJobLaunchedAndEnded(Machine old, String reason) {
        assertThat(machineFor("gitlab:1978").instanceId()).isNotEqualTo(old.instanceId());
        stack.reaper().handleRequest(Map.of(), null);
        assertThat(stack.app.machines().find(old.instanceId()).orElseThrow().state()).isEqualTo(MachineState.TERMINATED);
        assertThat(stack.aws.ec2().describeInstances(DescribeInstancesRequest.builder().instanceIds(old.instanceId())
                .build()).reservations().get(0).instances().get(0).state().nameAsString()).isEqualTo("terminated");
        assertThat(stack.logs()).contains("\"event\":\"machine.terminated\"").contains(reason);
    }

    private Machine machineFor(String job) {
        return stack.app.machines().alive("docker").stream().filter(m -> m.jobId().filter(job::equals).isPresent())
                .findFirst().orElseThrow(() -> new AssertionError("no machine launched for " + job + "; the functions"
                        + " logged:\n" + stack.logs()));
    }
}
