package io.runnerscaler.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnerscaler.core.runner.Secret;
import io.runnerscaler.testkit.AwsEmulator;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The bootstrap-secrets store's contract against DynamoDB on the emulator. */
class DynamoBootstrapSecretsIT {

    @RegisterExtension
    static final AwsEmulator emulator = new AwsEmulator();

    private static final Instant NOW = Instant.parse("2026-11-23T09:00:00Z");
    private DynamoBootstrapSecrets secrets;

    @BeforeEach
    void setUp() {
        AwsEmulator.reset();
        var aws = emulator.clients();
        var table = new Provisioner(aws).create("secrets").bootstrapSecretsTable();
        secrets = new DynamoBootstrapSecrets(aws.dynamo(), table, "AROAEXAMPLEROLEID");
    }

    @Test
    void aSecretCanBeTakenOnceByItsInstanceOnly() {
        secrets.put("i-0aaa", new Secret("jit-config-a"), NOW.plusSeconds(600));
        secrets.put("i-0bbb", new Secret("jit-config-b"), NOW.plusSeconds(600));

        assertThat(secrets.take("i-0aaa", NOW)).contains(new Secret("jit-config-a"));
        assertThat(secrets.take("i-0aaa", NOW)).isEmpty();
        assertThat(secrets.take("i-0bbb", NOW)).contains(new Secret("jit-config-b"));
    }

    @Test
    void anExpiredSecretIsNotHandedOutEvenBeforeTtlRemovesIt() {
        secrets.put("i-0aaa", new Secret("old"), NOW.minusSeconds(1));
        assertThat(secrets.take("i-0aaa", NOW)).isEmpty();
    }

    @Test
    void discardingRemovesAnUnreadSecretAndToleratesAbsence() {
        secrets.put("i-0aaa", new Secret("unread"), NOW.plusSeconds(600));
        secrets.discard("i-0aaa");
        secrets.discard("i-0zzz");
        assertThat(secrets.take("i-0aaa", NOW)).isEmpty();
    }

    @Test
    void theItemKeyIsTheInstancesCallerId() {
        assertThat(secrets.owner("i-0aaa")).isEqualTo("AROAEXAMPLEROLEID:i-0aaa");
    }
}
