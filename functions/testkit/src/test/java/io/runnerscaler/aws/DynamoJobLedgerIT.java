package io.runnerscaler.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.model.JobStatus;
import io.runnerscaler.core.port.JobLedger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import io.runnerscaler.testkit.AwsEmulator;
import io.runnerscaler.testkit.contract.JobLedgerContract;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The job ledger's contract against DynamoDB on the emulator. */
class DynamoJobLedgerIT extends JobLedgerContract {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    private DynamoJobLedger ledger;
    private String table;

    @BeforeEach
    void setUp() {
        AwsEmulator.reset();
        var aws = emulator.clients();
        table = new Provisioner(aws).create("ledger").jobsTable();
        ledger = new DynamoJobLedger(aws.dynamo(), table);
    }

    @Override
    protected JobLedger ledger() {
        return ledger;
    }

    @Test
    void aRecountMendsTheCountersOfJobsDeletedByHandAndTheCounterItemsAreNoJobs() {
        ledger.record(event("1", JobStatus.QUEUED), Optional.of("docker"), T0);
        ledger.record(event("2", JobStatus.QUEUED), Optional.of("docker"), T0);
        ledger.record(event("3", JobStatus.RUNNING), Optional.of("docker"), T0);
        emulator.clients().dynamo().deleteItem(d -> d.tableName(table)
                .key(Map.of("jobKey", DynamoMachineStore.s("gitlab:1"))));
        emulator.clients().dynamo().deleteItem(d -> d.tableName(table)
                .key(Map.of("jobKey", DynamoMachineStore.s("gitlab:3"))));
        assertThat(ledger.count("docker", JobStatus.QUEUED)).as("the counter still counts it").isEqualTo(2);

        assertThat(ledger.recount("docker")).containsOnly(Map.entry(JobStatus.QUEUED, -1),
                Map.entry(JobStatus.RUNNING, -1));
        assertThat(ledger.count("docker", JobStatus.QUEUED)).isEqualTo(1);
        assertThat(ledger.countAll(List.of("docker"), JobStatus.RUNNING)).isZero();
        assertThat(ledger.recount("docker")).isEmpty();
        assertThat(ledger.all()).extracting(JobLedger.Job::jobKey).containsExactly("gitlab:2");
    }

    @Test
    void countersNeverCountedFromTheJobsOrBelowZeroAreUnprovenUntilARecount() {
        assertThat(ledger.countersUnproven("docker")).as("a pool with no counters yet").isTrue();
        ledger.record(event("1", JobStatus.QUEUED), Optional.of("docker"), T0);
        assertThat(ledger.countersUnproven("docker")).as("counted by transactions only").isTrue();
        assertThat(ledger.recount("docker")).isEmpty();
        assertThat(ledger.countersUnproven("docker")).isFalse();

        // A job recorded before the counters were kept (an upgraded stack): its pending counted nowhere.
        emulator.clients().dynamo().putItem(p -> p.tableName(table).item(Map.of(
                "jobKey", DynamoMachineStore.s("gitlab:9"), "status", DynamoMachineStore.s("QUEUED"),
                "statusRank", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromN(
                        Integer.toString(JobStatus.QUEUED.ordinal())),
                "pool", DynamoMachineStore.s("docker"), "forge", DynamoMachineStore.s("gitlab"),
                "project", DynamoMachineStore.s("group/app"), "jobId", DynamoMachineStore.s("9"),
                "createdAt", DynamoMachineStore.s(T0.toString()), "updatedAt", DynamoMachineStore.s(T0.toString()))));
        ledger.record(event("9", JobStatus.RUNNING), Optional.of("docker"), T0.plusSeconds(5));
        ledger.record(event("1", JobStatus.RUNNING), Optional.of("docker"), T0.plusSeconds(5));
        assertThat(ledger.countersUnproven("docker")).as("the queued counter went below zero").isTrue();
        assertThat(ledger.count("docker", JobStatus.QUEUED)).as("read as none").isZero();
        assertThat(ledger.recount("docker")).containsOnly(Map.entry(JobStatus.QUEUED, 1));
        assertThat(ledger.countersUnproven("docker")).isFalse();
        assertThat(ledger.count("docker", JobStatus.RUNNING)).isEqualTo(2);
    }
}
