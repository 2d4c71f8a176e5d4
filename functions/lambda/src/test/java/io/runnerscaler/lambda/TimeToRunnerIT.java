package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.model.BootPath;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.testkit.AwsEmulator;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The boot budget of one job, end to end on the emulator: the pending webhook launches a machine, EC2's
 * {@code running} state change reaches ec2-events, the job's running webhook comes, and the machine record in
 * DynamoDB keeps each step while scale-up writes one {@code TimeToRunner} EMF line for the job.
 */
class TimeToRunnerIT {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    private static final Instant QUEUED = Instant.parse("2026-11-23T09:00:05Z");

    private EmulatedStack stack;

    @BeforeEach
    void provision() {
        AwsEmulator.reset();
        stack = new EmulatedStack(emulator, EmulatedStack.ONE_POOL);
    }

    @AfterEach
    void showLog() {
        System.out.println(stack.logs());
    }

    @Test
    void aColdJobsStepsAreRecordedOnItsMachineAndItsTimeToRunnerIsMeasured() {
        assertThat(stack.webhook().handleRequest(SampleEvents.http("webhook-gitlab-pending.json"), null)
                .getStatusCode()).isEqualTo(202);
        assertThat(stack.pump().drain()).isEqualTo(1);
        String id = stack.app.machines().alive("docker").getFirst().instanceId();

        stack.clock.advance(Duration.ofSeconds(19));
        assertThat(stack.ec2Events().handleRequest(running(id, "2026-11-23T09:00:22Z"), null))
                .containsEntry("handled", true);
        stack.clock.advance(Duration.ofSeconds(51));
        // The sample's build_started_at is 09:01:10.
        assertThat(stack.webhook().handleRequest(SampleEvents.http("webhook-gitlab-running.json"), null)
                .getStatusCode()).isEqualTo(202);
        stack.pump().drain();

        Machine m = stack.app.machines().find(id).orElseThrow();
        assertThat(m.steps()).isEqualTo(new Machine.Steps(BootPath.COLD, QUEUED,
                Optional.of(Instant.parse("2026-11-23T09:00:22Z")), Optional.empty(),
                Optional.of(Instant.parse("2026-11-23T09:01:10Z"))));
        List<String> lines = stack.logs().lines().filter(l -> l.contains("\"TimeToRunner\"")).toList();
        assertThat(lines).singleElement().asString()
                .contains("\"Dimensions\":[[\"Path\",\"Pool\"]]")
                .contains("\"Name\":\"TimeToRunner\",\"Unit\":\"Milliseconds\"")
                .contains("\"Path\":\"cold\"").contains("\"Pool\":\"docker\"")
                .contains("\"TimeToRunner\":65000.0");
    }

    @Test
    void aRunningEventWithoutATimeKeepsWhenItArrived() {
        stack.webhook().handleRequest(SampleEvents.http("webhook-gitlab-pending.json"), null);
        stack.pump().drain();
        String id = stack.app.machines().alive("docker").getFirst().instanceId();
        stack.clock.advance(Duration.ofSeconds(25));

        Map<String, Object> event = running(id, "not a time");
        stack.ec2Events().handleRequest(event, null);

        assertThat(stack.app.machines().find(id).orElseThrow().steps().running()).contains(QUEUED.plusSeconds(25));
    }

    /** EC2's state-change notification for the instance, as in events/ec2-state-change.json. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> running(String instanceId, String time) {
        Map<String, Object> event = new HashMap<>(SampleEvents.map("ec2-state-change.json"));
        Map<String, Object> detail = new HashMap<>((Map<String, Object>) event.get("detail"));
        detail.put("instance-id", instanceId);
        detail.put("state", "running");
        event.put("detail", detail);
        event.put("time", time);
        event.put("resources", List.of("arn:aws:ec2:eu-west-1:123456789012:instance/" + instanceId));
        return event;
    }
}
