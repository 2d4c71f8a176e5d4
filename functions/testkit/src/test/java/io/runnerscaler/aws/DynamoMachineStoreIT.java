package io.runnerscaler.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.testkit.AwsEmulator;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The machine store's contract against DynamoDB on the emulator. */
class DynamoMachineStoreIT {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    private static final Instant T0 = Instant.parse("2026-11-23T09:00:00Z");
    private DynamoMachineStore store;
    private String table;

    @BeforeEach
    void setUp() {
        AwsEmulator.reset();
        var aws = emulator.clients();
        var resources = new Provisioner(aws).create("store");
        table = resources.machinesTable();
        store = new DynamoMachineStore(aws.dynamo(), table);
    }

    @Test
    void reservationsNeverPassTheLimitAndGrantWhatIsLeft() {
        assertThat(store.reserve("docker", 2, 3)).isEqualTo(2);
        assertThat(store.reserve("docker", 2, 3)).isEqualTo(1);
        assertThat(store.reserve("docker", 1, 3)).isZero();
        assertThat(store.reserved("docker")).isEqualTo(3);
        store.release("docker", 2);
        assertThat(store.reserve("docker", 5, 3)).isEqualTo(2);
        assertThat(store.reserved("other")).isZero();
    }

    @Test
    void terminatingAMachineGivesItsPlaceBackExactlyOnce() {
        store.reserve("docker", 2, 2);
        Machine m = machine("i-0aaa", MachineState.IDLE);
        record(m);

        assertThat(store.markTerminated(m, T0.plusSeconds(60))).isTrue();
        assertThat(store.markTerminated(m, T0.plusSeconds(61))).isFalse();

        assertThat(store.reserved("docker")).isEqualTo(1);
        assertThat(store.find("i-0aaa")).get().extracting(Machine::state).isEqualTo(MachineState.TERMINATED);
        assertThat(store.alive("docker")).isEmpty();
    }

    @Test
    void anEndedMachineLeavesThePoolsLivePartitionSoPlanningNeverReadsIt() {
        store.reserve("docker", 3, 3);
        for (String id : new String[] {"i-0aaa", "i-0bbb", "i-0ccc"}) {
            record(machine(id, MachineState.IDLE));
        }
        store.markTerminated(machine("i-0aaa", MachineState.IDLE), T0.plusSeconds(60));
        store.markTerminated(machine("i-0bbb", MachineState.IDLE), T0.plusSeconds(60));

        var live = emulator.clients().dynamo().query(q -> q.tableName(table).keyConditionExpression("#p = :p")
                .expressionAttributeNames(java.util.Map.of("#p", "pool"))
                .expressionAttributeValues(java.util.Map.of(":p", DynamoMachineStore.s("docker"))));
        assertThat(live.scannedCount()).as("items a planning query reads: one live machine and the capacity item")
                .isEqualTo(2);
        var ended = emulator.clients().dynamo().query(q -> q.tableName(table).keyConditionExpression("#p = :p")
                .expressionAttributeNames(java.util.Map.of("#p", "pool"))
                .expressionAttributeValues(java.util.Map.of(":p", DynamoMachineStore.s("docker#ended"))));
        assertThat(ended.items()).hasSize(2).allSatisfy(i -> {
            assertThat(i.get("state").s()).isEqualTo("TERMINATED");
            assertThat(i).containsKey("ttl");
        });
        assertThat(store.alive("docker")).extracting(Machine::instanceId).containsExactly("i-0ccc");
        assertThat(store.find("i-0aaa")).get().satisfies(m -> {
            assertThat(m.pool()).isEqualTo("docker");
            assertThat(m.state()).isEqualTo(MachineState.TERMINATED);
        });
        assertThat(store.reserved("docker")).isEqualTo(1);
    }

    @Test
    void aLateStateUpdateOfAnEndedMachineDoesNotBringItBack() {
        store.reserve("docker", 1, 1);
        Machine m = machine("i-0aaa", MachineState.IDLE);
        record(m);
        store.markTerminated(m, T0.plusSeconds(60));

        store.put(m.withState(MachineState.BUSY, T0.plusSeconds(61), Optional.of("gitlab:1:2")));

        assertThat(store.alive("docker")).isEmpty();
        assertThat(store.find("i-0aaa")).get().extracting(Machine::state).isEqualTo(MachineState.TERMINATED);
        assertThat(store.markTerminated(m, T0.plusSeconds(62))).as("its place was given back once").isFalse();
        assertThat(store.reserved("docker")).isZero();
    }

    @Test
    void aStateUpdateOfAMachineNeverRecordedChangesNothing() {
        store.put(machine("i-0eee", MachineState.IDLE));
        assertThat(store.find("i-0eee")).isEmpty();
        assertThat(store.alive("docker")).isEmpty();
    }

    @Test
    void aliveListsOnlyThePoolsLiveMachinesNotItsCapacityItem() {
        store.reserve("docker", 2, 5);
        record(machine("i-0aaa", MachineState.BUSY));
        store.put(machine("i-0bbb", MachineState.LAUNCHING));
        record(new Machine("i-0ccc", "other", MachineState.IDLE, Market.SPOT, "m5.large", 0, T0, T0,
                Optional.empty()));

        assertThat(store.alive("docker")).extracting(Machine::instanceId).containsExactlyInAnyOrder("i-0aaa", "i-0bbb");
        assertThat(store.find("i-0ccc")).get().extracting(Machine::pool).isEqualTo("other");
        assertThat(store.find("i-0zzz")).isEmpty();
    }

    @Test
    void machinesRoundTripEveryField() {
        Machine m = new Machine("i-0ddd", "docker", MachineState.BUSY, Market.SPOT, "c7i.large", 3, T0,
                T0.plusSeconds(90), Optional.of("github:99"));
        record(m);
        assertThat(store.find("i-0ddd")).contains(m);
    }

    private static Machine machine(String id, MachineState state) {
        return new Machine(id, "docker", state, Market.ON_DEMAND, "m6i.large", 0, T0, T0, Optional.empty());
    }

    /** Records the machine the way production does: LAUNCHING first, then its state. */
    private void record(Machine m) {
        store.put(m.withState(MachineState.LAUNCHING, m.launchedAt(), Optional.empty()));
        store.put(m);
    }
}
