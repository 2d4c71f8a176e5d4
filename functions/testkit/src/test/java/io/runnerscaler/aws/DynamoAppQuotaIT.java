package io.runnerscaler.aws;

import io.runnerscaler.core.port.AppQuota;
import io.runnerscaler.testkit.AwsEmulator;
import io.runnerscaler.testkit.contract.AppQuotaContract;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The App quota's contract against the bootstrap secrets table in DynamoDB on the emulator. */
class DynamoAppQuotaIT extends AppQuotaContract {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    private DynamoAppQuota quota;

    @BeforeEach
    void setUp() {
        AwsEmulator.reset();
        var aws = emulator.clients();
        quota = new DynamoAppQuota(aws.dynamo(), new Provisioner(aws).create("quota").bootstrapSecretsTable());
    }

    @Override
    protected AppQuota quota() {
        return quota;
    }
}
