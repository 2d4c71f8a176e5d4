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

    private void record(Machine m) {
        record(store, m);
    }
}
