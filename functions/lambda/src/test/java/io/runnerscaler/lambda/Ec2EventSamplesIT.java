package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.testkit.AwsEmulator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The EC2 samples in events/ as EventBridge delivers them, pointed at a machine the scaler really launched
 * on the emulator: ec2-events drains it on a Spot warning or rebalance recommendation and ends its record
 * when EC2 reports it terminated.
 */
class Ec2EventSamplesIT {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    private EmulatedStack stack;
    private Ec2EventsHandler handler;
    private String instanceId;

    /** Where the stack lives: the plain emulator here, IAM enforced in {@link Ec2EventSamplesIamIT}. */
    StackAccess access() {
        return StackAccess.of(emulator);
    }

    @BeforeEach
    void launchOneMachine() {
        access().reset();
        stack = new EmulatedStack(access(), EmulatedStack.ONE_POOL);
        handler = stack.ec2Events();
        assertThat(stack.webhook().handleRequest(SampleEvents.http("webhook-gitlab-pending.json"), null)
                .getStatusCode()).isEqualTo(202);
        assertThat(stack.pump().drain()).isEqualTo(1);
        List<Machine> machines = stack.app.machines().alive("docker");
        assertThat(machines).hasSize(1);
        instanceId = machines.get(0).instanceId();
    }

    @Test
    void spotInterruptionWarningDrainsTheMachine() {
        assertThat(handler.handleRequest(sampleFor("ec2-spot-interruption.json"), null))
                .containsEntry("handled", true).containsEntry("instance", instanceId);

        assertThat(state()).isEqualTo(MachineState.DRAINING);
    }

    @Test
    void rebalanceRecommendationDrainsTheMachine() {
        assertThat(handler.handleRequest(sampleFor("ec2-rebalance.json"), null)).containsEntry("handled", true);

        assertThat(state()).isEqualTo(MachineState.DRAINING);
    }

    @Test
    void terminatedStateChangeEndsTheMachineRecord() {
        assertThat(handler.handleRequest(sampleFor("ec2-state-change.json"), null)).containsEntry("handled", true);

        assertThat(state()).isEqualTo(MachineState.TERMINATED);
        assertThat(stack.app.machines().alive("docker")).isEmpty();
    }

    /** The sample with its instance replaced by the launched one, as EC2 would send it for that machine. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> sampleFor(String name) {
        Map<String, Object> event = new HashMap<>(SampleEvents.map(name));
        Map<String, Object> detail = new HashMap<>((Map<String, Object>) event.get("detail"));
        String sampleInstance = (String) detail.get("instance-id");
        detail.put("instance-id", instanceId);
        event.put("detail", detail);
        event.put("resources", ((List<String>) event.get("resources")).stream()
                .map(arn -> arn.replace(sampleInstance, instanceId)).toList());
        return event;
    }

    private MachineState state() {
        return stack.app.machines().find(instanceId).orElseThrow().state();
    }
}
