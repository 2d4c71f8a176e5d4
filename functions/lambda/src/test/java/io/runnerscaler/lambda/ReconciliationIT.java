package io.runnerscaler.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.aws.DynamoMachineStore;
import io.runnerscaler.aws.Ec2Fleet;
import io.runnerscaler.aws.Tags;
import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.testkit.AwsEmulator;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;

/** Invariant 4: what EC2 and the table disagree on is settled within one reaper period. */
class ReconciliationIT {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    private EmulatedStack stack;
    private DynamoMachineStore store;

    /** Where the stack lives: the plain emulator here, IAM enforced in {@link ReconciliationIamIT}. */
    StackAccess access() {
        return StackAccess.of(emulator);
    }

    @BeforeEach
    void provision() {
        access().reset();
        stack = new EmulatedStack(access(), EmulatedStack.ONE_POOL);
        store = new DynamoMachineStore(stack.aws.dynamo(), stack.resources.machinesTable());
    }

    @Test
    void scaleUpThatDiedBetweenCreateFleetAndTheTableWriteLeavesAnOrphanTheReaperTerminates() {
        // What a scale-up invocation does up to the moment it is killed: reserve, CreateFleet, then nothing.
        assertThat(store.reserve("docker", 1, 3)).isEqualTo(1);
        var pool = stack.app.config().get().pool("docker").orElseThrow();
        String orphan = new Ec2Fleet(stack.aws.ec2(), EmulatedStack.STACK)
                .launch(pool, 1, Market.ON_DEMAND, Map.of()).launched().get(0).instanceId();

        stack.clock.set(java.time.Instant.now().plus(Duration.ofMinutes(1)));
        stack.reaper().handleRequest(Map.of(), null);
        assertThat(ec2State(orphan)).as("within the grace period it may still be recorded").isEqualTo("running");

        stack.clock.advance(Duration.ofMinutes(2));
        stack.reaper().handleRequest(Map.of(), null);
        assertThat(ec2State(orphan)).isEqualTo("terminated");
        assertThat(stack.logs()).contains("ORPHANED");

        // The leaked reservation is given back once a whole reaper period passed with no launch in flight.
        stack.clock.advance(Duration.ofMinutes(1));
        stack.reaper().handleRequest(Map.of(), null);
        assertThat(store.reserved("docker")).isZero();
        assertThat(stack.logs()).contains("RESERVATION_LEAKED");
    }

    @Test
    void machineWhoseInstanceIsGoneIsMarkedTerminatedAndItsPlaceGivenBack() {
        store.reserve("docker", 1, 3);
        var t0 = stack.clock.instant();
        var launching = new Machine("i-0feedfacecafe0000", "docker", MachineState.LAUNCHING, Market.ON_DEMAND,
                "t3.large", 0, t0, t0, Optional.empty());
        store.put(launching);
        store.put(launching.withState(MachineState.IDLE, t0, Optional.empty()));

        stack.clock.advance(Duration.ofMinutes(3));
        stack.reaper().handleRequest(Map.of(), null);

        assertThat(store.find("i-0feedfacecafe0000")).get().extracting(Machine::state)
                .isEqualTo(MachineState.TERMINATED);
        assertThat(store.reserved("docker")).isZero();
        assertThat(stack.logs()).contains("INSTANCE_GONE");
    }

    @Test
    void instancesOfAnotherStackAreNeverTouched() {
        var pool = stack.app.config().get().pool("docker").orElseThrow();
        String foreign = new Ec2Fleet(stack.aws.ec2(), "someone-else").launch(pool, 1, Market.ON_DEMAND, Map.of())
                .launched().get(0).instanceId();

        stack.clock.set(java.time.Instant.now().plus(Duration.ofHours(1)));
        stack.reaper().handleRequest(Map.of(), null);

        assertThat(ec2State(foreign)).isEqualTo("running");
        long ours = stack.aws.ec2().describeInstances(DescribeInstancesRequest.builder().filters(
                        Filter.builder().name("tag:" + Tags.STACK).values(EmulatedStack.STACK).build()).build())
                .reservations().size();
        assertThat(ours).isZero();
    }

    private String ec2State(String id) {
        return stack.aws.ec2().describeInstances(DescribeInstancesRequest.builder().instanceIds(id).build())
                .reservations().get(0).instances().get(0).state().nameAsString();
    }
}
