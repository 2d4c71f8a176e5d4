package io.runnerscaler.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.model.Machine;
import io.runnerscaler.core.model.MachineState;
import io.runnerscaler.core.model.Market;
import io.runnerscaler.core.port.MachineStore;
import io.runnerscaler.testkit.AwsEmulator;
import io.runnerscaler.testkit.contract.MachineStoreContract;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The machine store's contract against DynamoDB on the emulator, and what only the DynamoDB layout shows: ended
 * machines leave the live partition.
 */
class DynamoMachineStoreIT extends MachineStoreContract {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

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

    @Override
    protected MachineStore store() {
        return store;
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
    void countersThatDriftedFromTheMachinesAreCorrectedOnlyWhenNothingMovedSinceTheyWereRead() {
        store.reserve("docker", 2, 5);
        record(machine("i-0d01", MachineState.IDLE));
        // A record deleted by hand: the counters still count it.
        emulator.clients().dynamo().deleteItem(d -> d.tableName(table).key(java.util.Map.of(
                "pool", DynamoMachineStore.s("docker"), "instanceId", DynamoMachineStore.s("i-0d01"))));
        record(machine("i-0d02", MachineState.BUSY));
        MachineStore.PoolCounters stale = store.counters("docker");
        record(machine("i-0d03", MachineState.IDLE));

        assertThat(store.auditCounters("docker", store.alive("docker"), stale))
                .as("a machine was recorded after the counters were read").isEmpty();

        MachineStore.PoolCounters read = store.counters("docker");
        assertThat(read.machines()).containsEntry(MachineState.IDLE, 2);
        assertThat(store.auditCounters("docker", store.alive("docker"), read))
                .containsExactly(java.util.Map.entry("IDLE", -1));
        assertThat(store.counters("docker").machines()).containsOnly(java.util.Map.entry(MachineState.IDLE, 1),
                java.util.Map.entry(MachineState.BUSY, 1));
        MachineStore.PoolCounters mended = store.counters("docker");
        assertThat(store.auditCounters("docker", store.alive("docker"), mended)).as("nothing left to mend").isEmpty();
    }

    @Test
    void aCounterDriftOfTheStoppedMachinesIsMendedToo() {
        store.reserve("docker", 1, 5);
        Machine warming = new Machine("i-0e01", "docker", MachineState.WARMING, Market.SPOT, "m6i.large", 0, T0, T0,
                Optional.empty());
        store.put(warming);
        store.put(warming.withState(MachineState.STOPPED, T0.plusSeconds(60), Optional.empty()));
        emulator.clients().dynamo().deleteItem(d -> d.tableName(table).key(java.util.Map.of(
                "pool", DynamoMachineStore.s("docker"), "instanceId", DynamoMachineStore.s("i-0e01"))));

        MachineStore.PoolCounters read = store.counters("docker");
        assertThat(read.stopped()).containsExactly("i-0e01");
        assertThat(store.auditCounters("docker", store.alive("docker"), read))
                .containsEntry("STOPPED", -1).containsEntry("stopped", -1);
        assertThat(store.counters("docker").stopped()).isEmpty();
        assertThat(store.counters("docker").machines()).isEmpty();
    }

    private void record(Machine m) {
        record(store, m);
    }
}
