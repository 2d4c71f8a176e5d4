package io.runnerscaler.aws;

import io.runnerscaler.core.port.JobLedger;
import io.runnerscaler.testkit.AwsEmulator;
import io.runnerscaler.testkit.contract.JobLedgerContract;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The job ledger's contract against DynamoDB on the emulator. */
class DynamoJobLedgerIT extends JobLedgerContract {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    private DynamoJobLedger ledger;

    @BeforeEach
    void setUp() {
        AwsEmulator.reset();
        var aws = emulator.clients();
        ledger = new DynamoJobLedger(aws.dynamo(), new Provisioner(aws).create("ledger").jobsTable());
    }

    @Override
    protected JobLedger ledger() {
        return ledger;
    }
}
