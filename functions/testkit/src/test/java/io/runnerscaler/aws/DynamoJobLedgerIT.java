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
}
