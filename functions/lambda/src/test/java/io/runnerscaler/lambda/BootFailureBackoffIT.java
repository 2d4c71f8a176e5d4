package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.testkit.AwsEmulator;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesRequest;

/**
 * Invariant 8 end to end on the emulator: a pool whose bootstrap exits at once (the instance powers off, so EC2
 * terminates it and sends its state change) backs off after three such machines, says so in the log and the
 * metrics, launches again after the backoff, backs off longer after the next failure, and starts over once a
 * machine takes a job.
 */
class BootFailureBackoffIT {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    private static final String KEEP_ONE_IDLE = EmulatedStack.ONE_POOL.replace("idleCount: 0", "idleCount: 1");

    private EmulatedStack stack;
    private Ec2EventsHandler ec2Events;

    @BeforeEach
    void provision() {
        AwsEmulator.reset();
        stack = new EmulatedStack(emulator, KEEP_ONE_IDLE);
        ec2Events = new Ec2EventsHandler(stack.app);
    }

    @Test
    void aPoolWhoseMachinesDieAtBootBacksOffExponentiallyAndSaysSoUntilOneTakesAJob() {
        for (int failure = 1; failure <= 3; failure++) {
            String id = reaperLaunchesOne();
            bootstrapExitsAtOnce(id);
            assertThat(stack.app.machines().find(id).orElseThrow().ending())
                    .contains(new Machine.Ending("INSTANCE_ENDED", false));
        }
        assertThat(stack.app.machines().bootFailures("docker")).hasSize(3);

        // The third failure started the backoff: the next pass launches nothing and says why.
        int logged = stack.logs().length();
        assertThat(reaperPass()).isEmpty();
        String pass = stack.logs().substring(logged);
        assertThat(pass).contains("\"event\":\"plan.hold\"").contains("\"reason\":\"BOOT_FAILURES\"")
                .contains("\"PoolBackoff\"");

        // After a minute it tries again; that machine dies too, and the wait doubles.
        stack.clock.advance(Duration.ofMinutes(1));
        String fourth = reaperLaunchesOne();
        bootstrapExitsAtOnce(fourth);
        stack.clock.advance(Duration.ofMinutes(1));
        assertThat(reaperPass()).as("within the 2-minute backoff").isEmpty();
        stack.clock.advance(Duration.ofMinutes(1));
        String fifth = reaperLaunchesOne();

        // This one boots and takes a job: the pool is healthy again.
        ec2Events.handleRequest(stateChange(fifth, "running"), null);
        Machine up = stack.app.machines().find(fifth).orElseThrow();
        stack.app.machines().put(up.withState(MachineState.BUSY, stack.clock.instant(), Optional.of("gitlab:1")));
        stack.clock.advance(Duration.ofMinutes(1));
        reaperPass();
        assertThat(stack.app.machines().bootFailures("docker")).isEmpty();
        assertThat(stack.logs()).contains("\"event\":\"pool.boot_failures_reset\"").contains("HEALTHY_LAUNCH")
                .contains("\"BootFailures\"");
    }

    /** One reaper pass, a minute after the last; returns the machines it launched. */
    private List<String> reaperPass() {
        var before = stack.app.machines().alive("docker").stream().map(Machine::instanceId).toList();
        stack.reaper().handleRequest(Map.of(), null);
        return stack.app.machines().alive("docker").stream().map(Machine::instanceId)
                .filter(id -> !before.contains(id)).toList();
    }

    private String reaperLaunchesOne() {
        List<String> launched = reaperPass();
        assertThat(launched).as("logs:%n%s", stack.logs()).hasSize(1);
        return launched.getFirst();
    }

    /** What a bootstrap that exits at once comes to: the instance powers off, EC2 terminates it and says so. */
    private void bootstrapExitsAtOnce(String id) {
        stack.clock.advance(Duration.ofSeconds(30));
        stack.aws.ec2().terminateInstances(TerminateInstancesRequest.builder().instanceIds(id).build());
        assertThat(ec2Events.handleRequest(stateChange(id, "terminated"), null)).containsEntry("handled", true);
    }

    private static Map<String, Object> stateChange(String id, String state) {
        Map<String, Object> event = new HashMap<>(SampleEvents.map("ec2-state-change.json"));
        event.put("detail", Map.of("instance-id", id, "state", state));
        event.put("resources", List.of("arn:aws:ec2:eu-west-1:123456789012:instance/" + id));
        return event;
    }
}
